// Entry point of the Glassbox native backend addon: ATen kernels over TensorFlow.js's cpu buffers.
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <malloc.h>

#include "tensors.h"

namespace gb {

Napi::Object Init(Napi::Env env, Napi::Object exports);
void registerRnn(Napi::Env env, Napi::Object exports);  // rnn.cc

namespace {

// OpenBLAS (behind ATen's matmul here) keeps its own thread pool; keep it in step with ATen's so
// the two never oversubscribe the machine.
void setBlasThreads(int n) {
  using SetThreads = void (*)(int);
  // libtorch_cpu pulls OpenBLAS in as a local dependency of this addon, so look it up by name.
  void* blas = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
  void* symbol = dlsym(blas != nullptr ? blas : RTLD_DEFAULT, "openblas_set_num_threads");
  if (auto fn = reinterpret_cast<SetThreads>(symbol)) fn(n);
  if (blas != nullptr) dlclose(blas);
}

// setThreads(n): intra-op threads for ATen, oneDNN (OpenMP) and OpenBLAS.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) throw Napi::RangeError::New(info.Env(), "thread count must be at least 1");
  at::set_num_threads(n);
  setBlasThreads(n);
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value Config(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::show_config());
}

// Every kernel returns a fresh multi-megabyte buffer. With glibc's defaults such buffers are mmapped
// and unmapped each time, and first-touch page faults then cost more than the arithmetic (measured:
// a 1.4M-element ReLU took 2.4 ms, 0.4 ms with these settings). Keeping them on the heap lets
// freed buffers be reused, as PyTorch's allocator effectively does.
void keepLargeBuffersOnHeap() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  keepLargeBuffersOnHeap();
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("config", Napi::Function::New(env, Config));
  registerConv(env, exports);
  registerPool(env, exports);
  registerMatMul(env, exports);
  registerElementwise(env, exports);
  registerOptimizers(env, exports);
  registerRnn(env, exports);
  return exports;
}

}  // namespace gb

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return gb::Init(env, exports); }

NODE_API_MODULE(glassbox_native, InitAddon)
