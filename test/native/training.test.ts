// Whole models trained for three epochs on the native backend and on the cpu backend from the same
// weights and data: the losses must agree to 1e-4, no kernel of these models may take the host
// fallback, and no tensor may leak.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertRegistered, fallbacksDuring, random, skip, tf, useBackend } from "./helpers";

interface Case {
  name: string;
  build(): tf.LayersModel;
  data(): { xs: tf.Tensor | tf.Tensor[]; ys: tf.Tensor };
  loss: string;
  optimizer: () => tf.Optimizer;
}

const ints = (n: number, seed: number, hi: number) => Int32Array.from(random(n, seed, 0, hi), Math.floor);

const CASES: Case[] = [
  {
    name: "CNN with batch norm (conv, depthwise conv, pools, dense, softmax)",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 6, kernelSize: 3, padding: "same", activation: "relu" }),
          tf.layers.batchNormalization(),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: "elu" }),
          tf.layers.averagePooling2d({ poolSize: 2, padding: "same" }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: "tanh" }),
          tf.layers.dense({ units: 4, activation: "softmax" }),
        ],
      }),
    data: () => ({ xs: tf.tensor4d(random(24 * 288, 11, -1, 1), [24, 12, 12, 2]), ys: tf.oneHot(tf.tensor1d(ints(24, 12, 4), "int32"), 4) }),
    loss: "categoricalCrossentropy",
    optimizer: () => tf.train.adam(0.01),
  },
  {
    name: "embedding, global pooling and dense (sgd with momentum)",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 30, outputDim: 8, inputLength: 7 }),
          tf.layers.globalAveragePooling1d(),
          tf.layers.dense({ units: 12, activation: "relu" }),
          tf.layers.dense({ units: 1, activation: "sigmoid" }),
        ],
      }),
    data: () => ({ xs: tf.tensor2d(ints(32 * 7, 21, 30), [32, 7], "int32"), ys: tf.tensor2d(Float32Array.from(ints(32, 22, 2)), [32, 1]) }),
    loss: "binaryCrossentropy",
    optimizer: () => tf.train.momentum(0.1, 0.9),
  },
  {
    name: "LSTM and GRU with masking (rmsprop)",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 12, outputDim: 6, inputLength: 9, maskZero: true }),
          tf.layers.lstm({ units: 8, returnSequences: true }),
          tf.layers.gru({ units: 7 }),
          tf.layers.dense({ units: 3, activation: "softmax" }),
        ],
      }),
    data: () => {
      const tokens = ints(16 * 9, 31, 12);
      // Trailing padding (token 0) of different lengths, for the mask.
      for (let r = 0; r < 16; r++) for (let c = 9 - (r % 4); c < 9; c++) tokens[r * 9 + c] = 0;
      return { xs: tf.tensor2d(tokens, [16, 9], "int32"), ys: tf.tensor1d(ints(16, 32, 3), "float32") };
    },
    loss: "sparseCategoricalCrossentropy",
    optimizer: () => tf.train.rmsprop(0.01),
  },
];

async function train(c: Case, backend: string): Promise<{ losses: number[]; leaked: number; fallbacks: string[] }> {
  await useBackend(backend);
  // Same weights on both backends: random values from a fixed seed, set after the build.
  const model = c.build();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(random(w.size, 500 + i, -0.4, 0.4), w.shape)));
  model.compile({ optimizer: c.optimizer(), loss: c.loss });
  const { xs, ys } = c.data();
  const before = tf.memory().numTensors;
  const losses: number[] = [];
  const fallbacks = await fallbacksDuring(async () => {
    const history = await model.fit(xs, ys, { batchSize: 8, epochs: 3, shuffle: false, verbose: 0 });
    losses.push(...(history.history.loss as number[]));
  });
  const leaked = tf.memory().numTensors - before;
  tf.dispose([xs as tf.Tensor, ys]);
  model.dispose();
  return { losses, leaked, fallbacks };
}

describe("training on the native backend matches the cpu backend", { skip }, () => {
  for (const c of CASES) {
    test(c.name, async () => {
      assertRegistered();
      const cpu = await train(c, "cpu");
      const native = await train(c, "native");
      assert.deepEqual(native.fallbacks, [], "kernels that took the host fallback");
      assert.equal(native.losses.length, 3);
      native.losses.forEach((loss, i) => {
        const expected = cpu.losses[i] as number;
        assert.ok(Math.abs(loss - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `epoch ${i + 1} loss: native ${loss}, cpu ${expected}`);
      });
      // fit keeps nothing once it returns (the optimizer's slots aside, created in the first step).
      assert.ok(native.leaked <= cpu.leaked, `native kept ${native.leaked} tensors after fit, cpu ${cpu.leaked}`);
    });
  }
});
