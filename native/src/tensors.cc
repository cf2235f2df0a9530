// The slot store (see tensors.h): upload (write), download (read), free, and the shared out buffer.
#include "tensors.h"

#include <dlfcn.h>

#include <cstring>
#include <unordered_set>

namespace gb {
namespace {

at::Device gDevice = at::Device(at::kCPU);
std::vector<at::Tensor> slots;
std::vector<int32_t> freeSlots;
// dtype code, rank, dims...: what put() tells JavaScript about the tensor it stored.
int32_t* outBuffer = nullptr;
constexpr size_t kOutInts = 64;
Napi::Reference<Napi::Int32Array>* outRef = nullptr;

int32_t store(at::Tensor t) {
  if (!freeSlots.empty()) {
    int32_t id = freeSlots.back();
    freeSlots.pop_back();
    slots[id] = std::move(t);
    return id;
  }
  slots.push_back(std::move(t));
  return static_cast<int32_t>(slots.size() - 1);
}

int32_t dtypeCode(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return 0;
    case at::kInt: return 1;
    case at::kBool: return 2;
    default: throw std::invalid_argument(std::string("unsupported result dtype ") + c10::toString(t));
  }
}

at::ScalarType scalarType(int32_t code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kInt;
    case 2: return at::kBool;
    default: throw std::invalid_argument("unknown dtype code " + std::to_string(code));
  }
}

// The element type of a typed array as ATen knows it.
at::ScalarType typedArrayType(napi_typedarray_type type) {
  switch (type) {
    case napi_float32_array: return at::kFloat;
    case napi_int32_array: return at::kInt;
    case napi_uint8_array:
    case napi_uint8_clamped_array: return at::kByte;
    case napi_int8_array: return at::kChar;
    case napi_int16_array: return at::kShort;
    case napi_float64_array: return at::kDouble;
    default: throw std::invalid_argument("values must be a Float32Array, Int32Array, Uint8Array or Float64Array");
  }
}

// write(values: TypedArray, shape, dtypeCode) -> id: a copy of the values on the device.
Napi::Value Write(const Napi::CallbackInfo& info) {
  return guard(info, "write", [&]() -> Napi::Value {
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value buffer;
    size_t offset;
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "native write: values must be a typed array");
    NAPI_THROW_IF_FAILED(info.Env(), napi_get_typedarray_info(info.Env(), info[0], &type, &length, &data, &buffer, &offset), Napi::Value());
    auto shape = ints(info[1]);
    auto target = scalarType(info[2].As<Napi::Number>().Int32Value());
    int64_t n = 1;
    for (auto d : shape) n *= d;
    if (n != static_cast<int64_t>(length)) {
      throw std::invalid_argument("the values hold " + std::to_string(length) + " elements but the shape needs " + std::to_string(n));
    }
    auto out = at::empty(shape, at::TensorOptions().dtype(target).device(gDevice));
    if (n > 0) out.view({n}).copy_(at::from_blob(data, {n}, at::TensorOptions().dtype(typedArrayType(type))));
    return put(info.Env(), out);
  });
}

// read(id) -> Float32Array | Int32Array | Uint8Array (bool): a host copy, in row-major order.
Napi::Value Read(const Napi::CallbackInfo& info) {
  return guard(info, "read", [&]() -> Napi::Value {
    const auto& t = get(info[0]);
    auto n = static_cast<size_t>(t.numel());
    auto env = info.Env();
    Napi::TypedArray array;
    void* data;
    switch (t.scalar_type()) {
      case at::kFloat: { auto a = Napi::Float32Array::New(env, n); data = a.Data(); array = a; break; }
      case at::kInt: { auto a = Napi::Int32Array::New(env, n); data = a.Data(); array = a; break; }
      case at::kBool: { auto a = Napi::Uint8Array::New(env, n); data = a.Data(); array = a; break; }
      default: throw std::invalid_argument("cannot read a tensor of this dtype");
    }
    if (n > 0) at::from_blob(data, t.sizes(), at::TensorOptions().dtype(t.scalar_type())).copy_(t);
    return array;
  });
}

// free(id): the slot's tensor is released (its memory too, once no view shares it).
Napi::Value Free(const Napi::CallbackInfo& info) {
  int32_t id = info[0].As<Napi::Number>().Int32Value();
  if (id >= 0 && static_cast<size_t>(id) < slots.size() && slots[id].defined()) {
    slots[id] = at::Tensor();
    freeSlots.push_back(id);
  }
  return info.Env().Undefined();
}

// alias(id) -> id: a second slot holding the same tensor (no copy).
Napi::Value Alias(const Napi::CallbackInfo& info) {
  return guard(info, "alias", [&]() -> Napi::Value { return put(info.Env(), get(info[0])); });
}

// live() -> number of occupied slots (the leak tests compare it with tfjs's own count).
Napi::Value Live(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(slots.size() - freeSlots.size()));
}

// exclusive(id) -> whether nothing but this slot sees the tensor's memory (safe to update in place).
Napi::Value Exclusive(const Napi::CallbackInfo& info) {
  const auto& t = get(info[0]);
  bool alone = t.use_count() == 1 && t.storage().use_count() == 1 && t.is_contiguous() && t.storage_offset() == 0;
  return Napi::Boolean::New(info.Env(), alone);
}

