// Kernels that move data rather than compute: reshape, transpose, slices, concat/split, stack/unstack,
// tile, pad, gathers, one-hot, reverse, segment sums, scatter, einsum. Reshape, transpose and slices
// return views (no copy); tensors are immutable once made, so sharing memory is safe.
#include "tensors.h"

namespace gb {
namespace {

std::vector<at::Tensor> tensors(const Napi::Value& ids) {
  auto array = ids.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) out.push_back(get(array.Get(i)));
  return out;
}

// reshape(x, shape) -> id (a view when the layout allows).
Napi::Value Reshape(const Napi::CallbackInfo& info) {
  return guard(info, "Reshape", [&]() -> Napi::Value { return put(info.Env(), get(info[0]).reshape(ints(info[1]))); });
}

// transpose(x, perm) -> id (a view).
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return guard(info, "Transpose", [&]() -> Napi::Value { return put(info.Env(), get(info[0]).permute(ints(info[1]))); });
}

// slice(x, begin, size) -> id (a view); begin and size are resolved by tfjs's slice_util.
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return guard(info, "Slice", [&]() -> Napi::Value {
    at::Tensor x = get(info[0]);
    auto begin = ints(info[1]);
    auto size = ints(info[2]);
    for (size_t d = 0; d < begin.size(); ++d) {
      if (begin[d] != 0 || size[d] != x.size(d)) x = x.narrow(static_cast<int64_t>(d), begin[d], size[d]);
    }
    return put(info.Env(), x);
  });
}

// stridedSlice(x, begin, end, strides, finalShape) -> id: positive strides (a view), then reshaped.
Napi::Value StridedSlice(const Napi::CallbackInfo& info) {
  return guard(info, "StridedSlice", [&]() -> Napi::Value {
    at::Tensor x = get(info[0]);
    auto begin = ints(info[1]);
    auto end = ints(info[2]);
    auto strides = ints(info[3]);
    for (size_t d = 0; d < begin.size(); ++d) {
      int64_t e = std::max(begin[d], std::min(end[d], x.size(d)));
      x = x.slice(static_cast<int64_t>(d), begin[d], e, strides[d]);
    }
    return put(info.Env(), x.reshape(ints(info[4])));
  });
}

// concat([ids], axis) -> id
Napi::Value Concat(const Napi::CallbackInfo& info) {
  return guard(info, "Concat", [&]() -> Napi::Value { return put(info.Env(), at::cat(tensors(info[0]), int64(info[1]))); });
}

// split(x, sizes, axis) -> [ids] (views)
Napi::Value Split(const Napi::CallbackInfo& info) {
  return guard(info, "SplitV", [&]() -> Napi::Value {
    return putAll(info.Env(), at::split_with_sizes(get(info[0]), ints(info[1]), int64(info[2])));
  });
}

// stack([ids], axis) -> id (tfjs's Pack)
Napi::Value Stack(const Napi::CallbackInfo& info) {
  return guard(info, "Pack", [&]() -> Napi::Value { return put(info.Env(), at::stack(tensors(info[0]), int64(info[1]))); });
}

// unstack(x, axis) -> [ids] (views; tfjs's Unpack)
Napi::Value Unstack(const Napi::CallbackInfo& info) {
  return guard(info, "Unpack", [&]() -> Napi::Value { return putAll(info.Env(), at::unbind(get(info[0]), int64(info[1]))); });
}

// tile(x, reps) -> id
Napi::Value Tile(const Napi::CallbackInfo& info) {
  return guard(info, "Tile", [&]() -> Napi::Value { return put(info.Env(), get(info[0]).repeat(ints(info[1]))); });
}

// pad(x, [before0, after0, before1, after1, ...], value) -> id
Napi::Value Pad(const Napi::CallbackInfo& info) {
  return guard(info, "PadV2", [&]() -> Napi::Value {
    auto p = ints(info[1]);
    // constant_pad_nd lists the last dimension first.
    Shape pads;
    for (size_t d = p.size() / 2; d-- > 0;) {
      pads.push_back(p[2 * d]);
      pads.push_back(p[2 * d + 1]);
    }
    return put(info.Env(), at::constant_pad_nd(get(info[0]), pads, number(info[2])));
  });
}

