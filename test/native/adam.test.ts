// The fused adam update on the native backend against tf.train.adam on the cpu backend, and its
// safety rules: tensors that share a variable's data never change under it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { nativeAddon } from "../../kernel/backends/native/index";
import { assertClose, random, skip, tf, useBackend } from "./helpers";

async function train(backend: string, steps: number): Promise<{ weights: Float32Array[]; optimizer: Float32Array[]; iterations: number }> {
  await useBackend(backend);
  const shapes = [[5, 3], [3], [7]];
  const vars = shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(random(s.reduce((a, b) => a * b, 1), 50 + i), s))));
  const optimizer = tf.train.adam(0.05, 0.8, 0.95, 1e-6);
  const x = tf.tensor2d(random(4 * 5, 60), [4, 5]);
  for (let step = 0; step < steps; step++) {
    optimizer.minimize(() => {
      const [w, b, c] = vars as [tf.Variable, tf.Variable, tf.Variable];
      const h = tf.tanh(tf.add(tf.matMul(x, w), b));
      return tf.add(tf.sum(tf.square(h)), tf.sum(tf.mul(c, c))) as tf.Scalar;
    });
  }
  const weights = vars.map((v) => v.dataSync() as Float32Array);
  const saved = await optimizer.getWeights();
  const result = { weights, optimizer: saved.map((w) => w.tensor.dataSync() as Float32Array), iterations: optimizer.iterations };
  tf.dispose([x, ...vars, ...saved.map((w) => w.tensor)]);
  optimizer.dispose();
  return result;
}

describe("native fused adam", { skip }, () => {
  test("five steps match tf.train.adam on the cpu backend, optimizer state included", async () => {
    const cpu = await train("cpu", 5);
    // Count the fused kernel's calls, so a silent fall-back to tfjs's own update cannot pass as native.
    const addon = nativeAddon()!;
    const fused = addon.adam;
    let calls = 0;
    addon.adam = (...args: Parameters<typeof fused>) => (calls++, fused(...args));
    let native: Awaited<ReturnType<typeof train>>;
    try {
      native = await train("native", 5);
    } finally {
      addon.adam = fused;
    }
    assert.equal(calls, 5 * 3, "one fused update per variable per step ran natively");
    assert.equal(native.iterations, cpu.iterations);
    cpu.weights.forEach((w, i) => assertClose(native.weights[i] as Float32Array, w, 1e-5, `weight ${i}`));
    assert.equal(native.optimizer.length, cpu.optimizer.length);
    cpu.optimizer.forEach((w, i) => assertClose(native.optimizer[i] as Float32Array, w, 1e-5, `optimizer weight ${i}`));
  });

  for (const share of ["clone", "slice"] as const) {
    test(`a ${share} of a variable keeps its values while the variable trains`, async () => {
      await useBackend("native");
      const v = tf.tidy(() => tf.variable(tf.tensor1d(random(12, 70))));
      const optimizer = tf.train.adam(0.1);
      const step = () => optimizer.minimize(() => tf.sum(tf.square(v)) as tf.Scalar);
      step(); // the first step moves the variable into a buffer of the backend's own
      const shared = share === "clone" ? tf.clone(v) : tf.slice(v, [2], [5]);
      const all = v.dataSync();
      const expected = share === "clone" ? all : all.slice(2, 7);
      for (let i = 0; i < 3; i++) step();
      assertClose(shared.dataSync(), expected, 0, share);
      assert.ok(Math.abs((v.dataSync()[2] as number) - (all[2] as number)) > 0, "the variable itself should have trained");
      tf.dispose([v, shared]);
      optimizer.dispose();
    });
  }
});
