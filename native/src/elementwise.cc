// Elementwise kernels: unary and binary math (with broadcasting), comparisons and logic, casts,
// select, AddN. Ops are chosen by index into tables whose names are exported (`unaryOps`,
// `binaryOps`), so JavaScript maps TensorFlow.js kernel names to them without string passing per call.
#include <ATen/Parallel.h>

#include "tensors.h"

namespace gb {
namespace {

using UnaryFn = at::Tensor (*)(const at::Tensor&, double, double);
struct Unary {
  const char* name;
  UnaryFn fn;
};

at::Tensor asFloat(const at::Tensor& x) { return x.is_floating_point() ? x : x.to(at::kFloat); }

// Step: 1 where x > 0, alpha elsewhere, NaN kept. It is half of every ReLU's gradient in training
// (dy * step(x)), on activation-sized tensors, so float32 on the CPU takes one pass rather than the
// five of the generic form.
at::Tensor step(const at::Tensor& x, double alpha, double) {
  if (x.is_cpu() && x.scalar_type() == at::kFloat) {
    auto in = x.contiguous();
    auto out = at::empty_like(in);
    const float* p = in.data_ptr<float>();
    float* q = out.data_ptr<float>();
    float a = static_cast<float>(alpha);
    at::parallel_for(0, in.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float v = p[i];
        q[i] = v > 0.f ? 1.f : (v != v ? v : a);
      }
    });
    return out;
  }
  auto f = asFloat(x);
  auto y = at::where(at::isnan(f), f, at::where(f > 0, at::ones_like(f), at::full_like(f, alpha)));
  // tfjs keeps the input's dtype, truncating alpha (int32, and bool through its Uint8Array).
  return x.is_floating_point() ? y : y.to(at::kInt).to(x.scalar_type());
}

// TensorFlow.js's semantics where they differ from ATen's are noted per op.
const Unary kUnary[] = {
    {"Abs", [](const at::Tensor& x, double, double) { return at::abs(x); }},
    {"Acos", [](const at::Tensor& x, double, double) { return at::acos(asFloat(x)); }},
    {"Acosh", [](const at::Tensor& x, double, double) { return at::acosh(asFloat(x)); }},
    {"Asin", [](const at::Tensor& x, double, double) { return at::asin(asFloat(x)); }},
    {"Asinh", [](const at::Tensor& x, double, double) { return at::asinh(asFloat(x)); }},
    {"Atan", [](const at::Tensor& x, double, double) { return at::atan(asFloat(x)); }},
    {"Atanh", [](const at::Tensor& x, double, double) { return at::atanh(asFloat(x)); }},
    {"Ceil", [](const at::Tensor& x, double, double) { return at::ceil(asFloat(x)); }},
    {"Cos", [](const at::Tensor& x, double, double) { return at::cos(asFloat(x)); }},
    {"Cosh", [](const at::Tensor& x, double, double) { return at::cosh(asFloat(x)); }},
    {"Elu", [](const at::Tensor& x, double, double) { return at::elu(asFloat(x)); }},
    {"Erf", [](const at::Tensor& x, double, double) { return at::erf(asFloat(x)); }},
    {"Exp", [](const at::Tensor& x, double, double) { return at::exp(asFloat(x)); }},
    {"Expm1", [](const at::Tensor& x, double, double) { return at::expm1(asFloat(x)); }},
    {"Floor", [](const at::Tensor& x, double, double) { return at::floor(asFloat(x)); }},
    {"IsNan", [](const at::Tensor& x, double, double) { return at::isnan(x); }},
    {"IsInf", [](const at::Tensor& x, double, double) { return at::isinf(x); }},
    {"IsFinite", [](const at::Tensor& x, double, double) { return at::isfinite(x); }},
    {"Log", [](const at::Tensor& x, double, double) { return at::log(asFloat(x)); }},
    {"Log1p", [](const at::Tensor& x, double, double) { return at::log1p(asFloat(x)); }},
    {"LogicalNot", [](const at::Tensor& x, double, double) { return at::logical_not(x); }},
    {"Neg", [](const at::Tensor& x, double, double) { return at::neg(x); }},
    {"Reciprocal", [](const at::Tensor& x, double, double) { return at::reciprocal(asFloat(x)); }},
    {"Relu", [](const at::Tensor& x, double, double) { return at::clamp_min(x, 0); }},
    {"Relu6", [](const at::Tensor& x, double, double) { return at::clamp(x, 0, 6); }},
    {"Round", [](const at::Tensor& x, double, double) { return at::round(asFloat(x)); }},  // half to even, as tfjs
    {"Rsqrt", [](const at::Tensor& x, double, double) { return at::rsqrt(asFloat(x)); }},
    {"Selu", [](const at::Tensor& x, double, double) { return at::selu(asFloat(x)); }},
    {"Sigmoid", [](const at::Tensor& x, double, double) { return at::sigmoid(asFloat(x)); }},
    {"Sign", [](const at::Tensor& x, double, double) { return at::sign(x); }},
    {"Sin", [](const at::Tensor& x, double, double) { return at::sin(asFloat(x)); }},
    {"Sinh", [](const at::Tensor& x, double, double) { return at::sinh(asFloat(x)); }},
    {"Softplus", [](const at::Tensor& x, double, double) { return at::softplus(asFloat(x)); }},
    {"Sqrt", [](const at::Tensor& x, double, double) { return at::sqrt(asFloat(x)); }},
    {"Square", [](const at::Tensor& x, double, double) { return at::mul(x, x); }},
    {"Tan", [](const at::Tensor& x, double, double) { return at::tan(asFloat(x)); }},
    {"Tanh", [](const at::Tensor& x, double, double) { return at::tanh(asFloat(x)); }},
    // Step: 1 where x > 0, alpha elsewhere, NaN kept.
    {"Step", step},
    {"LeakyRelu", [](const at::Tensor& x, double alpha, double) { return at::leaky_relu(asFloat(x), alpha); }},
    {"ClipByValue", [](const at::Tensor& x, double lo, double hi) { return at::clamp(x, lo, hi); }},
    {"ZerosLike", [](const at::Tensor& x, double, double) { return at::zeros_like(x); }},
    {"OnesLike", [](const at::Tensor& x, double, double) { return at::ones_like(x); }},
};

