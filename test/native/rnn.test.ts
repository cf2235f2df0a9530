// Fused recurrent layers (kernel/backends/native/rnn.ts, native/src/rnn.cc): LSTM, GRU and SimpleRNN
// layers and cells on the native backend give the cpu backend's outputs, states and gradients for
// every option of tfjs-layers' RNN (masking, returnSequences, returnState, initialState, goBackwards,
// stateful), really run fused, fall back where they must, leak no tensors, and a seq2seq model with
// attention trains to the same losses.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertClose, fallbacksDuring, random, skip, tf } from "./helpers";
import { nativeAddon } from "../../kernel/backends/native/index";
import type { RnnAddon } from "../../kernel/backends/native/rnn";
import { seq2seqData, seq2seqModel, seq2seqTensors } from "../../bench/seq2seq";

const B = 3;
const T = 5;
const D = 4;
const U = 6;

// Per sample: which steps count (1) and which are padding (0), including a hole in the middle and a
// sample whose first steps are masked.
const MASK = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
  [0, 0, 1, 0, 1],
];

interface Case {
  name: string;
  layer: () => tf.layers.Layer;
  states: number;
  mask?: boolean;
  initialState?: boolean;
}

interface Result {
  outputs: Float32Array[];
  grads: Float32Array[];
}

/** How many sequences the fused path ran while fn ran. */
async function fusedCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const addon = nativeAddon() as unknown as RnnAddon;
  const forward = addon.rnnForward;
  let calls = 0;
  addon.rnnForward = (args) => {
    calls++;
    return forward.call(addon, args);
  };
  try {
    return { result: await fn(), calls };
  } finally {
    addon.rnnForward = forward;
  }
}

const tensors = (value: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(value) ? value : [value]);

/** Outputs, and gradients of a fixed random projection of every output, for the layer's weights, the
 * inputs and the initial states. */
async function evaluate(backend: string, c: Case): Promise<Result> {
  await tf.setBackend(backend);
  const layer = c.layer();
  const x = tf.variable(tf.tensor3d(random(B * T * D, 11), [B, T, D]), true);
  const initial = c.initialState ? Array.from({ length: c.states }, (_, i) => tf.variable(tf.tensor2d(random(B * U, 20 + i), [B, U]), true)) : [];
  const mask = c.mask ? tf.tensor2d(MASK, [B, T], "bool") : undefined;
  const kwargs: tf.serialization.ConfigDict = {};
  if (mask !== undefined) kwargs.mask = mask as unknown as tf.serialization.ConfigDictValue;
  if (initial.length > 0) kwargs.initialState = initial as unknown as tf.serialization.ConfigDictValue;
  const call = () => tensors(layer.apply(x, kwargs) as tf.Tensor | tf.Tensor[]);
  tf.dispose(call()); // builds the layer
  layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(random(w.size, 30 + i, -0.6, 0.6), w.shape)));
  const first = call();
  const outputs = first.map((t) => t.dataSync() as Float32Array);
  const projections = first.map((t, i) => tf.tensor(random(t.size, 40 + i), t.shape));
  tf.dispose(first);
  const varList = [...layer.trainableWeights.map((w) => w.read() as tf.Variable), x, ...initial];
  const { value, grads } = tf.variableGrads(
    () => tf.addN(call().map((t, i) => tf.sum(tf.mul(t, projections[i] as tf.Tensor)))) as tf.Scalar,
    varList,
  );
  const result = { outputs, grads: varList.map((v) => (grads[v.name] as tf.Tensor).dataSync() as Float32Array) };
  tf.dispose([value, ...Object.values(grads), ...projections, x, ...initial, ...(mask ? [mask] : [])]);
  layer.dispose();
  return result;
}

