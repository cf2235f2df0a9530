// BatchMatMul and _FusedMatMul (bias + activation), with TensorFlow.js's broadcasting batch dims.
// On the CPU, float products of 2-D matrices (or batches of one) go to oneDNN's sgemm when the loaded
// libraries have it: ATen's own CPU matmul calls whatever libblas.so.3 the system provides, and on
// Debian (libtorch-dev) that is often netlib's reference BLAS, 10-20x slower than oneDNN's JIT
// kernels (which libtorch_cpu already loads for its convolutions). Elsewhere, for real batches, and
// with GLASSBOX_NATIVE_GEMM=aten, ATen's matmul runs.
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <string>

#include "tensors.h"

namespace gb {
namespace {

// oneDNN's C API (dnnl.h is not always installed; the signature is stable since oneDNN 1.0).
// Row-major: C = alpha * op(A) * op(B) + beta * C.
using Sgemm = int (*)(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                      const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

Sgemm findSgemm() {
  // GLASSBOX_NATIVE_GEMM=aten keeps ATen's matmul (to compare like with like, or to avoid oneDNN).
  const char* wanted = std::getenv("GLASSBOX_NATIVE_GEMM");
  if (wanted != nullptr && std::string(wanted) == "aten") return nullptr;
  // Debian's libtorch links libdnnl as a shared library; a self-contained libtorch hides its copy.
  for (const char* name : {"libdnnl.so.2", "libdnnl.so.3", "libdnnl.so"}) {
    void* lib = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
    if (lib == nullptr) continue;
    if (auto fn = reinterpret_cast<Sgemm>(dlsym(lib, "dnnl_sgemm"))) return fn;  // the handle stays open: fn lives in it
    dlclose(lib);
  }
  return nullptr;
}

Sgemm sgemm() {
  static Sgemm fn = findSgemm();
  return fn;
}

// oneDNN 2.6's sgemm (Debian's libdnnl2) corrupts the heap when a signal is delivered to a thread
// inside it: V8's profiler (SIGPROF), a Jupyter interrupt (SIGINT). Signals stay blocked around the
// call in the calling thread and always in ATen's other intra-op threads (blockWorkerSignals);
// a blocked signal is delivered as soon as the call returns.
class SignalsHeld {
 public:
  SignalsHeld() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved_);
  }
  ~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

 private:
  sigset_t saved_;
};

// How sgemm reads a 2-D operand: 'N' for row-major rows of ld floats, 'T' for column-major.
struct Operand {
  at::Tensor t;
  char trans;
  int64_t ld;
};

Operand operand(const at::Tensor& x) {
  int64_t rows = x.size(0), cols = x.size(1);
  if (x.stride(1) == 1 && x.stride(0) >= std::max<int64_t>(cols, 1)) return {x, 'N', x.stride(0)};
  if (x.stride(0) == 1 && x.stride(1) >= std::max<int64_t>(rows, 1)) return {x, 'T', x.stride(1)};
  auto c = x.contiguous();
  return {c, 'N', std::max<int64_t>(cols, 1)};
}

// a [m, k] times b [k, n] (views of any strides), plus bias broadcast along rows when defined;
// undefined when oneDNN cannot do it here.
at::Tensor dnnlMatMul(const at::Tensor& a, const at::Tensor& b, const at::Tensor& bias) {
  Sgemm fn = sgemm();
  if (fn == nullptr || !a.is_cpu() || a.scalar_type() != at::kFloat || b.scalar_type() != at::kFloat) return at::Tensor();
  int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  // Mismatched shapes are left to ATen, which says what is wrong.
  if (m == 0 || n == 0 || k == 0 || b.size(0) != k) return at::Tensor();
  if (bias.defined() && (bias.scalar_type() != at::kFloat || !bias.is_cpu())) return at::Tensor();
  auto A = operand(a);
  auto B = operand(b);
  // sgemm accumulates into c, so the bias is copied in (never written through: a full [m, n] bias
  // would otherwise be its own contiguous() and be overwritten).
  auto c = at::empty({m, n}, a.options());
  if (bias.defined()) c.copy_(bias.expand({m, n}));
  SignalsHeld held;
  int status = fn(A.trans, B.trans, m, n, k, 1.f, A.t.data_ptr<float>(), A.ld, B.t.data_ptr<float>(), B.ld, bias.defined() ? 1.f : 0.f,
                  c.data_ptr<float>(), n);
  return status == 0 ? c : at::Tensor();
}

// A 2-D product, or a 3-D one with a batch of one (tfjs's fused matMul always sends 3-D operands),
// on oneDNN; undefined where it cannot run there. The bias broadcasts to [m, n] (or [1, m, n]).
at::Tensor oneDnnProduct(const at::Tensor& a, const at::Tensor& b, const at::Tensor& bias) {
  if (a.dim() == 2 && b.dim() == 2) return dnnlMatMul(a, b, bias);
  bool single = a.dim() == 3 && b.dim() == 3 && a.size(0) == 1 && b.size(0) == 1;
  if (!single || (bias.defined() && bias.dim() == 3 && bias.size(0) != 1) || (bias.defined() && bias.dim() > 3)) return at::Tensor();
  auto y = dnnlMatMul(a[0], b[0], bias.defined() && bias.dim() == 3 ? bias[0] : bias);
  return y.defined() ? y.unsqueeze(0) : y;
}

// matMul(a, b, transposeA, transposeB, bias | -1, activation, alpha, preluWeights | -1) -> id
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guard(info, "BatchMatMul", [&]() -> Napi::Value {
    at::Tensor a = get(info[0]);
    at::Tensor b = get(info[1]);
    if (boolean(info[2])) a = a.transpose(-1, -2);
    if (boolean(info[3])) b = b.transpose(-1, -2);
    bool hasBias = int64(info[4]) >= 0;
    at::Tensor bias = hasBias ? get(info[4]) : at::Tensor();
    at::Tensor y = oneDnnProduct(a, b, bias);
    if (!y.defined() && a.dim() == 2 && b.dim() == 2) {
      y = hasBias ? at::addmm(bias.expand({a.size(0), b.size(1)}), a, b) : at::mm(a, b);
    } else if (!y.defined()) {
      y = at::matmul(a, b);
      if (hasBias) y.add_(bias);
    }
    int activation = info[5].As<Napi::Number>().Int32Value();
    if (activation == kLinear) return put(info.Env(), y);
    at::Tensor prelu = int64(info[7]) >= 0 ? get(info[7]) : at::Tensor();
    return put(info.Env(), activate(y, activation, number(info[6]), prelu));
  });
}

// gemmLibrary() -> "oneDNN" | "ATen": what runs 2-D float products on the CPU (the banner, benches).
Napi::Value GemmLibrary(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), sgemm() != nullptr ? "oneDNN" : "ATen");
}

}  // namespace

void blockWorkerSignals() {
  if (sgemm() == nullptr) return;
  pthread_t caller = pthread_self();
  // One index per intra-op thread, so that each runs this once (the calling thread excepted:
  // JavaScript's signals are delivered there).
  at::parallel_for(0, at::get_num_threads(), 1, [&](int64_t, int64_t) {
    if (pthread_equal(pthread_self(), caller)) return;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
  });
}

void registerMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("gemmLibrary", Napi::Function::New(env, GemmLibrary));
}

}  // namespace gb
