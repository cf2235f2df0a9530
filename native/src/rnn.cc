// Fused recurrent layers: a whole LSTM / GRU / SimpleRNN sequence in one call, with TensorFlow.js
// layers' semantics (tfjs-layers' LSTMCell, GRUCell (reset_after = false), SimpleRNNCell and rnn()):
// Keras gate order, any of the supported activations (tfjs defaults to hardSigmoid gates, which
// at::lstm cannot do), maskZero masking that carries the previous output and states through masked
// steps, goBackwards (outputs stay in processing order, as in tfjs). The input projection of every
// step is one matmul; each step then costs one matmul and a few pointwise ops.
//
// Gradients: when asked to record, the sequence runs on tensors that require grad, and the returned
// tape (an External) keeps libtorch's autograd graph until rnnBackward runs backward through time
// (torch::autograd::grad) or rnnRelease / the garbage collector drops it.
//
// Inputs and results are tensors held in the addon's slots (tensors.h): nothing is copied to or from
// JavaScript memory. Results are stored detached, so later kernels on them record no autograd.
#include <torch/csrc/autograd/autograd.h>

#include <memory>
#include <string>

#include "tensors.h"

namespace gb {
namespace {

enum class Cell { kLstm, kGru, kSimple };

Cell cellOf(const std::string& name) {
  if (name == "lstm") return Cell::kLstm;
  if (name == "gru") return Cell::kGru;
  if (name == "simple") return Cell::kSimple;
  throw std::invalid_argument("unknown recurrent cell '" + name + "' (expected lstm, gru or simple)");
}

enum class Act { kTanh, kSigmoid, kHardSigmoid, kRelu, kLinear };

Act activationOf(const std::string& name) {
  if (name == "tanh") return Act::kTanh;
  if (name == "sigmoid") return Act::kSigmoid;
  if (name == "hardSigmoid") return Act::kHardSigmoid;
  if (name == "relu") return Act::kRelu;
  if (name == "linear") return Act::kLinear;
  throw std::invalid_argument("unsupported recurrent activation '" + name + "'");
}

at::Tensor apply(Act act, const at::Tensor& x) {
  switch (act) {
    case Act::kTanh: return at::tanh(x);
    case Act::kSigmoid: return at::sigmoid(x);
    // tfjs-layers' hardSigmoid: clip(0.2 x + 0.5, 0, 1) (not ATen's x/6 + 0.5); clamp's gradient
    // passes inside the closed interval, as tfjs's clipByValue gradient does.
    case Act::kHardSigmoid: return at::clamp(x * 0.2 + 0.5, 0.0, 1.0);
    case Act::kRelu: return at::relu(x);
    case Act::kLinear: return x;
  }
  return x;
}

bool present(const Napi::Value& v) { return !v.IsNull() && !v.IsUndefined(); }

// ---- the recurrence ----

struct Sequence {
  at::Tensor output;               // [B, T, U] (returnSequences) or [B, U]
  std::vector<at::Tensor> states;  // [B, U] each
};

struct Weights {
  at::Tensor kernel;           // [D, G*U]
  at::Tensor recurrentKernel;  // [U, G*U]
  at::Tensor bias;             // [G*U] or undefined
};

// x: [B, T, D]; mask: [B, T] of 0/1 or undefined.
Sequence run(Cell cell, Act act, Act gate, const at::Tensor& x, const Weights& weights, std::vector<at::Tensor> states,
             at::Tensor mask, bool goBackwards, bool returnSequences) {
  const int64_t B = x.size(0), T = x.size(1), D = x.size(2);
  const int64_t U = weights.recurrentKernel.size(0);
  at::Tensor input = goBackwards ? x.flip({1}) : x;
  Weights w = weights;
  if (cell == Cell::kLstm) {
    // Keras orders the LSTM gates i, f, c, o; as i, f, o, c the three gate activations are one op
    // per step. The reordering is part of the graph, so gradients come back in Keras's order.
    auto reorder = [U](const at::Tensor& t) {
      int64_t d = t.dim() - 1;
      return at::cat({t.narrow(d, 0, 2 * U), t.narrow(d, 3 * U, U), t.narrow(d, 2 * U, U)}, d);
    };
    w.kernel = reorder(w.kernel);
    w.recurrentKernel = reorder(w.recurrentKernel);
    if (w.bias.defined()) w.bias = reorder(w.bias);
  }
  if (mask.defined()) mask = (goBackwards ? mask.flip({1}) : mask).ne(0).unsqueeze(-1);  // [B, T, 1] bool
  // Every step's input projection (and the input bias) in one matmul.
  at::Tensor projected = input.reshape({B * T, D});
  projected = w.bias.defined() ? at::addmm(w.bias, projected, w.kernel) : at::mm(projected, w.kernel);
  projected = projected.view({B, T, -1});
  at::Tensor gateKernel, candidateKernel;  // GRU: z and r columns, then h columns
  if (cell == Cell::kGru) {
    gateKernel = w.recurrentKernel.narrow(1, 0, 2 * U);
    candidateKernel = w.recurrentKernel.narrow(1, 2 * U, U);
  }
  std::vector<at::Tensor> outputs;
  if (returnSequences) outputs.reserve(T);
  for (int64_t t = 0; t < T; ++t) {
    at::Tensor xt = projected.select(1, t);
    const at::Tensor& h = states[0];
    std::vector<at::Tensor> next;
    if (cell == Cell::kLstm) {
      auto z = at::addmm(xt, h, w.recurrentKernel);
      auto ifo = apply(gate, z.narrow(1, 0, 3 * U)).chunk(3, 1);
      auto c = ifo[1] * states[1] + ifo[0] * apply(act, z.narrow(1, 3 * U, U));
      next = {ifo[2] * apply(act, c), c};
    } else if (cell == Cell::kGru) {
      auto xs = xt.chunk(3, 1);
      auto inner = at::mm(h, gateKernel).chunk(2, 1);
      auto z = apply(gate, xs[0] + inner[0]);
      auto r = apply(gate, xs[1] + inner[1]);
      auto candidate = apply(act, at::addmm(xs[2], r * h, candidateKernel));
      next = {z * h + (1 - z) * candidate};
    } else {
      next = {apply(act, at::addmm(xt, h, w.recurrentKernel))};
    }
    if (mask.defined()) {
      // Masked steps carry the previous output and states (tfjs's rnn(): out*m + prev*(1-m)).
      at::Tensor m = mask.select(1, t);
      for (size_t k = 0; k < next.size(); ++k) next[k] = at::where(m, next[k], states[k]);
    }
    states = std::move(next);
    if (returnSequences) outputs.push_back(states[0]);
  }
  Sequence result;
  result.output = returnSequences ? (T > 0 ? at::stack(outputs, 1) : at::zeros({B, 0, U}, x.options())) : states[0];
  result.states = std::move(states);
  return result;
}

// What backward needs: the graph's outputs and the leaves to differentiate against.
struct Tape {
  std::vector<at::Tensor> outputs;  // output, then the states
  std::vector<at::Tensor> inputs;   // x, kernel, recurrentKernel, [bias], [initial states...]
  bool hasBias = false;
  bool hasInitialStates = false;
  size_t bytes = 0;
};

using TapeRef = std::shared_ptr<Tape>;

void finalizeTape(Napi::Env env, TapeRef* tape) {
  if ((*tape)->bytes > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>((*tape)->bytes));
  delete tape;
}

size_t bytesOf(const std::vector<at::Tensor>& ts) {
  size_t n = 0;
  for (const auto& t : ts) n += t.numel() * sizeof(float);
  return n;
}

// A leaf of the recorded graph: the slot's tensor itself (no copy), detached from any graph it came
// with; libtorch's reference keeps it alive if JavaScript frees the slot before backward.
at::Tensor leaf(const Napi::Value& id, bool record) {
  const at::Tensor& t = get(id);
  return record ? t.detach().requires_grad_(true) : t;
}

// rnnForward({cell, activation, recurrentActivation, x, kernel, recurrentKernel, bias|null,
//   states: id[]|null, mask|null, goBackwards, returnSequences, record}) (tensors as slot ids)
// → [output id, ...state ids, tape?]; output and state shapes are the caller's to know.
Napi::Value RnnForward(const Napi::CallbackInfo& info) {
  return guard(info, "RNN", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    auto args = info[0].As<Napi::Object>();
    Cell cell = cellOf(args.Get("cell").As<Napi::String>());
    Act act = activationOf(args.Get("activation").As<Napi::String>());
    Act gate = cell == Cell::kSimple ? Act::kLinear : activationOf(args.Get("recurrentActivation").As<Napi::String>());
    bool record = args.Get("record").As<Napi::Boolean>();
    bool goBackwards = args.Get("goBackwards").As<Napi::Boolean>();
    bool returnSequences = args.Get("returnSequences").As<Napi::Boolean>();
    at::Tensor x = leaf(args.Get("x"), record);
    Shape xShape = x.sizes().vec();
    Weights w;
    w.kernel = leaf(args.Get("kernel"), record);
    Shape kernelShape = w.kernel.sizes().vec();
    if (xShape.size() != 3 || kernelShape.size() != 2 || kernelShape[0] != xShape[2]) {
      throw std::invalid_argument("expected inputs [batch, time, features] and a kernel [features, gates * units]");
    }
    const int64_t gates = cell == Cell::kLstm ? 4 : cell == Cell::kGru ? 3 : 1;
    const int64_t B = xShape[0], U = kernelShape[1] / gates;
    if (U * gates != kernelShape[1]) throw std::invalid_argument("kernel columns are not a multiple of the gate count");

    w.recurrentKernel = leaf(args.Get("recurrentKernel"), record);
    if (w.recurrentKernel.sizes() != at::IntArrayRef({U, gates * U})) throw std::invalid_argument("the recurrent kernel is not [units, gates * units]");
    if (present(args.Get("bias"))) {
      w.bias = leaf(args.Get("bias"), record);
      if (w.bias.sizes() != at::IntArrayRef({gates * U})) throw std::invalid_argument("the bias is not [gates * units]");
    }
    const size_t numStates = cell == Cell::kLstm ? 2 : 1;
    std::vector<at::Tensor> initial;
    bool hasInitialStates = present(args.Get("states"));
    if (hasInitialStates) {
      auto list = args.Get("states").As<Napi::Array>();
      if (list.Length() != numStates) throw std::invalid_argument("wrong number of initial states");
      for (uint32_t k = 0; k < numStates; ++k) {
        initial.push_back(leaf(list.Get(k), record));
        if (initial.back().sizes() != at::IntArrayRef({B, U})) throw std::invalid_argument("an initial state is not [batch, units]");
      }
    } else {
      for (size_t k = 0; k < numStates; ++k) initial.push_back(at::zeros({B, U}, x.options()));
    }
    at::Tensor mask;
    if (present(args.Get("mask"))) {
      mask = get(args.Get("mask"));
      if (mask.sizes() != at::IntArrayRef({B, xShape[1]})) throw std::invalid_argument("the mask is not [batch, time]");
    }

    auto tape = std::make_shared<Tape>();
    if (record) {
      tape->inputs = {x, w.kernel, w.recurrentKernel};
      if (w.bias.defined()) tape->inputs.push_back(w.bias);
      if (hasInitialStates) tape->inputs.insert(tape->inputs.end(), initial.begin(), initial.end());
      tape->hasBias = w.bias.defined();
      tape->hasInitialStates = hasInitialStates;
    }
    Sequence seq = run(cell, act, gate, x, w, initial, mask, goBackwards, returnSequences);

    std::vector<at::Tensor> results{seq.output.detach()};
    for (const auto& state : seq.states) results.push_back(state.detach());
    auto result = putAll(env, results).As<Napi::Array>();
    if (record) {
      tape->outputs.push_back(seq.output);
      tape->outputs.insert(tape->outputs.end(), seq.states.begin(), seq.states.end());
      // The graph holds roughly a dozen step-sized buffers per step; tell V8 so an unused tape is
      // collected promptly.
      tape->bytes = bytesOf(tape->inputs) + 12 * static_cast<size_t>(xShape[1]) * B * gates * U * sizeof(float);
      Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(tape->bytes));
      result.Set(static_cast<uint32_t>(results.size()), Napi::External<TapeRef>::New(env, new TapeRef(tape), finalizeTape));
    }
    return result;
  });
}

