// Fused optimizer updates. TensorFlow.js's adam costs ~13 tensor ops per variable per step, each with
// JavaScript bookkeeping that outweighs the arithmetic; here it is one pass over the buffers.
#include <ATen/Parallel.h>

#include <cmath>

#include "tensors.h"

namespace gb {
namespace {

float* floatData(const Napi::Value& v, size_t size) {
  auto array = v.As<Napi::Float32Array>();
  if (array.ElementLength() != size) throw Napi::RangeError::New(v.Env(), "adam: buffers differ in size");
  return array.Data();
}

// adam(value, m, v, grad, learningRate, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2,
//      outValue, outM, outV): the outputs may be the inputs (in-place update). Same arithmetic, in
//      float32, as tf.train.adam's applyGradients.
Napi::Value Adam(const Napi::CallbackInfo& info) {
  return guard(info, "adam", [&]() -> Napi::Value {
    size_t n = info[3].As<Napi::Float32Array>().ElementLength();
    const float* value = floatData(info[0], n);
    const float* m = floatData(info[1], n);
    const float* v = floatData(info[2], n);
    const float* grad = floatData(info[3], n);
    float lr = static_cast<float>(info[4].As<Napi::Number>().DoubleValue());
    float beta1 = static_cast<float>(info[5].As<Napi::Number>().DoubleValue());
    float beta2 = static_cast<float>(info[6].As<Napi::Number>().DoubleValue());
    float eps = static_cast<float>(info[7].As<Napi::Number>().DoubleValue());
    float c1 = static_cast<float>(info[8].As<Napi::Number>().DoubleValue());
    float c2 = static_cast<float>(info[9].As<Napi::Number>().DoubleValue());
    float* outValue = floatData(info[10], n);
    float* outM = floatData(info[11], n);
    float* outV = floatData(info[12], n);
    float oneMinusBeta1 = 1.f - beta1;
    float oneMinusBeta2 = 1.f - beta2;
    at::parallel_for(0, static_cast<int64_t>(n), 1 << 15, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float g = grad[i];
        float mi = m[i] * beta1 + g * oneMinusBeta1;
        float vi = v[i] * beta2 + (g * g) * oneMinusBeta2;
        float step = (mi / c1) / (std::sqrt(vi / c2) + eps);
        outM[i] = mi;
        outV[i] = vi;
        outValue[i] = step * -lr + value[i];
      }
    });
    return info.Env().Undefined();
  });
}

}  // namespace

void registerOptimizers(Napi::Env env, Napi::Object exports) {
  exports.Set("adam", Napi::Function::New(env, Adam));
}

}  // namespace gb
