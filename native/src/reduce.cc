// Reductions, scans, softmax and top-k.
#include "tensors.h"

#include <algorithm>

namespace gb {
namespace {

enum ReduceOp { kSum = 0, kProd, kMean, kMax, kMin, kAny, kAll, kArgMax, kArgMin };

// One axis at a time, highest first (prod, any and all take a single dim in libtorch 1.13).
template <typename Fn>
at::Tensor eachAxis(at::Tensor x, Shape axes, bool keep, Fn fn) {
  std::sort(axes.rbegin(), axes.rend());
  for (auto a : axes) x = fn(x, a, keep);
  return x;
}

// reduce(x, op, axes, keepDims) -> id. Empty axes leave x as it is (tfjs).
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  int op = info[1].As<Napi::Number>().Int32Value();
  return guard(info, "reduction", [&]() -> Napi::Value {
    const auto& x = get(info[0]);
    auto axes = ints(info[2]);
    bool keep = boolean(info[3]);
    if (axes.empty() && op != kArgMax && op != kArgMin) return put(info.Env(), x);
    switch (op) {
      case kSum: return put(info.Env(), at::sum(x, axes, keep));
      case kMean: return put(info.Env(), at::mean(x.is_floating_point() ? x : x.to(at::kFloat), axes, keep));
      case kMax: return put(info.Env(), at::amax(x, axes, keep));
      case kMin: return put(info.Env(), at::amin(x, axes, keep));
      case kProd:
        return put(info.Env(), eachAxis(x, axes, keep, [](const at::Tensor& t, int64_t a, bool k) { return at::prod(t, a, k); }));
      case kAny:
        return put(info.Env(), eachAxis(x.to(at::kBool), axes, keep, [](const at::Tensor& t, int64_t a, bool k) { return at::any(t, a, k); }));
      case kAll:
        return put(info.Env(), eachAxis(x.to(at::kBool), axes, keep, [](const at::Tensor& t, int64_t a, bool k) { return at::all(t, a, k); }));
      case kArgMax: return put(info.Env(), at::argmax(x, axes.at(0), false));
      case kArgMin: return put(info.Env(), at::argmin(x, axes.at(0), false));
      default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
    }
  });
}

// cumulative(x, axis, exclusive, reverse, product) -> id (tfjs's Cumsum and Cumprod).
Napi::Value Cumulative(const Napi::CallbackInfo& info) {
  return guard(info, "Cumsum", [&]() -> Napi::Value {
    auto x = get(info[0]);
    int64_t axis = int64(info[1]);
    bool exclusive = boolean(info[2]), reverse = boolean(info[3]), product = boolean(info[4]);
    if (reverse) x = x.flip({axis});
    auto y = product ? at::cumprod(x, axis) : at::cumsum(x, axis);
    if (y.scalar_type() != x.scalar_type()) y = y.to(x.scalar_type());
    if (exclusive && x.size(axis) > 0) {
      auto first = product ? at::ones_like(y.narrow(axis, 0, 1)) : at::zeros_like(y.narrow(axis, 0, 1));
      y = at::cat({first, y.narrow(axis, 0, x.size(axis) - 1)}, axis);
    }
    if (reverse) y = y.flip({axis});
    return put(info.Env(), y);
  });
}

// softmax(x, dim, log) -> id
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guard(info, "Softmax", [&]() -> Napi::Value {
    const auto& x = get(info[0]);
    int64_t dim = int64(info[1]);
    return put(info.Env(), boolean(info[2]) ? at::log_softmax(x, dim) : at::softmax(x, dim));
  });
}

// topk(x, k) -> [values, indices] along the last axis, sorted.
Napi::Value TopK(const Napi::CallbackInfo& info) {
  return guard(info, "TopK", [&]() -> Napi::Value {
    auto result = at::topk(get(info[0]), int64(info[1]), -1, true, true);
    return putAll(info.Env(), {std::get<0>(result), std::get<1>(result)});
  });
}

}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("cumulative", Napi::Function::New(env, Cumulative));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("topk", Napi::Function::New(env, TopK));
}

}  // namespace gb
