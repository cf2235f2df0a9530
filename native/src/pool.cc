// MaxPool, AvgPool and their gradients on NHWC tensors viewed as channels_last NCHW; also batch norm
// and image resizing (the other NHWC image kernels).
#include "tensors.h"

#include <limits>

namespace gb {
namespace {

at::Tensor nchw(const at::Tensor& nhwc) { return nhwc.permute({0, 3, 1, 2}).contiguous(at::MemoryFormat::ChannelsLast); }
at::Tensor nhwc(const at::Tensor& nchw) { return nchw.permute({0, 2, 3, 1}); }

struct Window {
  Shape kernel, strides;
  int64_t top, bottom, left, right;
  // ATen pads symmetrically and at most half a window; anything else is padded explicitly.
  bool atenCanPad() const {
    return top == bottom && left == right && top <= kernel[0] / 2 && left <= kernel[1] / 2;
  }
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

// maxPool(x, kernel, strides, pads, keepArgmax) -> id, or [id, argmaxId] with keepArgmax (training:
// the gradient then need not redo the pool).
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  return guard(info, "MaxPool", [&]() -> Napi::Value {
    auto win = window(info[1], info[2], info[3]);
    auto x = win.pad(nchw(get(info[0])), kNegInf);
    if (!boolean(info[4])) return put(info.Env(), nhwc(at::max_pool2d(x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false)));
    auto result = at::max_pool2d_with_indices(x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false);
    auto ids = Napi::Array::New(info.Env(), 2);
    ids.Set(1u, hold(info.Env(), std::get<1>(result)));
    ids.Set(0u, put(info.Env(), nhwc(std::get<0>(result))));
    return ids;
  });
}

// maxPoolGrad(dy, x, kernel, strides, pads, argmaxId | -1) -> id: without the forward's argmax it is
// recomputed from x.
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  return guard(info, "MaxPoolGrad", [&]() -> Napi::Value {
    auto win = window(info[2], info[3], info[4]);
    auto dy = nchw(get(info[0]));
    const auto& input = get(info[1]);
    auto x = win.pad(nchw(input), kNegInf);
    auto indices = int64(info[5]) >= 0 ? get(info[5])
                                        : std::get<1>(at::max_pool2d_with_indices(x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false));
    auto dx = at::max_pool2d_with_indices_backward(dy, x, win.kernel, win.strides, win.atenPadding(), {1, 1}, false, indices);
    return put(info.Env(), nhwc(win.unpad(dx, input.size(1), input.size(2))));
  });
}

// How many real (unpadded) inputs each window covers: TensorFlow.js averages over those only.
at::Tensor windowCounts(const Window& win, int64_t h, int64_t w) {
  auto ones = at::ones({1, 1, h, w}, floats());
  return at::avg_pool2d(at::constant_pad_nd(ones, {win.left, win.right, win.top, win.bottom}, 0), win.kernel, win.strides, {0, 0},
                        false, true, 1);
}

// avgPool(x, kernel, strides, pads) -> id
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  return guard(info, "AvgPool", [&]() -> Napi::Value {
    auto win = window(info[1], info[2], info[3]);
    const auto& input = get(info[0]);
    auto x = nchw(input);
    if (win.atenCanPad()) return put(info.Env(), nhwc(at::avg_pool2d(x, win.kernel, win.strides, win.atenPadding(), false, false, c10::nullopt)));
    auto sums = at::avg_pool2d(win.pad(x, 0), win.kernel, win.strides, {0, 0}, false, true, 1);
    return put(info.Env(), nhwc(sums / windowCounts(win, input.size(1), input.size(2))));
  });
}

// avgPoolGrad(dy, inputShape, kernel, strides, pads) -> id. TensorFlow.js's gradient divides by the
// whole window, padding included (unlike its forward pass); matched here so that training follows
// training on the cpu backend.
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  return guard(info, "AvgPoolGrad", [&]() -> Napi::Value {
    auto win = window(info[2], info[3], info[4]);
    auto dy = nchw(get(info[0]));
    auto xShape = ints(info[1]);
    int64_t windowSize = win.kernel[0] * win.kernel[1];
    // The input's values are never read, only its (padded) shape.
    int64_t hp = xShape[1] + (win.atenCanPad() ? 0 : win.top + win.bottom);
    int64_t wp = xShape[2] + (win.atenCanPad() ? 0 : win.left + win.right);
    auto x = at::empty({xShape[0], xShape[3], hp, wp}, floats().memory_format(at::MemoryFormat::ChannelsLast));
    auto dx = at::avg_pool2d_backward(dy, x, win.kernel, win.strides, win.atenPadding(), false, true, windowSize);
    return put(info.Env(), nhwc(win.unpad(dx, xShape[1], xShape[2])));
  });
}

// batchNorm(x, mean, variance, offset | -1, scale | -1, epsilon) -> id (tfjs's FusedBatchNorm).
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return guard(info, "FusedBatchNorm", [&]() -> Napi::Value {
    const auto& x = get(info[0]);
    auto inv = at::rsqrt(get(info[2]) + number(info[5]));
    if (int64(info[4]) >= 0) inv = inv * get(info[4]);
    auto y = (x - get(info[1])) * inv;
    if (int64(info[3]) >= 0) y.add_(get(info[3]));
    return put(info.Env(), y);
  });
}

// resize(images, height, width, alignCorners, bilinear) -> id. JavaScript sends only the modes
// where ATen's arithmetic is TensorFlow.js's (bilinear: half-pixel centers or aligned corners;
// nearest: neither).
Napi::Value Resize(const Napi::CallbackInfo& info) {
  return guard(info, "Resize", [&]() -> Napi::Value {
    auto x = nchw(get(info[0]));
    Shape size{int64(info[1]), int64(info[2])};
    at::Tensor y = boolean(info[4]) ? at::upsample_bilinear2d(x, size, boolean(info[3]), c10::nullopt, c10::nullopt)
                                    : at::upsample_nearest2d(x, size, c10::nullopt, c10::nullopt);
    return put(info.Env(), nhwc(y));
  });
}

// resizeGrad(dy, imageShape, alignCorners, bilinear) -> id
Napi::Value ResizeGrad(const Napi::CallbackInfo& info) {
  return guard(info, "ResizeGrad", [&]() -> Napi::Value {
    // Contiguous NCHW: libtorch 1.13's upsample backward kernels mishandle channels_last gradients.
    auto dy = get(info[0]).permute({0, 3, 1, 2}).contiguous();
    auto s = ints(info[1]);
    Shape outSize{dy.size(2), dy.size(3)};
    Shape inSize{s[0], s[3], s[1], s[2]};
    at::Tensor dx = boolean(info[3]) ? at::upsample_bilinear2d_backward(dy, outSize, inSize, boolean(info[2]), c10::nullopt, c10::nullopt)
                                     : at::upsample_nearest2d_backward(dy, outSize, inSize, c10::nullopt, c10::nullopt);
    return put(info.Env(), nhwc(dx));
  });
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("resize", Napi::Function::New(env, Resize));
  exports.Set("resizeGrad", Napi::Function::New(env, ResizeGrad));
}

}  // namespace gb
