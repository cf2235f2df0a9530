// Bridges between TensorFlow.js values (Float32Arrays owned by the cpu backend, shapes as JS arrays)
// and ATen tensors. Inputs are wrapped without copying; outputs are Float32Arrays the caller passes
// in (recycled by the backend), which ATen writes into: JavaScript owns every byte and nothing needs
// freeing here.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <vector>

namespace gb {

using Shape = std::vector<int64_t>;

// A JS array of integers (a shape, strides, pads...).
Shape ints(const Napi::Value& value);

// A zero-copy tensor over a Float32Array with the given shape.
at::Tensor wrap(const Napi::Value& array, const Shape& shape);

// A zero-copy NHWC buffer seen as a logical NCHW tensor with channels_last strides: the layout
// ATen's oneDNN convolutions and pooling prefer, so neither side transposes anything.
at::Tensor wrapNhwc(const Napi::Value& array, const Shape& nhwcShape);

// The caller's output Float32Array (exactly the size of shape), and a tensor that writes into it.
// Every kernel writes all of it: the buffer may hold a previous tensor's values.
struct Output {
  Napi::Float32Array array;
  at::Tensor tensor;
};
Output output(const Napi::Value& out, const Shape& shape);

// The NHWC output buffer seen as logical NCHW (see wrapNhwc).
Output outputNhwc(const Napi::Value& out, const Shape& nhwcShape);

// Activation codes shared with kernel/backends/native/ (keep in sync with activations.ts).
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kSigmoid = 3, kLeakyRelu = 4, kElu = 5 };

// Writes activation(src) into dst (which may alias src).
void activate(at::Tensor& dst, const at::Tensor& src, int activation, double alpha);

// Runs fn, turning ATen's exceptions into JavaScript errors that name the kernel.
template <typename Fn>
Napi::Value guard(const Napi::CallbackInfo& info, const char* kernel, Fn fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string message = std::string("native ") + kernel + ": " + e.what();
    // ATen appends a C++ backtrace after the first line; users need only the first.
    auto newline = message.find('\n');
    if (newline != std::string::npos) message.resize(newline);
    throw Napi::Error::New(info.Env(), message);
  }
}

void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerMatMul(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerOptimizers(Napi::Env env, Napi::Object exports);

}  // namespace gb