Tape& tapeOf(const Napi::Value& value) {
  auto& ref = *value.As<Napi::External<TapeRef>>().Data();
  return *ref;
}

// Drops the graph (its memory) now; the External itself goes with the garbage collector.
void release(Napi::Env env, Tape& tape) {
  tape.outputs.clear();
  tape.inputs.clear();
  if (tape.bytes > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(tape.bytes));
  tape.bytes = 0;
}

// rnnBackward(tape, dOutput id, dStates: id[]) → [dx, dKernel, dRecurrentKernel, (dBias), (dStates...)]
// as slot ids, in the order of the forward's inputs (each gradient has its input's shape); consumes the tape.
Napi::Value RnnBackward(const Napi::CallbackInfo& info) {
  return guard(info, "RNN gradient", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Tape& tape = tapeOf(info[0]);
    if (tape.outputs.empty()) throw std::invalid_argument("this recurrent layer's forward pass was already differentiated or released");
    auto dStates = info[2].As<Napi::Array>();
    if (dStates.Length() + 1 != tape.outputs.size()) throw std::invalid_argument("wrong number of state gradients");
    std::vector<at::Tensor> grads;
    for (uint32_t k = 0; k < tape.outputs.size(); ++k) {
      grads.push_back(get(k == 0 ? info[1] : dStates.Get(k - 1)));
      if (grads.back().sizes() != tape.outputs[k].sizes()) throw std::invalid_argument("a gradient's shape differs from its output's");
    }
    auto dInputs = torch::autograd::grad(tape.outputs, tape.inputs, grads, /*retain_graph=*/false, /*create_graph=*/false,
                                         /*allow_unused=*/true);
    for (size_t k = 0; k < dInputs.size(); ++k) {
      if (!dInputs[k].defined()) dInputs[k] = at::zeros_like(tape.inputs[k].detach());
    }
    auto result = putAll(env, dInputs);
    release(env, tape);
    return result;
  });
}

Napi::Value RnnRelease(const Napi::CallbackInfo& info) {
  release(info.Env(), tapeOf(info[0]));
  return info.Env().Undefined();
}

}  // namespace

void registerRnn(Napi::Env env, Napi::Object exports) {
  exports.Set("rnnForward", Napi::Function::New(env, RnnForward));
  exports.Set("rnnBackward", Napi::Function::New(env, RnnBackward));
  exports.Set("rnnRelease", Napi::Function::New(env, RnnRelease));
}

}  // namespace gb
