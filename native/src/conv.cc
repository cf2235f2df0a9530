// Conv2D, its two gradients, and the fused (bias + activation) forward. TensorFlow.js keeps
// activations NHWC and filters HWIO; ATen's oneDNN path takes logical NCHW/OIHW, so activations are
// viewed with channels_last strides (no copy) and only the small filter is re-laid out.
#include "tensors.h"

namespace gb {
namespace {

struct Pads {
  int64_t top, bottom, left, right;
  bool symmetric() const { return top == bottom && left == right; }
};

Pads pads(const Napi::Value& v) {
  auto p = ints(v);
  return {p.at(0), p.at(1), p.at(2), p.at(3)};
}

// HWIO filter buffer -> OIHW tensor in channels_last memory (what oneDNN wants next to NHWC data).
at::Tensor filter(const Napi::Value& array, const Shape& hwio) {
  return wrap(array, hwio).permute({3, 2, 0, 1}).contiguous(at::MemoryFormat::ChannelsLast);
}

// ATen pads symmetrically only, so asymmetric ("same" with an even total) padding is applied
// explicitly and the convolution then runs unpadded.
at::Tensor padInput(const at::Tensor& x, const Pads& p) {
  if (p.symmetric()) return x;
  return at::constant_pad_nd(x, {p.left, p.right, p.top, p.bottom}, 0)
      .contiguous(at::MemoryFormat::ChannelsLast);
}

std::vector<int64_t> atenPadding(const Pads& p) {
  if (p.symmetric()) return {p.top, p.left};
  return {0, 0};
}

// conv2d(x, xShape, filter, filterShape, strides, pads, dilations, outShape, bias|null, activation, alpha, out)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  return guard(info, "Conv2D", [&]() -> Napi::Value {
    auto p = pads(info[5]);
    auto x = padInput(wrapNhwc(info[0], ints(info[1])), p);
    auto w = filter(info[2], ints(info[3]));
    c10::optional<at::Tensor> bias;
    if (!info[8].IsNull() && !info[8].IsUndefined()) bias = wrap(info[8], {w.size(0)});
    auto y = at::convolution(x, w, bias, ints(info[4]), atenPadding(p), ints(info[6]), false, {0, 0}, 1);
    auto out = outputNhwc(info[11], ints(info[7]));
    activate(out.tensor, y, info[9].As<Napi::Number>().Int32Value(), info[10].As<Napi::Number>().DoubleValue());
    return out.array;
  });
}

// conv2dBackpropInput(dy, dyShape, filter, filterShape, strides, pads, dilations, inputShape, out)
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  return guard(info, "Conv2DBackpropInput", [&]() -> Napi::Value {
    auto p = pads(info[5]);
    auto dy = wrapNhwc(info[0], ints(info[1]));
    auto w = filter(info[2], ints(info[3]));
    auto inShape = ints(info[7]);
    int64_t n = inShape[0], h = inShape[1], wd = inShape[2], c = inShape[3];
    int64_t hp = p.symmetric() ? h : h + p.top + p.bottom;
    int64_t wp = p.symmetric() ? wd : wd + p.left + p.right;
    // Only the input's shape matters for the input gradient; its values are never read.
    auto placeholder = at::empty({n, c, hp, wp}, at::TensorOptions().dtype(at::kFloat).memory_format(at::MemoryFormat::ChannelsLast));
    auto grads = at::convolution_backward(dy, placeholder, w, c10::nullopt, ints(info[4]), atenPadding(p), ints(info[6]), false,
                                          {0, 0}, 1, {true, false, false});
    auto dx = std::get<0>(grads);
    if (!p.symmetric()) dx = dx.slice(2, p.top, p.top + h).slice(3, p.left, p.left + wd);
    auto out = outputNhwc(info[8], inShape);
    out.tensor.copy_(dx);
    return out.array;
  });
}

// conv2dBackpropFilter(x, xShape, dy, dyShape, filterShape, strides, pads, dilations, out)
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  return guard(info, "Conv2DBackpropFilter", [&]() -> Napi::Value {
    auto p = pads(info[6]);
    auto x = padInput(wrapNhwc(info[0], ints(info[1])), p);
    auto dy = wrapNhwc(info[2], ints(info[3]));
    auto hwio = ints(info[4]);
    // Only the filter's shape matters for the filter gradient.
    auto placeholder = at::empty({hwio[3], hwio[2], hwio[0], hwio[1]},
                                 at::TensorOptions().dtype(at::kFloat).memory_format(at::MemoryFormat::ChannelsLast));
    auto grads = at::convolution_backward(dy, x, placeholder, c10::nullopt, ints(info[5]), atenPadding(p), ints(info[7]), false,
                                          {0, 0}, 1, {false, true, false});
    auto out = output(info[8], hwio);
    out.tensor.permute({3, 2, 0, 1}).copy_(std::get<1>(grads));
    return out.array;
  });
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
}

}  // namespace gb