// gather(x, indices, axis, batchDims) -> id: out shape x[:axis] + indices[batchDims:] + x[axis+1:].
Napi::Value Gather(const Napi::CallbackInfo& info) {
  return guard(info, "GatherV2", [&]() -> Napi::Value {
    const auto& x = get(info[0]);
    const auto& indices = get(info[1]);
    int64_t axis = int64(info[2]);
    int64_t batchDims = int64(info[3]);
    auto idx = indices.to(at::kLong);
    if (batchDims == 0) {
      Shape shape(x.sizes().begin(), x.sizes().begin() + axis);
      shape.insert(shape.end(), indices.sizes().begin(), indices.sizes().end());
      shape.insert(shape.end(), x.sizes().begin() + axis + 1, x.sizes().end());
      return put(info.Env(), at::index_select(x, axis, idx.reshape({-1})).reshape(shape));
    }
    // Batched: x [b..., n, rest], indices [b..., k]: gather along axis within each batch element.
    Shape shape(x.sizes().begin(), x.sizes().begin() + axis);
    shape.insert(shape.end(), indices.sizes().begin() + batchDims, indices.sizes().end());
    shape.insert(shape.end(), x.sizes().begin() + axis + 1, x.sizes().end());
    int64_t batch = 1;
    for (int64_t d = 0; d < batchDims; ++d) batch *= x.size(d);
    int64_t outer = 1;
    for (int64_t d = batchDims; d < axis; ++d) outer *= x.size(d);
    auto xs = x.reshape({batch, outer, x.size(axis), -1});
    auto is = idx.reshape({batch, 1, -1, 1}).expand({batch, outer, -1, xs.size(3)});
    return put(info.Env(), at::gather(xs, 2, is).reshape(shape));
  });
}

// The flat row of each index tuple in indices [..., k] over the first k dims of shape; also the row
// count (the product of those dims).
std::pair<at::Tensor, int64_t> linearIndex(const at::Tensor& indices, at::IntArrayRef shape) {
  auto idx = indices.to(at::kLong);
  int64_t k = idx.size(-1);
  Shape strides(k);
  int64_t stride = 1;
  for (int64_t d = k; d-- > 0;) {
    strides[d] = stride;
    stride *= shape[d];
  }
  auto linear = (idx * at::tensor(strides, at::TensorOptions().dtype(at::kLong)).to(idx.device())).sum(-1).reshape({-1});
  return {linear, stride};
}

// gatherNd(params, indices) -> id: indices [..., k] address the first k dims of params.
Napi::Value GatherNd(const Napi::CallbackInfo& info) {
  return guard(info, "GatherNd", [&]() -> Napi::Value {
    const auto& params = get(info[0]);
    const auto& indices = get(info[1]);
    int64_t k = indices.size(-1);
    Shape shape(indices.sizes().begin(), indices.sizes().end() - 1);
    shape.insert(shape.end(), params.sizes().begin() + k, params.sizes().end());
    auto [linear, rows] = linearIndex(indices, params.sizes());
    auto flat = params.reshape({rows, -1});
    return put(info.Env(), at::index_select(flat, 0, linear).reshape(shape));
  });
}

// oneHot(indices, depth, on, off, dtypeCode) -> id: out-of-range indices give an all-off row (tfjs).
Napi::Value OneHot(const Napi::CallbackInfo& info) {
  return guard(info, "OneHot", [&]() -> Napi::Value {
    const auto& indices = get(info[0]);
    int64_t depth = int64(info[1]);
    int code = info[4].As<Napi::Number>().Int32Value();
    auto dtype = code == 0 ? at::kFloat : code == 1 ? at::kInt : at::kBool;
    auto hot = indices.to(at::kLong).unsqueeze(-1) == at::arange(depth, at::TensorOptions().dtype(at::kLong).device(indices.device()));
    auto opts = at::TensorOptions().dtype(dtype).device(indices.device());
    return put(info.Env(), at::where(hot, at::scalar_tensor(number(info[2]), opts), at::scalar_tensor(number(info[3]), opts)));
  });
}

// reverse(x, dims) -> id
Napi::Value Reverse(const Napi::CallbackInfo& info) {
  return guard(info, "Reverse", [&]() -> Napi::Value { return put(info.Env(), get(info[0]).flip(ints(info[1]))); });
}