// ReluGrad(dy, x): tfjs's ReLU gradient, dy * step(x), in one pass for float32 on the CPU (the
// generic form writes step(x) out first). Not a tfjs kernel: kernel/backends/native/gradients.ts
// routes the Relu gradient here on the native backend.
at::Tensor reluGrad(const at::Tensor& dy, const at::Tensor& x) {
  if (dy.is_cpu() && dy.scalar_type() == at::kFloat && x.scalar_type() == at::kFloat && dy.sizes() == x.sizes()) {
    auto g = dy.contiguous();
    auto in = x.contiguous();
    auto out = at::empty_like(g);
    const float* pg = g.data_ptr<float>();
    const float* px = in.data_ptr<float>();
    float* q = out.data_ptr<float>();
    at::parallel_for(0, g.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        // Two selects, not a nested one, so that the compiler makes it branch-free vector code
        // (the nested form ran 25x slower on random signs).
        float v = px[i];
        float s = v > 0.f ? 1.f : 0.f;
        s = v != v ? v : s;
        q[i] = pg[i] * s;
      }
    });
    return out;
  }
  return at::mul(dy, step(x, 0, 0));
}

using BinaryFn = at::Tensor (*)(const at::Tensor&, const at::Tensor&);
struct Binary {
  const char* name;
  BinaryFn fn;
};

const Binary kBinary[] = {
    {"Add", [](const at::Tensor& a, const at::Tensor& b) { return at::add(a, b); }},
    {"Sub", [](const at::Tensor& a, const at::Tensor& b) { return at::sub(a, b); }},
    {"Multiply", [](const at::Tensor& a, const at::Tensor& b) { return at::mul(a, b); }},
    {"RealDiv", [](const at::Tensor& a, const at::Tensor& b) { return at::div(a, b); }},
    // tfjs: floor(a / b), always int32.
    {"FloorDiv", [](const at::Tensor& a, const at::Tensor& b) { return at::div(a, b, "floor").to(at::kInt); }},
    {"Maximum", [](const at::Tensor& a, const at::Tensor& b) { return at::maximum(a, b); }},
    {"Minimum", [](const at::Tensor& a, const at::Tensor& b) { return at::minimum(a, b); }},
    {"Pow", [](const at::Tensor& a, const at::Tensor& b) { return at::pow(a, b); }},
    {"SquaredDifference",
     [](const at::Tensor& a, const at::Tensor& b) {
       auto d = at::sub(a, b);
       return d.mul_(d);
     }},
    // tfjs: the remainder takes the divisor's sign, as Python's % (ATen's remainder).
    {"Mod", [](const at::Tensor& a, const at::Tensor& b) { return at::remainder(a, b); }},
    {"Atan2", [](const at::Tensor& a, const at::Tensor& b) { return at::atan2(asFloat(a), asFloat(b)); }},
    {"Equal", [](const at::Tensor& a, const at::Tensor& b) { return at::eq(a, b); }},
    {"NotEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::ne(a, b); }},
    {"Less", [](const at::Tensor& a, const at::Tensor& b) { return at::lt(a, b); }},
    {"LessEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::le(a, b); }},
    {"Greater", [](const at::Tensor& a, const at::Tensor& b) { return at::gt(a, b); }},
    {"GreaterEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::ge(a, b); }},
    {"LogicalAnd", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_and(a, b); }},
    {"LogicalOr", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_or(a, b); }},
    {"LogicalXor", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_xor(a, b); }},
    {"Prelu", [](const at::Tensor& x, const at::Tensor& alpha) { return at::where(x < 0, x * alpha, x); }},
    {"ReluGrad", reluGrad},
    // EluGrad(dy, y): dy where y >= 0, dy * (y + 1) elsewhere.
    {"EluGrad", [](const at::Tensor& dy, const at::Tensor& y) { return at::where(y >= 0, dy, dy * (y + 1)); }},
    {"DivNoNan",
     [](const at::Tensor& a, const at::Tensor& b) {
       auto q = at::div(a, b);
       return at::where(b == 0, at::zeros_like(q), q);
     }},
};

