#include "tensors.h"

namespace gb {

Shape ints(const Napi::Value& value) {
  auto array = value.As<Napi::Array>();
  Shape out(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    out[i] = static_cast<int64_t>(array.Get(i).As<Napi::Number>().Int64Value());
  }
  return out;
}

static int64_t numel(const Shape& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

at::Tensor wrap(const Napi::Value& value, const Shape& shape) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(value.Env(), "expected a Float32Array");
  }
  auto array = value.As<Napi::Float32Array>();
  if (static_cast<int64_t>(array.ElementLength()) < numel(shape)) {
    throw Napi::RangeError::New(value.Env(), "tensor data is smaller than its shape");
  }
  return at::from_blob(array.Data(), shape, at::TensorOptions().dtype(at::kFloat));
}

at::Tensor wrapNhwc(const Napi::Value& value, const Shape& s) {
  return wrap(value, s).permute({0, 3, 1, 2});
}

Output output(const Napi::Value& out, const Shape& shape) {
  auto tensor = wrap(out, shape);
  if (static_cast<int64_t>(out.As<Napi::Float32Array>().ElementLength()) != numel(shape)) {
    throw Napi::RangeError::New(out.Env(), "output buffer size does not match the output shape");
  }
  return {out.As<Napi::Float32Array>(), tensor};
}

Output outputNhwc(const Napi::Value& value, const Shape& s) {
  auto out = output(value, s);
  out.tensor = out.tensor.permute({0, 3, 1, 2});
  return out;
}

void activate(at::Tensor& dst, const at::Tensor& src, int activation, double alpha) {
  switch (activation) {
    case kLinear:
      if (!dst.is_same(src)) dst.copy_(src);
      break;
    case kRelu:
      at::clamp_min_out(dst, src, 0);
      break;
    case kRelu6:
      at::clamp_out(dst, src, 0, 6);
      break;
    case kSigmoid:
      at::sigmoid_out(dst, src);
      break;
    case kLeakyRelu:
      at::leaky_relu_out(dst, src, alpha);
      break;
    case kElu:
      at::elu_out(dst, src);
      break;
    default:
      throw std::invalid_argument("unknown activation code " + std::to_string(activation));
  }
}

}  // namespace gb
