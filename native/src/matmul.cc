// BatchMatMul and _FusedMatMul (bias + activation), with TensorFlow.js's broadcasting batch dims.
#include "tensors.h"

namespace gb {
namespace {

// matMul(a, b, transposeA, transposeB, bias | -1, activation, alpha, preluWeights | -1) -> id
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guard(info, "BatchMatMul", [&]() -> Napi::Value {
    at::Tensor a = get(info[0]);
    at::Tensor b = get(info[1]);
    if (boolean(info[2])) a = a.transpose(-1, -2);
    if (boolean(info[3])) b = b.transpose(-1, -2);
    bool hasBias = int64(info[4]) >= 0;
    at::Tensor y;
    if (a.dim() == 2 && b.dim() == 2) {
      y = hasBias ? at::addmm(get(info[4]).expand({a.size(0), b.size(1)}), a, b) : at::mm(a, b);
    } else {
      y = at::matmul(a, b);
      if (hasBias) y.add_(get(info[4]));
    }
    int activation = info[5].As<Napi::Number>().Int32Value();
    if (activation == kLinear) return put(info.Env(), y);
    at::Tensor prelu = int64(info[7]) >= 0 ? get(info[7]) : at::Tensor();
    return put(info.Env(), activate(y, activation, number(info[6]), prelu));
  });
}

}  // namespace

void registerMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, MatMul));
}

}  // namespace gb