template <typename T, size_t N>
Napi::Array names(Napi::Env env, const T (&table)[N]) {
  auto out = Napi::Array::New(env, N);
  for (size_t i = 0; i < N; ++i) out.Set(static_cast<uint32_t>(i), table[i].name);
  return out;
}

// unary(op, x, a, b) -> id
Napi::Value UnaryOp(const Napi::CallbackInfo& info) {
  uint32_t op = info[0].As<Napi::Number>().Uint32Value();
  if (op >= sizeof(kUnary) / sizeof(kUnary[0])) throw Napi::RangeError::New(info.Env(), "unknown unary op");
  return guard(info, kUnary[op].name, [&]() -> Napi::Value {
    double a = info.Length() > 2 ? info[2].As<Napi::Number>().DoubleValue() : 0;
    double b = info.Length() > 3 ? info[3].As<Napi::Number>().DoubleValue() : 0;
    return put(info.Env(), kUnary[op].fn(get(info[1]), a, b));
  });
}

// binary(op, a, b) -> id
Napi::Value BinaryOp(const Napi::CallbackInfo& info) {
  uint32_t op = info[0].As<Napi::Number>().Uint32Value();
  if (op >= sizeof(kBinary) / sizeof(kBinary[0])) throw Napi::RangeError::New(info.Env(), "unknown binary op");
  return guard(info, kBinary[op].name, [&]() -> Napi::Value { return put(info.Env(), kBinary[op].fn(get(info[1]), get(info[2]))); });
}

at::ScalarType dtypeOf(int32_t code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kInt;
    case 2: return at::kBool;
    default: throw std::invalid_argument("unknown dtype code " + std::to_string(code));
  }
}

// cast(x, dtypeCode) -> id. float to int truncates toward zero, as tfjs's Int32Array.from does.
Napi::Value Cast(const Napi::CallbackInfo& info) {
  return guard(info, "Cast", [&]() -> Napi::Value {
    const auto& x = get(info[0]);
    auto to = dtypeOf(info[1].As<Napi::Number>().Int32Value());
    return put(info.Env(), x.scalar_type() == to ? x : x.to(to));
  });
}

// select(condition, t, e) -> id. A rank-1 condition picks whole rows of higher-rank t and e (tfjs).
Napi::Value Select(const Napi::CallbackInfo& info) {
  return guard(info, "Select", [&]() -> Napi::Value {
    auto c = get(info[0]);
    const auto& t = get(info[1]);
    const auto& e = get(info[2]);
    if (c.dim() == 1 && t.dim() > 1) {
      Shape s(t.dim(), 1);
      s[0] = c.size(0);
      c = c.view(s);
    }
    return put(info.Env(), at::where(c.to(at::kBool), t, e));
  });
}

// addN([ids]) -> id
Napi::Value AddN(const Napi::CallbackInfo& info) {
  return guard(info, "AddN", [&]() -> Napi::Value {
    auto ids = info[0].As<Napi::Array>();
    at::Tensor sum = get(ids.Get(0u)).clone();
    for (uint32_t i = 1; i < ids.Length(); ++i) sum.add_(get(ids.Get(i)));
    return put(info.Env(), sum);
  });
}

// fill(shape, value, dtypeCode) -> id
Napi::Value Fill(const Napi::CallbackInfo& info) {
  return guard(info, "Fill", [&]() -> Napi::Value {
    auto dtype = dtypeOf(info[2].As<Napi::Number>().Int32Value());
    return put(info.Env(), at::full(ints(info[0]), number(info[1]), at::TensorOptions().dtype(dtype).device(device())));
  });
}

// range(start, step, n, dtypeCode) -> id: start + step * i for i < n (n computed as tfjs does).
Napi::Value Range(const Napi::CallbackInfo& info) {
  return guard(info, "Range", [&]() -> Napi::Value {
    auto dtype = dtypeOf(info[3].As<Napi::Number>().Int32Value());
    auto i = at::arange(int64(info[2]), at::TensorOptions().dtype(at::kDouble).device(device()));
    return put(info.Env(), (i * number(info[1]) + number(info[0])).to(dtype));
  });
}

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unaryOps", names(env, kUnary));
  exports.Set("binaryOps", names(env, kBinary));
  exports.Set("unary", Napi::Function::New(env, UnaryOp));
  exports.Set("binary", Napi::Function::New(env, BinaryOp));
  exports.Set("cast", Napi::Function::New(env, Cast));
  exports.Set("select", Napi::Function::New(env, Select));
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("range", Napi::Function::New(env, Range));
}

}  // namespace gb
