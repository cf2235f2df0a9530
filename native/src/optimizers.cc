// Fused optimizer updates. TensorFlow.js's adam costs ~13 tensor ops per variable per step, each with
// JavaScript bookkeeping that outweighs the arithmetic; here it is one pass (on the CPU) or a few
// in-place ATen ops (elsewhere).
#include <ATen/Parallel.h>

#include <cmath>

#include "tensors.h"

namespace gb {
namespace {

struct AdamArgs {
  const float *value, *m, *v, *grad;
  float *outValue, *outM, *outV;
  float lr, beta1, beta2, eps, c1, c2;
};

// The same float32 arithmetic as tf.train.adam's applyGradients over [begin, end), written into the
// outputs. Outputs are the inputs when updating in place, which defeats the compiler's overlap check
// and left this loop scalar (0.9 ms per digits-CNN step); element i only ever reads and writes index
// i, so ivdep is safe. An AVX2 clone is picked at load where the CPU has it (no FMA: same rounding).
__attribute__((target_clones("avx2", "default"))) void adamRange(const AdamArgs& a, int64_t begin, int64_t end) {
  // Locals, so that the stores below cannot be taken to change them.
  const float *pv = a.value, *pm = a.m, *ps = a.v, *pg = a.grad;
  float *ov = a.outValue, *om = a.outM, *os = a.outV;
  const float lr = a.lr, beta1 = a.beta1, beta2 = a.beta2, eps = a.eps, c1 = a.c1, c2 = a.c2;
  const float oneMinusBeta1 = 1.f - beta1;
  const float oneMinusBeta2 = 1.f - beta2;
#pragma GCC ivdep
  for (int64_t i = begin; i < end; ++i) {
    float g = pg[i];
    float mi = pm[i] * beta1 + g * oneMinusBeta1;
    float vi = ps[i] * beta2 + (g * g) * oneMinusBeta2;
    float step = (mi / c1) / (std::sqrt(vi / c2) + eps);
    om[i] = mi;
    os[i] = vi;
    ov[i] = step * -lr + pv[i];
  }
}

void adamLoop(const at::Tensor& value, const at::Tensor& m, const at::Tensor& v, const at::Tensor& grad, float lr, float beta1,
              float beta2, float eps, float c1, float c2, at::Tensor& outValue, at::Tensor& outM, at::Tensor& outV) {
  AdamArgs args{value.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(), grad.data_ptr<float>(),
                outValue.data_ptr<float>(), outM.data_ptr<float>(), outV.data_ptr<float>(), lr, beta1, beta2, eps, c1, c2};
  at::parallel_for(0, grad.numel(), 1 << 15, [&](int64_t begin, int64_t end) { adamRange(args, begin, end); });
}

bool exclusive(const at::Tensor& t) {
  return t.use_count() == 1 && t.storage().use_count() == 1 && t.is_contiguous() && t.storage_offset() == 0;
}

// adam(value, m, v, grad, lr, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2, mayUpdate[3])
//   -> [id | -1] x 3: -1 where the tensor was updated in place (allowed by mayUpdate and when nothing
//   else sees its memory), else the id of the new value.
Napi::Value Adam(const Napi::CallbackInfo& info) {
  return guard(info, "adam", [&]() -> Napi::Value {
    const at::Tensor& value = get(info[0]);
    const at::Tensor& m = get(info[1]);
    const at::Tensor& v = get(info[2]);
    at::Tensor grad = get(info[3]).contiguous();
    auto may = info[10].As<Napi::Array>();
    const at::Tensor* inputs[3] = {&value, &m, &v};
    at::Tensor outs[3];
    bool inPlace[3];
    for (uint32_t k = 0; k < 3; ++k) {
      const at::Tensor& t = *inputs[k];
      if (t.sizes() != grad.sizes() || t.scalar_type() != at::kFloat) throw std::invalid_argument("adam: variable, moments and gradient differ");
      inPlace[k] = may.Get(k).ToBoolean().Value() && exclusive(t);
      outs[k] = inPlace[k] ? t : at::empty_like(t, at::MemoryFormat::Contiguous);
    }
    float lr = static_cast<float>(number(info[4])), beta1 = static_cast<float>(number(info[5]));
    float beta2 = static_cast<float>(number(info[6])), eps = static_cast<float>(number(info[7]));
    float c1 = static_cast<float>(number(info[8])), c2 = static_cast<float>(number(info[9]));
    if (grad.is_cpu() && grad.scalar_type() == at::kFloat) {
      adamLoop(value.contiguous(), m.contiguous(), v.contiguous(), grad, lr, beta1, beta2, eps, c1, c2, outs[0], outs[1], outs[2]);
    } else {
      auto newM = m * beta1 + grad * (1.f - beta1);
      auto newV = v * beta2 + grad * grad * (1.f - beta2);
      auto newValue = value - (newM / c1) / ((newV / c2).sqrt() + eps) * lr;
      outs[0].copy_(newValue);
      outs[1].copy_(newM);
      outs[2].copy_(newV);
    }
    auto result = Napi::Array::New(info.Env(), 3);
    for (uint32_t k = 0; k < 3; ++k) result.Set(k, inPlace[k] ? Napi::Number::New(info.Env(), -1) : put(info.Env(), outs[k]));
    return result;
  });
}

}  // namespace

void registerOptimizers(Napi::Env env, Napi::Object exports) {
  exports.Set("adam", Napi::Function::New(env, Adam));
}

}  // namespace gb