async function compare(c: Case): Promise<void> {
  const cpu = await evaluate("cpu", c);
  const { result: native, calls } = await fusedCalls(() => evaluate("native", c));
  assert.ok(calls >= 3, `${c.name}: the fused path ran ${calls} times, expected every call`);
  assert.equal(native.outputs.length, cpu.outputs.length, `${c.name}: number of outputs`);
  cpu.outputs.forEach((o, i) => assertClose(native.outputs[i] as Float32Array, o, 1e-5, `${c.name} output ${i}`));
  cpu.grads.forEach((g, i) => assertClose(native.grads[i] as Float32Array, g, 1e-5, `${c.name} gradient ${i}`));
}

const CASES: Case[] = [
  { name: "lstm, last output", states: 2, layer: () => tf.layers.lstm({ units: U }) },
  {
    name: "lstm, sequences + state, masked, initial state", states: 2, mask: true, initialState: true,
    layer: () => tf.layers.lstm({ units: U, returnSequences: true, returnState: true }),
  },
  {
    name: "lstm, backwards, masked, sigmoid gates, relu, no bias", states: 2, mask: true,
    layer: () => tf.layers.lstm({ units: U, returnSequences: true, goBackwards: true, recurrentActivation: "sigmoid", activation: "relu", useBias: false }),
  },
  { name: "gru, sequences", states: 1, layer: () => tf.layers.gru({ units: U, returnSequences: true }) },
  {
    name: "gru, backwards, masked, initial state, returned state", states: 1, mask: true, initialState: true,
    layer: () => tf.layers.gru({ units: U, goBackwards: true, returnState: true }),
  },
  {
    name: "gru, sigmoid gates, linear activation", states: 1, mask: true,
    layer: () => tf.layers.gru({ units: U, returnSequences: true, recurrentActivation: "sigmoid", activation: "linear" }),
  },
  { name: "simpleRNN, sequences, masked", states: 1, mask: true, layer: () => tf.layers.simpleRNN({ units: U, returnSequences: true }) },
  {
    name: "simpleRNN, relu, backwards, initial state, returned state", states: 1, initialState: true,
    layer: () => tf.layers.simpleRNN({ units: U, activation: "relu", goBackwards: true, returnState: true }),
  },
  {
    name: "rnn(lstmCell), sequences, masked", states: 2, mask: true,
    layer: () => tf.layers.rnn({ cell: tf.layers.lstmCell({ units: U }), returnSequences: true }),
  },
  { name: "rnn(gruCell), masked", states: 1, mask: true, layer: () => tf.layers.rnn({ cell: tf.layers.gruCell({ units: U }) }) },
  {
    name: "rnn(simpleRNNCell), initial state", states: 1, initialState: true,
    layer: () => tf.layers.rnn({ cell: tf.layers.simpleRNNCell({ units: U }), returnState: true }),
  },
];

