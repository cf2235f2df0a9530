// BatchMatMul and _FusedMatMul (bias + activation), with TensorFlow.js's broadcasting batch dims.
#include "tensors.h"

namespace gb {
namespace {

// batchMatMul(a, aShape, b, bShape, transposeA, transposeB, bias|null, biasShape, activation, alpha, outShape, out)
Napi::Value BatchMatMul(const Napi::CallbackInfo& info) {
  return guard(info, "BatchMatMul", [&]() -> Napi::Value {
    auto a = wrap(info[0], ints(info[1]));
    auto b = wrap(info[2], ints(info[3]));
    if (info[4].As<Napi::Boolean>().Value()) a = a.transpose(-1, -2);
    if (info[5].As<Napi::Boolean>().Value()) b = b.transpose(-1, -2);
    bool hasBias = !info[6].IsNull() && !info[6].IsUndefined();
    auto out = output(info[11], ints(info[10]));
    if (a.dim() == 2 && b.dim() == 2 && out.tensor.dim() == 2) {
      if (hasBias) {
        at::addmm_out(out.tensor, wrap(info[6], ints(info[7])), a, b);
      } else {
        at::mm_out(out.tensor, a, b);
      }
    } else {
      at::matmul_out(out.tensor, a, b);
      if (hasBias) out.tensor.add_(wrap(info[6], ints(info[7])));
    }
    activate(out.tensor, out.tensor, info[8].As<Napi::Number>().Int32Value(), info[9].As<Napi::Number>().DoubleValue());
    return out.array;
  });
}

}  // namespace

void registerMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul));
}

}  // namespace gb
