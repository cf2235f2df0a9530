// Whole-model checks: gradients of a small CNN and a few adam steps of the digits model agree between
// the native backend and the cpu backend; kernels the native path declines still run (cpu fallback).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertClose, random, skip, tf, useBackend } from "./helpers";
import { registerNativeBackend } from "../../kernel/backends/native/index";

const SHAPES: Record<string, number[]> = {
  conv1: [3, 3, 2, 6], bias1: [6], conv2: [2, 2, 6, 5], bias2: [5], dense1: [45, 12], bias3: [12], dense2: [12, 4], bias4: [4],
};

function weights(): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  Object.entries(SHAPES).forEach(([name, shape], i) => {
    out[name] = tf.variable(tf.tensor(random(shape.reduce((a, b) => a * b, 1), 900 + i, -0.5, 0.5), shape), true, `${name}_${tf.getBackend()}`);
  });
  return out;
}

// conv(same) → relu → max pool → conv(stride 2, valid) → relu → avg pool(same) → dense relu → dense → softmax cross-entropy
function loss(w: Record<string, tf.Variable>, x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  let h = tf.relu(tf.add(tf.conv2d(x, w.conv1 as tf.Tensor4D, 1, "same"), w.bias1 as tf.Tensor)) as tf.Tensor4D;
  h = tf.maxPool(h, 2, 2, "same");
  h = tf.relu(tf.add(tf.conv2d(h, w.conv2 as tf.Tensor4D, 2, "valid"), w.bias2 as tf.Tensor)) as tf.Tensor4D;
  h = tf.avgPool(h, 2, 1, "same");
  const flat = tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D;
  const d1 = tf.relu(tf.add(tf.matMul(flat, w.dense1 as tf.Tensor2D), w.bias3 as tf.Tensor));
  const logits = tf.add(tf.matMul(d1, w.dense2 as tf.Tensor2D), w.bias4 as tf.Tensor);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

async function gradientsOn(backend: string): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  await useBackend(backend);
  const w = weights();
  const x = tf.tensor4d(random(3 * 13 * 11 * 2, 990), [3, 13, 11, 2]);
  const labels = tf.oneHot(tf.tensor1d([0, 3, 2], "int32"), 4).toFloat() as tf.Tensor2D;
  const { value, grads } = tf.variableGrads(() => loss(w, x, labels));
  const out: Record<string, Float32Array> = {};
  for (const [name, g] of Object.entries(grads)) out[name.replace(/_\w+$/, "")] = g.dataSync() as Float32Array;
  const result = { loss: value.dataSync()[0] as number, grads: out };
  tf.dispose([value, x, labels, ...Object.values(grads), ...Object.values(w)]);
  return result;
}

describe("native backend on whole models", { skip }, () => {
  test("gradients of a small CNN match the cpu backend", async () => {
    const cpu = await gradientsOn("cpu");
    const native = await gradientsOn("native");
    assert.ok(Math.abs(native.loss - cpu.loss) < 1e-5, `loss: native ${native.loss}, cpu ${cpu.loss}`);
    assert.deepEqual(Object.keys(native.grads).sort(), Object.keys(SHAPES).sort());
    for (const name of Object.keys(SHAPES)) {
      assertClose(native.grads[name] as Float32Array, cpu.grads[name] as Float32Array, 1e-4, `d${name}`);
    }
  });

  test("three adam steps of the digits model end at the same weights", async () => {
    const trained: Float32Array[][] = [];
    for (const backend of ["cpu", "native"]) {
      await useBackend(backend);
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: "relu" }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: "relu" }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 8, activation: "relu" }),
          tf.layers.dense({ units: 10, activation: "softmax" }),
        ],
      });
      model.setWeights(model.getWeights().map((w, i) => tf.tensor(random(w.size, 1200 + i, -0.3, 0.3), w.shape)));
      model.compile({ optimizer: tf.train.adam(1e-2), loss: "sparseCategoricalCrossentropy" });
      const xs = tf.tensor4d(random(16 * 784, 1300, 0, 1), [16, 28, 28, 1]);
      const ys = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10));
      await model.fit(xs, ys, { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 });
      await model.fit(xs.slice(0, 8), ys.slice(0, 8), { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 });
      trained.push(model.getWeights().map((w) => w.dataSync() as Float32Array));
      tf.dispose([xs, ys]);
      model.dispose();
    }
    const [cpu, native] = trained as [Float32Array[], Float32Array[]];
    assert.equal(native.length, cpu.length);
    cpu.forEach((w, i) => assertClose(native[i] as Float32Array, w, 1e-3, `weight ${i}`));
  });

  test("kernels the native path declines fall back to the cpu kernels", async () => {
    const run = async (backend: string) => {
      await useBackend(backend);
      return tf.tidy(() => {
        const ints = tf.add(tf.tensor1d([1, 2, 3], "int32"), tf.tensor1d([4, 5, 6], "int32"));
        const x = tf.tensor4d(random(2 * 5 * 5 * 3, 1400), [2, 5, 5, 3]);
        const filter = tf.tensor4d(random(3 * 3 * 3 * 4, 1401), [3, 3, 3, 4]);
        const prelu = tf.fused.conv2d({ x, filter, strides: 1, pad: "same", activation: "prelu", preluActivationWeights: tf.scalar(0.2) });
        // 6 - 3 is odd: "ceil" rounding gives 3 outputs where ATen would give 2.
        const rounded = tf.conv2d(tf.tensor4d(random(2 * 6 * 6 * 3, 1402), [2, 6, 6, 3]), filter, 2, 0, "NHWC", 1, "ceil");
        return { dtype: ints.dtype, ints: Array.from(ints.dataSync()), prelu: prelu.dataSync(), rounded: rounded.dataSync(), roundedShape: rounded.shape };
      });
    };
    const cpu = await run("cpu");
    const native = await run("native");
    assert.equal(native.dtype, "int32");
    assert.deepEqual(native.ints, [5, 7, 9]);
    assertClose(native.prelu, cpu.prelu, 1e-5, "prelu conv");
    assert.deepEqual(native.roundedShape, [2, 3, 3, 4]);
    assertClose(native.rounded, cpu.rounded, 1e-5, "ceil-rounded conv");
  });

  test("registration is idempotent and leaves an explicit backend choice alone", async () => {
    await useBackend("cpu");
    assert.deepEqual(registerNativeBackend(tf), { ok: true });
    assert.equal(tf.getBackend(), "cpu");
    assert.ok(tf.engine().registryFactory.native !== undefined);
  });
});