describe("fused recurrent layers on the native backend", { skip }, () => {
  for (const c of CASES) {
    test(`${c.name}: outputs and gradients match the cpu backend`, () => compare(c));
  }

  test("stateful layers carry their states across calls as on the cpu backend", async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const layer = tf.layers.lstm({ units: U, stateful: true, returnSequences: true, batchInputShape: [B, T, D] });
      const x = tf.tensor3d(random(B * T * D, 50), [B, T, D]);
      tf.dispose(layer.apply(x) as tf.Tensor);
      layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(random(w.size, 60 + i, -0.6, 0.6), w.shape)));
      layer.resetStates();
      const outs: Float32Array[] = [];
      for (let i = 0; i < 2; i++) {
        const y = layer.apply(x) as tf.Tensor;
        outs.push(y.dataSync() as Float32Array);
        y.dispose();
      }
      const states = (layer as unknown as { states: tf.Tensor[] }).states.map((s) => s.dataSync() as Float32Array);
      tf.dispose(x);
      layer.dispose();
      return { outs, states };
    };
    const cpu = await run("cpu");
    const { result: native, calls } = await fusedCalls(() => run("native"));
    assert.equal(calls, 3);
    assert.ok(Math.abs((cpu.outs[0] as Float32Array)[0]! - (cpu.outs[1] as Float32Array)[0]!) > 1e-4, "the second call starts from the first one's states");
    cpu.outs.forEach((o, i) => assertClose(native.outs[i] as Float32Array, o, 1e-5, `call ${i}`));
    cpu.states.forEach((s, i) => assertClose(native.states[i] as Float32Array, s, 1e-5, `state ${i}`));
  });

  test("layers the fused path cannot reproduce run tfjs's own steps", async () => {
    await tf.setBackend("native");
    const x = tf.tensor3d(random(B * T * D, 70), [B, T, D]);
    const declined = [
      tf.layers.lstm({ units: U, dropout: 0.5 }), // training: random dropout masks
      tf.layers.gru({ units: U, activation: "selu" }),
      tf.layers.rnn({ cell: [tf.layers.lstmCell({ units: U }), tf.layers.gruCell({ units: U })] }),
    ];
    const { calls } = await fusedCalls(async () => {
      for (const layer of declined) {
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        assert.deepEqual(y.shape, [B, U]);
        assert.ok(Number.isFinite(y.dataSync()[0]));
        y.dispose();
      }
    });
    assert.equal(calls, 0);
    // Without training, dropout does nothing, so that case is fused again.
    const { calls: inference } = await fusedCalls(async () => tf.dispose(declined[0]!.apply(x) as tf.Tensor));
    assert.equal(inference, 1);
    declined.forEach((l) => l.dispose());
    x.dispose();
  });

  test("training steps and inference leave no tensors behind", async () => {
    await tf.setBackend("native");
    const model = tf.sequential({ layers: [tf.layers.gru({ units: U, inputShape: [T, D], returnSequences: true }), tf.layers.lstm({ units: 3 })] });
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const x = tf.tensor3d(random(B * T * D, 80), [B, T, D]);
    const y = tf.tensor2d(random(B * 3, 81), [B, 3]);
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await model.fit(x, y, { epochs: 1, verbose: 0 });
      tf.dispose(model.predict(x) as tf.Tensor);
    }
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, y]);
    model.dispose();
  });
});

// ---- the training bench's seq2seq LSTM encoder/decoder with dot attention, smaller ----

const VOCAB = 12;
const SRC = 7;
const TGT = 6;

describe("seq2seq LSTM with dot attention on the native backend", { skip }, () => {
  test("three epochs of training give the cpu backend's losses", async () => {
    const losses: number[][] = [];
    for (const backend of ["cpu", "native"]) {
      await tf.setBackend(backend);
      const { xs, ys } = seq2seqTensors(seq2seqData(32, SRC, TGT, VOCAB), SRC, TGT);
      const model = seq2seqModel(16, VOCAB, 8, SRC, TGT);
      model.setWeights(model.getWeights().map((w, i) => tf.tensor(random(w.size, 100 + i, -0.3, 0.3), w.shape)));
      model.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy" });
      let fit: { result: tf.History; calls: number } | undefined;
      const fallbacks = await fallbacksDuring(async () => {
        fit = await fusedCalls(() => model.fit(xs, ys, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 }));
      });
      const { result: history, calls } = fit as { result: tf.History; calls: number };
      if (backend === "native") {
        assert.equal(calls, 2 * 3 * 2, "both LSTMs ran fused on every batch");
        assert.deepEqual(fallbacks, [], "kernels that took the host fallback");
      }
      losses.push(history.history.loss as number[]);
      tf.dispose([...xs, ys]);
      model.dispose();
    }
    const [cpu, native] = losses as [number[], number[]];
    assert.equal(native.length, 3);
    cpu.forEach((l, i) => assert.ok(Math.abs((native[i] as number) - l) <= 1e-4, `epoch ${i + 1}: native ${native[i]}, cpu ${l}`));
    assert.ok((cpu[2] as number) < (cpu[0] as number), "the model learns");
  });
});
