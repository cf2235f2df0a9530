// Elementwise unary and binary ops (with broadcasting), reductions, softmax and transpose: the
// many small kernels that optimizers and losses are made of.
#include "tensors.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <functional>
#include <string>
#include <unordered_map>

namespace gb {
namespace {

std::string name(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }

// TensorFlow.js's Step: 1 where x > 0, alpha elsewhere, NaN kept. ATen has no such op.
void step(at::Tensor& out, const at::Tensor& x, float alpha) {
  auto src = x.contiguous();
  const float* in = src.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, src.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
    // Written as selects (v != v is NaN) so that the compiler vectorises the loop.
    for (int64_t i = begin; i < end; ++i) {
      float v = in[i];
      float s = v > 0.f ? 1.f : alpha;
      dst[i] = v != v ? v : s;
    }
  });
}

using Unary = std::function<void(at::Tensor&, const at::Tensor&, double)>;

const std::unordered_map<std::string, Unary>& unaryOps() {
  static const std::unordered_map<std::string, Unary> ops = {
      {"Relu", [](at::Tensor& o, const at::Tensor& x, double) { at::clamp_min_out(o, x, 0); }},
      {"Relu6", [](at::Tensor& o, const at::Tensor& x, double) { at::clamp_out(o, x, 0, 6); }},
      {"LeakyRelu", [](at::Tensor& o, const at::Tensor& x, double a) { at::leaky_relu_out(o, x, a); }},
      {"Elu", [](at::Tensor& o, const at::Tensor& x, double) { at::elu_out(o, x); }},
      {"Sigmoid", [](at::Tensor& o, const at::Tensor& x, double) { at::sigmoid_out(o, x); }},
      {"Tanh", [](at::Tensor& o, const at::Tensor& x, double) { at::tanh_out(o, x); }},
      {"Exp", [](at::Tensor& o, const at::Tensor& x, double) { at::exp_out(o, x); }},
      {"Log", [](at::Tensor& o, const at::Tensor& x, double) { at::log_out(o, x); }},
      {"Log1p", [](at::Tensor& o, const at::Tensor& x, double) { at::log1p_out(o, x); }},
      {"Sqrt", [](at::Tensor& o, const at::Tensor& x, double) { at::sqrt_out(o, x); }},
      {"Rsqrt", [](at::Tensor& o, const at::Tensor& x, double) { at::rsqrt_out(o, x); }},
      {"Square", [](at::Tensor& o, const at::Tensor& x, double) { at::mul_out(o, x, x); }},
      {"Neg", [](at::Tensor& o, const at::Tensor& x, double) { at::neg_out(o, x); }},
      {"Abs", [](at::Tensor& o, const at::Tensor& x, double) { at::abs_out(o, x); }},
      {"Reciprocal", [](at::Tensor& o, const at::Tensor& x, double) { at::reciprocal_out(o, x); }},
      {"Step", [](at::Tensor& o, const at::Tensor& x, double a) { step(o, x, static_cast<float>(a)); }},
  };
  return ops;
}

// unary(op, x, shape, alpha, out)
Napi::Value UnaryOp(const Napi::CallbackInfo& info) {
  auto op = name(info[0]);
  return guard(info, op.c_str(), [&]() -> Napi::Value {
    auto found = unaryOps().find(op);
    if (found == unaryOps().end()) throw std::invalid_argument("no native unary op " + op);
    auto shape = ints(info[2]);
    auto x = wrap(info[1], shape);
    auto out = output(info[4], shape);
    found->second(out.tensor, x, info[3].As<Napi::Number>().DoubleValue());
    return out.array;
  });
}

using Binary = std::function<void(at::Tensor&, const at::Tensor&, const at::Tensor&)>;

const std::unordered_map<std::string, Binary>& binaryOps() {
  static const std::unordered_map<std::string, Binary> ops = {
      {"Add", [](at::Tensor& o, const at::Tensor& a, const at::Tensor& b) { at::add_out(o, a, b); }},
      {"Sub", [](at::Tensor& o, const at::Tensor& a, const at::Tensor& b) { at::sub_out(o, a, b); }},
      {"Multiply", [](at::Tensor& o, const at::Tensor& a, const at::Tensor& b) { at::mul_out(o, a, b); }},
      {"RealDiv", [](at::Tensor& o, const at::Tensor& a, const at::Tensor& b) { at::div_out(o, a, b); }},
      {"Maximum", [](at::Tensor& o, const at::Tensor& a, const at::Tensor& b) { at::maximum_out(o, a, b); }},
      {"Minimum", [](at::Tensor& o, const at::Tensor& a, const at::Tensor& b) { at::minimum_out(o, a, b); }},
      {"SquaredDifference",
       [](at::Tensor& o, const at::Tensor& a, const at::Tensor& b) {
         at::sub_out(o, a, b);
         o.mul_(o);
       }},
  };
  return ops;
}