// unsortedSegmentSum(x, segmentIds, numSegments) -> id: segmentIds index x's first dims.
Napi::Value UnsortedSegmentSum(const Napi::CallbackInfo& info) {
  return guard(info, "UnsortedSegmentSum", [&]() -> Napi::Value {
    const auto& x = get(info[0]);
    const auto& ids = get(info[1]);
    int64_t n = int64(info[2]);
    auto flatIds = ids.reshape({-1}).to(at::kLong);
    auto rows = x.reshape({flatIds.size(0), -1});
    // Ids outside [0, n) are dropped, as TensorFlow does.
    auto keep = (flatIds >= 0).logical_and(flatIds < n);
    auto out = at::zeros({n, rows.size(1)}, x.options());
    out.index_add_(0, flatIds.masked_select(keep), rows.index_select(0, keep.nonzero().reshape({-1})));
    Shape shape{n};
    shape.insert(shape.end(), x.sizes().begin() + ids.dim(), x.sizes().end());
    return put(info.Env(), out.reshape(shape));
  });
}

// scatterNd(indices, updates, shape) -> id: zeros of shape with updates added at indices (duplicates sum).
Napi::Value ScatterNd(const Napi::CallbackInfo& info) {
  return guard(info, "ScatterNd", [&]() -> Napi::Value {
    const auto& indices = get(info[0]);
    const auto& updates = get(info[1]);
    auto shape = ints(info[2]);
    auto [linear, rows] = linearIndex(indices, shape);
    auto out = at::zeros(shape, updates.options());
    out.view({rows, -1}).index_add_(0, linear, updates.reshape({linear.size(0), -1}));
    return put(info.Env(), out);
  });
}

// einsum(equation, [ids]) -> id
Napi::Value Einsum(const Napi::CallbackInfo& info) {
  return guard(info, "Einsum", [&]() -> Napi::Value {
    return put(info.Env(), at::einsum(info[0].As<Napi::String>().Utf8Value(), tensors(info[1])));
  });
}

// mirrorPad(x, [before0, after0, ...], symmetric) -> id: reflected (edge not repeated) or symmetric
// (edge repeated) padding, one index_select per padded dim.
Napi::Value MirrorPad(const Napi::CallbackInfo& info) {
  return guard(info, "MirrorPad", [&]() -> Napi::Value {
    at::Tensor x = get(info[0]);
    auto p = ints(info[1]);
    int64_t offset = boolean(info[2]) ? 0 : 1;
    for (int64_t d = 0; d < x.dim(); ++d) {
      int64_t before = p[2 * d], after = p[2 * d + 1], n = x.size(d);
      if (before == 0 && after == 0) continue;
      Shape idx;
      for (int64_t i = before; i > 0; --i) idx.push_back(i - 1 + offset);
      for (int64_t i = 0; i < n; ++i) idx.push_back(i);
      for (int64_t i = 0; i < after; ++i) idx.push_back(n - 1 - i - offset);
      x = x.index_select(d, at::tensor(idx, at::TensorOptions().dtype(at::kLong)).to(x.device()));
    }
    return put(info.Env(), x);
  });
}

}  // namespace

void registerShape(Napi::Env env, Napi::Object exports) {
  exports.Set("reshape", Napi::Function::New(env, Reshape));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("stridedSlice", Napi::Function::New(env, StridedSlice));
  exports.Set("concat", Napi::Function::New(env, Concat));
  exports.Set("split", Napi::Function::New(env, Split));
  exports.Set("stack", Napi::Function::New(env, Stack));
  exports.Set("unstack", Napi::Function::New(env, Unstack));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("pad", Napi::Function::New(env, Pad));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("gatherNd", Napi::Function::New(env, GatherNd));
  exports.Set("oneHot", Napi::Function::New(env, OneHot));
  exports.Set("reverse", Napi::Function::New(env, Reverse));
  exports.Set("unsortedSegmentSum", Napi::Function::New(env, UnsortedSegmentSum));
  exports.Set("scatterNd", Napi::Function::New(env, ScatterNd));
  exports.Set("einsum", Napi::Function::New(env, Einsum));
  exports.Set("mirrorPad", Napi::Function::New(env, MirrorPad));
}

}  // namespace gb
