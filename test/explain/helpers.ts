// Small models with known attributions (see /work/shared/research/explain.md §3), on the cpu backend.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";

export async function cpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

export function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ""): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tol ${tol})\n  actual   ${Array.from(actual).map((v) => v.toFixed(5))}\n  expected ${Array.from(expected).map((v) => Number(v).toFixed(5))}`);
  }
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Captum's BasicModel_MultiLayer: identity, then ones(4,3)+[−10,1,1,1] with ReLU, then ones(2,4)+[−1,1]. */
export function multiLayer(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 3, inputShape: [3], weights: [tf.eye(3), tf.zeros([3])] }));
  m.add(tf.layers.dense({ units: 4, activation: "relu", weights: [tf.ones([3, 4]), tf.tensor1d([-10, 1, 1, 1])] }));
  m.add(tf.layers.dense({ units: 2, weights: [tf.ones([4, 2]), tf.tensor1d([-1, 1])] }));
  return m;
}

/** Captum's toy CNN in NHWC: conv 1→2 (3×3 ones, bias −50, −75, ReLU), flatten, fc 8→4, ReLU. */
export function toyCnn(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ name: "conv1", filters: 2, kernelSize: 3, inputShape: [4, 4, 1], activation: "relu", weights: [tf.ones([3, 3, 1, 2]), tf.tensor1d([-50, -75])] }));
  m.add(tf.layers.flatten());
  // NCHW row [1,1,1,1, 1,−1,−1,−1] re-ordered for NHWC flattening: index (h·2 + w)·2 + c.
  const row = [0, 1, 2, 3].flatMap((p) => [1, p === 0 ? 1 : -1]);
  m.add(tf.layers.dense({ units: 4, activation: "relu", weights: [tf.tensor2d(row.map((v) => [v, v, v, v])), tf.zeros([4])] }));
  return m;
}

export const toyImage = (): tf.Tensor => tf.range(0, 16).reshape([1, 4, 4, 1]);

/** A small MLP with non-zero biases (zero-bias ReLU nets make completeness tests vacuous). */
export function mlp(inputs: number, hidden = 16, outputs = 1, seed = 1, activation: "relu" | "tanh" | "softplus" = "relu"): tf.LayersModel {
  const init = (s: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: s });
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: hidden, inputShape: [inputs], activation, kernelInitializer: init(seed), biasInitializer: init(seed + 1) }),
      tf.layers.dense({ units: hidden, activation: "tanh", kernelInitializer: init(seed + 2), biasInitializer: init(seed + 3) }),
      tf.layers.dense({ units: outputs, kernelInitializer: init(seed + 4), biasInitializer: init(seed + 5) }),
    ],
  });
}

/** A small CNN with non-zero biases on 8×8×1 images (ReLU + max-pool, or smooth: softplus + average pool). */
export function cnn(seed = 3, smooth = false): tf.LayersModel {
  const init = (s: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: s });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ name: "conv_a", filters: 4, kernelSize: 3, inputShape: [8, 8, 1], activation: smooth ? "softplus" : "relu", kernelInitializer: init(seed), biasInitializer: init(seed + 1) }),
      smooth ? tf.layers.averagePooling2d({ poolSize: 2 }) : tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: init(seed + 2), biasInitializer: init(seed + 3) }),
    ],
  });
}

/** f(x, y, z) = 5x + y² + sin z, as a function model. */
export function separable(x: tf.Tensor): tf.Tensor {
  const [a, b, c] = tf.split(x, 3, 1);
  return tf.add(tf.add(tf.mul(a, 5), tf.square(b)), tf.sin(c));
}

/** A linear model f = x·w + b as a LayersModel. */
export function linear(w: number[], b: number): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [w.length], weights: [tf.tensor2d(w, [w.length, 1]), tf.tensor1d([b])] })] });
}