// memory() -> { bytes, deviceUsed, deviceTotal }: bytes held by live tensors (shared storage counted
// once); on a GPU also the whole device's use as the driver reports it (0 on the CPU).
Napi::Value Memory(const Napi::CallbackInfo& info) {
  std::unordered_set<const void*> seen;
  double bytes = 0;
  for (const auto& t : slots) {
    if (!t.defined() || !t.has_storage()) continue;
    if (seen.insert(t.storage().unsafeGetStorageImpl()).second) bytes += static_cast<double>(t.storage().nbytes());
  }
  size_t free = 0, total = 0;
  if (gDevice.is_cuda()) {
    using MemGetInfo = int (*)(size_t*, size_t*);
    void* lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
    auto fn = lib == nullptr ? nullptr : reinterpret_cast<MemGetInfo>(dlsym(lib, "cuMemGetInfo_v2"));
    if (fn == nullptr || fn(&free, &total) != 0) free = total = 0;
    if (lib != nullptr) dlclose(lib);
  }
  auto out = Napi::Object::New(info.Env());
  out.Set("bytes", bytes);
  out.Set("deviceUsed", static_cast<double>(total - free));
  out.Set("deviceTotal", static_cast<double>(total));
  return out;
}

}  // namespace

const at::Device& device() { return gDevice; }
void setDevice(const at::Device& d) { gDevice = d; }
at::TensorOptions floats() { return at::TensorOptions().dtype(at::kFloat).device(gDevice); }

Shape ints(const Napi::Value& value) {
  auto array = value.As<Napi::Array>();
  uint32_t n = array.Length();
  Shape out(n);
  for (uint32_t i = 0; i < n; ++i) out[i] = static_cast<int64_t>(array.Get(i).As<Napi::Number>().Int64Value());
  return out;
}

int64_t int64(const Napi::Value& value) { return value.As<Napi::Number>().Int64Value(); }
double number(const Napi::Value& value) { return value.As<Napi::Number>().DoubleValue(); }
bool boolean(const Napi::Value& value) { return value.ToBoolean().Value(); }

const at::Tensor& get(const Napi::Value& value) {
  int32_t id = value.As<Napi::Number>().Int32Value();
  if (id < 0 || static_cast<size_t>(id) >= slots.size() || !slots[id].defined()) {
    throw std::invalid_argument("tensor " + std::to_string(id) + " is not held by the native backend (disposed?)");
  }
  return slots[id];
}

Napi::Value put(Napi::Env env, at::Tensor t) {
  switch (t.scalar_type()) {
    case at::kFloat:
    case at::kInt:
    case at::kBool: break;
    case at::kDouble:
    case at::kHalf:
    case at::kBFloat16: t = t.to(at::kFloat); break;
    default: t = t.to(at::kInt); break;
  }
  if (static_cast<size_t>(t.dim()) + 2 > kOutInts) throw std::invalid_argument("tensors of rank above 60 are not supported");
  outBuffer[0] = dtypeCode(t.scalar_type());
  outBuffer[1] = static_cast<int32_t>(t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) outBuffer[2 + i] = static_cast<int32_t>(t.size(i));
  return Napi::Number::New(env, store(std::move(t)));
}

Napi::Value hold(Napi::Env env, at::Tensor t) { return Napi::Number::New(env, store(std::move(t))); }

Napi::Value putAll(Napi::Env env, const std::vector<at::Tensor>& ts) {
  auto ids = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); ++i) ids.Set(static_cast<uint32_t>(i), put(env, ts[i]));
  return ids;
}

at::Tensor activate(const at::Tensor& x, int activation, double alpha, const at::Tensor& prelu) {
  switch (activation) {
    case kLinear: return x;
    case kRelu: return at::relu(x);
    case kRelu6: return at::clamp(x, 0, 6);
    case kSigmoid: return at::sigmoid(x);
    case kLeakyRelu: return at::leaky_relu(x, alpha);
    case kElu: return at::elu(x);
    case kTanh: return at::tanh(x);
    case kPrelu: return at::where(x < 0, x * prelu, x);
    default: throw std::invalid_argument("unknown activation code " + std::to_string(activation));
  }
}

void registerStore(Napi::Env env, Napi::Object exports) {
  // Bigger than V8's on-heap typed array limit, so its memory never moves.
  auto out = Napi::Int32Array::New(env, kOutInts);
  outBuffer = out.Data();
  // An earlier load (the preloading worker thread) leaves its reference behind: never freed from here.
  outRef = new Napi::Reference<Napi::Int32Array>(Napi::Persistent(out));
  exports.Set("out", out);
  exports.Set("write", Napi::Function::New(env, Write));
  exports.Set("read", Napi::Function::New(env, Read));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("alias", Napi::Function::New(env, Alias));
  exports.Set("live", Napi::Function::New(env, Live));
  exports.Set("exclusive", Napi::Function::New(env, Exclusive));
  exports.Set("memory", Napi::Function::New(env, Memory));
}

}  // namespace gb
