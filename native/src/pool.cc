// MaxPool, AvgPool and their gradients on NHWC buffers viewed as channels_last NCHW.
#include "tensors.h"

#include <limits>

namespace gb {
namespace {

struct Window {
  Shape kernel, strides;
  int64_t top, bottom, left, right;
  // ATen pads symmetrically and at most half a window; anything else is padded explicitly.
  bool atenCanPad() const {
    return top == bottom && left == right && top <= kernel[0] / 2 && left <= kernel[1] / 2;
  }
  bool unpadded() const { return top == 0 && bottom == 0 && left == 0 && right == 0; }
  Shape atenPadding() const { return atenCanPad() ? Shape{top, left} : Shape{0, 0}; }
  at::Tensor pad(const at::Tensor& x, double value) const {
    if (atenCanPad()) return x;
    return at::constant_pad_nd(x, {left, right, top, bottom}, value).contiguous(at::MemoryFormat::ChannelsLast);
  }
  at::Tensor unpad(const at::Tensor& g, int64_t h, int64_t w) const {
    if (atenCanPad()) return g;
    return g.slice(2, top, top + h).slice(3, left, left + w);
  }
};

Window window(const Napi::Value& kernel, const Napi::Value& strides, const Napi::Value& pads) {
  auto p = ints(pads);
  return {ints(kernel), ints(strides), p.at(0), p.at(1), p.at(2), p.at(3)};
}

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// The argmax positions of a max pool, in a BigInt64Array owned by JavaScript, shaped like the output.
at::Tensor wrapIndicesNhwc(const Napi::Value& value, const Shape& s) {
  auto array = value.As<Napi::BigInt64Array>();
  if (static_cast<int64_t>(array.ElementLength()) != s[0] * s[1] * s[2] * s[3]) {
    throw Napi::RangeError::New(value.Env(), "max pool indices do not match the output shape");
  }
  return at::from_blob(array.Data(), s, at::TensorOptions().dtype(at::kLong)).permute({0, 3, 1, 2});
}

// maxPool(x, xShape, kernel, strides, pads, outShape, indices: BigInt64Array | null, out). When indices is
// given (training), the argmax is kept there for MaxPoolGrad instead of being recomputed.
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  return guard(info, "MaxPool", [&]() -> Napi::Value {
    auto win = window(info[2], info[3], info[4]);
    auto x = win.pad(wrapNhwc(info[0], ints(info[1])), kNegInf);
    auto outShape = ints(info[5]);
    auto out = outputNhwc(info[7], outShape);
    if (info[6].IsTypedArray()) {
      auto indices = wrapIndicesNhwc(info[6], outShape);
      at::max_pool2d_with_indices_out(out.tensor, indices, x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false);
    } else {
      out.tensor.copy_(std::get<0>(at::max_pool2d_with_indices(x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false)));
    }
    return out.array;
  });
}

// maxPoolGrad(dy, dyShape, x, xShape, kernel, strides, pads, indices: BigInt64Array | null, out)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  return guard(info, "MaxPoolGrad", [&]() -> Napi::Value {
    auto win = window(info[4], info[5], info[6]);
    auto dyShape = ints(info[1]);
    auto dy = wrapNhwc(info[0], dyShape);
    auto xShape = ints(info[3]);
    auto x = win.pad(wrapNhwc(info[2], xShape), kNegInf);
    // Without the forward kernel's argmax (not recorded), it is recomputed from x.
    auto indices = info[7].IsTypedArray()
                       ? wrapIndicesNhwc(info[7], dyShape)
                       : std::get<1>(at::max_pool2d_with_indices(x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false));
    auto out = outputNhwc(info[8], xShape);
    if (win.atenCanPad()) {
      // Straight into the output buffer: no temporary, no copy.
      at::max_pool2d_with_indices_backward_out(out.tensor, dy, x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false, indices);
    } else {
      auto dx = at::max_pool2d_with_indices_backward(dy, x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false, indices);
      out.tensor.copy_(win.unpad(dx, xShape[1], xShape[2]));
    }
    return out.array;
  });
}

// How many real (unpadded) inputs each window covers: TensorFlow.js averages over those only.
at::Tensor windowCounts(const Window& win, int64_t h, int64_t w) {
  auto ones = at::ones({1, 1, h, w}, at::kFloat);
  return at::avg_pool2d(at::constant_pad_nd(ones, {win.left, win.right, win.top, win.bottom}, 0), win.kernel, win.strides,
                        {0, 0}, false, true, 1);
}

// avgPool(x, xShape, kernel, strides, pads, outShape, out)
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  return guard(info, "AvgPool", [&]() -> Napi::Value {
    auto win = window(info[2], info[3], info[4]);
    auto xShape = ints(info[1]);
    auto x = wrapNhwc(info[0], xShape);
    auto out = outputNhwc(info[6], ints(info[5]));
    if (win.atenCanPad()) {
      out.tensor.copy_(at::avg_pool2d(x, win.kernel, win.strides, win.atenPadding(), false, false, c10::nullopt));
    } else {
      auto sums = at::avg_pool2d(win.pad(x, 0), win.kernel, win.strides, {0, 0}, false, true, 1);
      at::div_out(out.tensor, sums, windowCounts(win, xShape[1], xShape[2]));
    }
    return out.array;
  });
}

// avgPoolGrad(dy, dyShape, xShape, kernel, strides, pads, out). TensorFlow.js's gradient divides by the
// whole window, padding included (unlike its forward pass); it is matched here so that training on
// this backend follows training on the cpu backend.
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  return guard(info, "AvgPoolGrad", [&]() -> Napi::Value {
    auto win = window(info[3], info[4], info[5]);
    auto dy = wrapNhwc(info[0], ints(info[1]));
    auto xShape = ints(info[2]);
    auto opts = at::TensorOptions().dtype(at::kFloat).memory_format(at::MemoryFormat::ChannelsLast);
    int64_t windowSize = win.kernel[0] * win.kernel[1];
    auto out = outputNhwc(info[6], xShape);
    // The input's values are never read, only its (padded) shape.
    int64_t hp = xShape[1] + (win.atenCanPad() ? 0 : win.top + win.bottom);
    int64_t wp = xShape[2] + (win.atenCanPad() ? 0 : win.left + win.right);
    auto x = at::empty({xShape[0], xShape[3], hp, wp}, opts);
    auto dx = at::avg_pool2d_backward(dy, x, win.kernel, win.strides, win.atenPadding(), false, true, windowSize);
    out.tensor.copy_(win.unpad(dx, xShape[1], xShape[2]));
    return out.array;
  });
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
}

}  // namespace gb
