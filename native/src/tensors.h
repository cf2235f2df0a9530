// The native backend's storage: every TensorFlow.js tensor on the "native" backend is an at::Tensor held
// here in a slot, named to JavaScript by its slot id (a small integer), as tfjs-node holds TensorFlow
// handles. Kernels take slot ids and return the id of a new slot; the new tensor's dtype and shape are
// left in a shared Int32Array (`exports.out`) so that no JavaScript array is built per call.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <string>
#include <vector>

namespace gb {

using Shape = std::vector<int64_t>;

// The device every tensor lives on (chosen once at load, see addon.cc).
const at::Device& device();
void setDevice(const at::Device& d);
at::TensorOptions floats();

// A JS array of integers (a shape, axes, pads...).
Shape ints(const Napi::Value& value);
int64_t int64(const Napi::Value& value);
double number(const Napi::Value& value);
bool boolean(const Napi::Value& value);

// The tensor in the slot named by a JS number.
const at::Tensor& get(const Napi::Value& id);
// Stores a kernel's result (int64 becomes int32, float64 float32: TensorFlow.js knows no others),
// writes its dtype and shape to the shared out buffer and returns its slot id.
Napi::Value put(Napi::Env env, at::Tensor t);
// Stores a tensor that only native code reads (kept as it is, out buffer untouched), e.g. pooling argmaxes.
Napi::Value hold(Napi::Env env, at::Tensor t);
// Stores several results (multi-output kernels); JavaScript knows their shapes.
Napi::Value putAll(Napi::Env env, const std::vector<at::Tensor>& ts);

// Activation codes shared with kernel/backends/native/context.ts.
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kSigmoid = 3, kLeakyRelu = 4, kElu = 5, kPrelu = 6, kTanh = 7 };
at::Tensor activate(const at::Tensor& x, int activation, double alpha, const at::Tensor& preluWeights);

// Runs fn, turning ATen's exceptions into JavaScript errors that name the kernel.
template <typename Fn>
Napi::Value guard(const Napi::CallbackInfo& info, const char* kernel, Fn fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string message = std::string("native ") + kernel + ": " + e.what();
    // ATen appends a C++ backtrace after the first line; users need only the first.
    auto newline = message.find('\n');
    if (newline != std::string::npos) message.resize(newline);
    throw Napi::Error::New(info.Env(), message);
  }
}

// Keeps asynchronous signals off ATen's intra-op worker threads (see matmul.cc); after every thread
// count change.
void blockWorkerSignals();

void registerStore(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerReduce(Napi::Env env, Napi::Object exports);
void registerShape(Napi::Env env, Napi::Object exports);
void registerMatMul(Napi::Env env, Napi::Object exports);
void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerOptimizers(Napi::Env env, Napi::Object exports);
void registerRnn(Napi::Env env, Napi::Object exports);

}  // namespace gb