// binary(op, a, aShape, b, bShape, outShape, out)
Napi::Value BinaryOp(const Napi::CallbackInfo& info) {
  auto op = name(info[0]);
  return guard(info, op.c_str(), [&]() -> Napi::Value {
    auto found = binaryOps().find(op);
    if (found == binaryOps().end()) throw std::invalid_argument("no native binary op " + op);
    auto a = wrap(info[1], ints(info[2]));
    auto b = wrap(info[3], ints(info[4]));
    auto out = output(info[6], ints(info[5]));
    found->second(out.tensor, a, b);
    return out.array;
  });
}

// addN(arrays, shape, out)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  return guard(info, "AddN", [&]() -> Napi::Value {
    auto arrays = info[0].As<Napi::Array>();
    auto shape = ints(info[1]);
    auto out = output(info[2], shape);
    out.tensor.copy_(wrap(arrays.Get(0u), shape));
    for (uint32_t i = 1; i < arrays.Length(); ++i) out.tensor.add_(wrap(arrays.Get(i), shape));
    return out.array;
  });
}

// reduce(op, x, shape, axes, outShape, out): out is null for ArgMax/ArgMin. The reduced dims are dropped; the caller reshapes for keepDims.
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  auto op = name(info[0]);
  return guard(info, op.c_str(), [&]() -> Napi::Value {
    auto x = wrap(info[1], ints(info[2]));
    auto axes = ints(info[3]);
    auto outShape = ints(info[4]);
    if (op == "ArgMax" || op == "ArgMin") {
      // TensorFlow.js indices are int32; ATen's are int64.
      int64_t n = 1;
      for (auto d : outShape) n *= d;
      auto array = Napi::Int32Array::New(info.Env(), static_cast<size_t>(n));
      auto out = at::from_blob(array.Data(), outShape, at::TensorOptions().dtype(at::kInt));
      out.copy_(op == "ArgMax" ? at::argmax(x, axes.at(0), false) : at::argmin(x, axes.at(0), false));
      return array;
    }
    auto out = output(info[5], outShape);
    if (op == "Sum") {
      at::sum_out(out.tensor, x, axes, false);
    } else if (op == "Mean") {
      at::mean_out(out.tensor, x, axes, false);
    } else if (op == "Max") {
      at::amax_out(out.tensor, x, axes, false);
    } else if (op == "Min") {
      at::amin_out(out.tensor, x, axes, false);
    } else {
      throw std::invalid_argument("no native reduction " + op);
    }
    return out.array;
  });
}

// softmax(logits, shape, out): along the last axis, as TensorFlow.js's Softmax kernel is.
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guard(info, "Softmax", [&]() -> Napi::Value {
    auto shape = ints(info[1]);
    auto x = wrap(info[0], shape);
    auto out = output(info[2], shape);
    at::_softmax_out(out.tensor, x, -1, false);
    return out.array;
  });
}

// transpose(x, shape, perm, outShape, out)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return guard(info, "Transpose", [&]() -> Napi::Value {
    auto x = wrap(info[0], ints(info[1]));
    auto out = output(info[4], ints(info[3]));
    out.tensor.copy_(x.permute(ints(info[2])));
    return out.array;
  });
}

// gather(x, xShape, indices: Int32Array, axis, outShape, out): outShape has the indices flattened.
Napi::Value Gather(const Napi::CallbackInfo& info) {
  return guard(info, "GatherV2", [&]() -> Napi::Value {
    auto x = wrap(info[0], ints(info[1]));
    auto indexArray = info[2].As<Napi::Int32Array>();
    auto indices = at::from_blob(indexArray.Data(), {static_cast<int64_t>(indexArray.ElementLength())},
                                 at::TensorOptions().dtype(at::kInt)).to(at::kLong);
    auto out = output(info[5], ints(info[4]));
    at::index_select_out(out.tensor, x, info[3].As<Napi::Number>().Int64Value(), indices);
    return out.array;
  });
}

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, UnaryOp));
  exports.Set("binary", Napi::Function::New(env, BinaryOp));
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("gather", Napi::Function::New(env, Gather));
}

}  // namespace gb
