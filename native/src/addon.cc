// Entry point of the Glassbox native backend addon: tensors held in libtorch (see tensors.h), the device
// choice, threads, and what the banner says about them.
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <malloc.h>
#include <torch/csrc/api/include/torch/version.h>

#include <unordered_set>

#include "tensors.h"

namespace gb {

Napi::Object Init(Napi::Env env, Napi::Object exports);

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
  blockWorkerSignals();
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value Config(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::show_config());
}

// The NVIDIA driver, asked directly (libcuda, loaded only if present): whether a GPU exists at all,
// independently of whether the linked libtorch can use it. Nothing here needs CUDA headers.
struct Gpu {
  bool driver = false;  // libcuda.so.1 loaded
  int initError = 0;    // cuInit's result
  int count = 0;
  int driverVersion = 0;
  std::string name;
  size_t totalBytes = 0;
};

void* cudaDriver() {
  static void* lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  return lib;
}

Gpu probeGpu() {
  Gpu gpu;
  void* lib = cudaDriver();
  if (lib == nullptr) return gpu;
  gpu.driver = true;
  using Init = int (*)(unsigned);
  using Count = int (*)(int*);
  using Get = int (*)(int*, int);
  using Name = int (*)(char*, int, int);
  using Total = int (*)(size_t*, int);
  using Version = int (*)(int*);
  auto init = reinterpret_cast<Init>(dlsym(lib, "cuInit"));
  auto count = reinterpret_cast<Count>(dlsym(lib, "cuDeviceGetCount"));
  auto getDevice = reinterpret_cast<Get>(dlsym(lib, "cuDeviceGet"));
  auto name = reinterpret_cast<Name>(dlsym(lib, "cuDeviceGetName"));
  auto total = reinterpret_cast<Total>(dlsym(lib, "cuDeviceTotalMem_v2"));
  auto version = reinterpret_cast<Version>(dlsym(lib, "cuDriverGetVersion"));
  if (init == nullptr || count == nullptr) return gpu;
  if (version != nullptr) version(&gpu.driverVersion);
  gpu.initError = init(0);
  if (gpu.initError != 0 || count(&gpu.count) != 0 || gpu.count == 0) return gpu;
  int dev = 0;
  if (getDevice != nullptr && getDevice(&dev, 0) == 0) {
    char buffer[256] = {0};
    if (name != nullptr && name(buffer, sizeof(buffer) - 1, dev) == 0) gpu.name = buffer;
    if (total != nullptr) total(&gpu.totalBytes, dev);
  }
  return gpu;
}

// selectDevice(wanted: "auto" | "cpu" | "cuda") -> { device, name, totalBytes, gpu, reason }: chooses
// where every tensor lives. `reason` says why a GPU that exists is not used ("" when none exists or
// it is used); with wanted "cuda" and no usable GPU it throws that reason.
Napi::Value SelectDevice(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  std::string wanted = info[0].As<Napi::String>().Utf8Value();
  if (wanted != "auto" && wanted != "cpu" && wanted != "cuda") {
    throw Napi::Error::New(env, "GLASSBOX_DEVICE must be cpu or cuda (or unset), not \"" + wanted + "\"");
  }
  Gpu gpu = probeGpu();
  bool torchCuda = at::hasCUDA();
  int torchGpus = torchCuda ? at::detail::getCUDAHooks().getNumGPUs() : 0;
  std::string reason;
  if (gpu.driver && gpu.initError != 0) {
    reason = "the NVIDIA driver is installed but cuInit failed (CUDA error " + std::to_string(gpu.initError) + "): is the GPU visible to this process?";
  } else if (gpu.count > 0 && !torchCuda) {
    reason = "the linked libtorch has no CUDA (Debian's libtorch-dev is CPU-only); rebuild with GLASSBOX_LIBTORCH pointing at a CUDA libtorch";
  } else if (gpu.count > 0 && torchGpus == 0) {
    reason = "libtorch has CUDA but sees no GPU (driver " + std::to_string(gpu.driverVersion / 1000) + "." +
             std::to_string(gpu.driverVersion % 1000 / 10) + " may be too old for its CUDA runtime)";
  } else if (wanted == "cuda" && gpu.count == 0) {
    reason = gpu.driver ? "no GPU is visible to the NVIDIA driver" : "no NVIDIA driver (libcuda.so.1) is installed";
  }
  bool useCuda = torchGpus > 0 && wanted != "cpu";
  if (wanted == "cuda" && !useCuda) throw Napi::Error::New(env, "GLASSBOX_DEVICE=cuda, but " + reason);
  if (torchGpus > 0 && wanted == "cpu") reason = "GLASSBOX_DEVICE=cpu";
  setDevice(useCuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU));
  if (useCuda) {
    // Touch the device now, so the first cell does not pay for creating the CUDA context.
    at::ones({1}, floats()).sum().item<float>();
    reason = "";
  }
  auto out = Napi::Object::New(env);
  out.Set("device", useCuda ? "cuda:0" : "cpu");
  out.Set("name", gpu.name);
  out.Set("totalBytes", Napi::Number::New(env, static_cast<double>(gpu.totalBytes)));
  out.Set("gpu", Napi::Boolean::New(env, gpu.count > 0));
  out.Set("reason", reason);
  return out;
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), TORCH_VERSION);
}

// Every kernel returns a fresh buffer. With glibc's defaults big ones are mmapped and unmapped each
// time, and first-touch page faults then cost more than the arithmetic (measured: a 1.4M-element
// ReLU took 2.4 ms, 0.4 ms with these settings). Keeping them on the heap lets freed buffers be
// reused, as PyTorch's allocator effectively does.
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
  exports.Set("selectDevice", Napi::Function::New(env, SelectDevice));
  exports.Set("version", Napi::Function::New(env, Version));
  registerStore(env, exports);
  registerElementwise(env, exports);
  registerReduce(env, exports);
  registerShape(env, exports);
  registerMatMul(env, exports);
  registerConv(env, exports);
  registerPool(env, exports);
  registerOptimizers(env, exports);
  registerRnn(env, exports);
  return exports;
}

}  // namespace gb

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return gb::Init(env, exports); }

NODE_API_MODULE(glassbox_native, InitAddon)
