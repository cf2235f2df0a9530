// Conv2D and depthwise Conv2D, their gradients, and the fused (bias + activation) forward.
// TensorFlow.js keeps activations NHWC and filters HWIO (depthwise: HWIM); ATen takes logical
// NCHW/OIHW, so an NHWC tensor is viewed as NCHW with channels_last strides (no copy), and ATen's
// channels_last results are viewed back as NHWC. Only the small filter is re-laid out.
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

at::Tensor nchw(const at::Tensor& nhwc) { return nhwc.permute({0, 3, 1, 2}); }
at::Tensor nhwc(const at::Tensor& nchw) { return nchw.permute({0, 2, 3, 1}); }

// HWIO (or, depthwise, HWIM) filter -> OIHW weight (depthwise: (I*M) x 1 x H x W), channels_last.
at::Tensor weight(const at::Tensor& f, bool depthwise) {
  if (depthwise) {
    return f.permute({2, 3, 0, 1}).reshape({f.size(2) * f.size(3), 1, f.size(0), f.size(1)}).contiguous(at::MemoryFormat::ChannelsLast);
  }
  return f.permute({3, 2, 0, 1}).contiguous(at::MemoryFormat::ChannelsLast);
}

// The weight gradient back in the filter's layout.
at::Tensor filterLayout(const at::Tensor& w, const Shape& filterShape, bool depthwise) {
  if (depthwise) return w.reshape({filterShape[2], filterShape[3], filterShape[0], filterShape[1]}).permute({2, 3, 0, 1});
  return w.permute({2, 3, 1, 0});
}

// ATen pads symmetrically only, so asymmetric ("same" with an even total) padding is applied
// explicitly and the convolution then runs unpadded.
at::Tensor padInput(const at::Tensor& x, const Pads& p) {
  if (p.symmetric()) return x;
  return at::constant_pad_nd(x, {p.left, p.right, p.top, p.bottom}, 0).contiguous(at::MemoryFormat::ChannelsLast);
}

Shape atenPadding(const Pads& p) { return p.symmetric() ? Shape{p.top, p.left} : Shape{0, 0}; }

at::Tensor channelsLast(const at::Tensor& x) { return x.contiguous(at::MemoryFormat::ChannelsLast); }

// conv2d(x, filter, strides, pads, dilations, depthwise, bias | -1, activation, alpha, preluWeights | -1) -> id
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  return guard(info, "Conv2D", [&]() -> Napi::Value {
    auto p = pads(info[3]);
    bool depthwise = boolean(info[5]);
    auto x = padInput(channelsLast(nchw(get(info[0]))), p);
    auto w = weight(get(info[1]), depthwise);
    c10::optional<at::Tensor> bias;
    if (int64(info[6]) >= 0) bias = get(info[6]);
    int64_t groups = depthwise ? x.size(1) : 1;
    auto y = at::convolution(x, w, bias, ints(info[2]), atenPadding(p), ints(info[4]), false, {0, 0}, groups);
    int activation = info[7].As<Napi::Number>().Int32Value();
    if (activation != kLinear) {
      at::Tensor prelu = int64(info[9]) >= 0 ? nchw(get(info[9]).expand({y.size(0), y.size(2), y.size(3), y.size(1)})) : at::Tensor();
      y = activate(y, activation, number(info[8]), prelu);
    }
    return put(info.Env(), nhwc(y));
  });
}

// conv2dBackpropInput(dy, filter, inputShape, strides, pads, dilations, depthwise) -> id
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  return guard(info, "Conv2DBackpropInput", [&]() -> Napi::Value {
    auto p = pads(info[4]);
    bool depthwise = boolean(info[6]);
    auto dy = channelsLast(nchw(get(info[0])));
    auto w = weight(get(info[1]), depthwise);
    auto inShape = ints(info[2]);
    int64_t n = inShape[0], h = inShape[1], wd = inShape[2], c = inShape[3];
    int64_t hp = p.symmetric() ? h : h + p.top + p.bottom;
    int64_t wp = p.symmetric() ? wd : wd + p.left + p.right;
    // Only the input's shape matters for the input gradient; its values are never read.
    auto placeholder = at::empty({n, c, hp, wp}, floats().memory_format(at::MemoryFormat::ChannelsLast));
    auto grads = at::convolution_backward(dy, placeholder, w, c10::nullopt, ints(info[3]), atenPadding(p), ints(info[5]), false,
                                          {0, 0}, depthwise ? c : 1, {true, false, false});
    auto dx = std::get<0>(grads);
    if (!p.symmetric()) dx = dx.slice(2, p.top, p.top + h).slice(3, p.left, p.left + wd);
    return put(info.Env(), nhwc(dx));
  });
}

// conv2dBackpropFilter(x, dy, filterShape, strides, pads, dilations, depthwise) -> id
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  return guard(info, "Conv2DBackpropFilter", [&]() -> Napi::Value {
    auto p = pads(info[4]);
    bool depthwise = boolean(info[6]);
    auto x = padInput(channelsLast(nchw(get(info[0]))), p);
    auto dy = channelsLast(nchw(get(info[1])));
    auto fs = ints(info[2]);
    // Only the filter's shape matters for the filter gradient.
    Shape wShape = depthwise ? Shape{fs[2] * fs[3], 1, fs[0], fs[1]} : Shape{fs[3], fs[2], fs[0], fs[1]};
    auto placeholder = at::empty(wShape, floats().memory_format(at::MemoryFormat::ChannelsLast));
    auto grads = at::convolution_backward(dy, x, placeholder, c10::nullopt, ints(info[3]), atenPadding(p), ints(info[5]), false,
                                          {0, 0}, depthwise ? x.size(1) : 1, {false, true, false});
    return put(info.Env(), filterLayout(std::get<1>(grads), fs, depthwise));
  });
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
}

}  // namespace gb
