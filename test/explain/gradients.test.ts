import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as explain from "../../kernel/explain";
import { quadrature } from "../../kernel/explain/integrated-gradients";
import { close, cnn, cpu, mlp, separable, values } from "./helpers";

before(cpu);

describe("saliency and input × gradient", () => {
  it("saliency equals the analytic gradient of 5x + y² + sin z", async () => {
    const x = tf.tensor2d([[1, 2, 3], [-0.5, -1.5, 0.25]]);
    const e = await explain.saliency(separable, x, { abs: false });
    close(values(e.attributions), [5, 4, Math.cos(3), 5, -3, Math.cos(0.25)], 1e-5, "gradient");
    const a = await explain.saliency(separable, x);
    close(values(a.attributions), [5, 4, Math.abs(Math.cos(3)), 5, 3, Math.cos(0.25)], 1e-5, "|gradient|");
    assert.equal(e.gap, null);
  });

  it("gradients go through a LayersModel (tfjs#4130) and match 1 − relu(1 − x) by hand", async () => {
    const f = (x: tf.Tensor) => tf.sum(tf.sub(1, tf.relu(tf.sub(1, x))), 1);
    const e = await explain.saliency(f, tf.tensor2d([[1, 2, 3, 0, -1, 7]]), { abs: false });
    close(values(e.attributions), [0, 0, 0, 1, 1, 0], 0, "R1");
    const m = mlp(4);
    const x = tf.tensor2d([[0.3, -0.2, 0.5, 1]]);
    const s = await explain.saliency(m, x, { abs: false });
    const g = tf.grad((v: tf.Tensor) => tf.sum(m.apply(v) as tf.Tensor))(x);
    close(values(s.attributions), values(g), 1e-6, "autograd");
  });

  it("input × gradient is exact for a linear function against a zero baseline", async () => {
    const f = (x: tf.Tensor) => tf.add(tf.matMul(x, tf.tensor2d([[1], [2], [-3]])), 0.25);
    const e = await explain.inputXGradient(f, tf.tensor2d([[3, 1, 5]]));
    close(values(e.attributions), [3, 2, -15], 1e-5, "x ⊙ w");
    close(e.gap as number[], [0], 1e-4, "gap");
  });
});

describe("integrated gradients", () => {
  it("attributes each term of 5x + y² + sin z its own change", async () => {
    const e = await explain.integratedGradients(separable, tf.tensor2d([[1, 2, 3]]), { baseline: tf.tensor1d([0.5, 1, 1]), steps: 64 });
    close(values(e.attributions), [2.5, 3, Math.sin(3) - Math.sin(1)], 1e-4, "IG");
    assert.ok(Math.abs((e.gap as number[])[0]) < 1e-4);
  });

  it("is complete within 1e-3·|f(x) − f(x′)| on an MLP and a CNN with non-zero biases", async () => {
    const complete = (e: explain.Explanation, what: string) =>
      (e.gap as number[]).forEach((g, r) => assert.ok(Math.abs(g) <= 1e-3 * Math.abs(e.prediction[r] - (e.baseValue as number[])[r]), `${what} row ${r}: gap ${g}`));
    const x = tf.randomNormal([3, 6], 0, 1, "float32", 11);
    const baseline = tf.fill([6], 0.3);
    complete(await explain.integratedGradients(mlp(6, 16, 2, 1, "softplus"), x, { baseline, steps: 64, target: 1 }), "smooth MLP");
    const img = tf.randomUniform([2, 8, 8, 1], 0, 1, "float32", 5);
    const smooth = await explain.integratedGradients(cnn(3, true), img, { baseline: 0.2, steps: 64, target: 0 });
    complete(smooth, "smooth CNN");
    assert.deepEqual(smooth.attributions.shape, [2, 8, 8, 1]);
    // ReLU kinks make every rule converge as O(1/steps): many steps are needed, and the gap says so.
    const coarse = await explain.integratedGradients(cnn(), img, { baseline: 0.2, steps: 16, target: 0 });
    const fine = await explain.integratedGradients(cnn(), img, { baseline: 0.2, steps: 4096, target: 0 });
    complete(fine, "ReLU CNN, 4096 steps");
    assert.ok(Math.abs(coarse.relativeGap()) > Math.abs(fine.relativeGap()), "more steps, smaller gap");
  });

  it("implements every quadrature rule (IG paper example, relu(relu(x1) − 1 − relu(x2)))", async () => {
    const f = (x: tf.Tensor) => {
      const [a, b] = tf.split(x, 2, 1);
      return tf.relu(tf.sub(tf.sub(tf.relu(a), 1), tf.relu(b)));
    };
    const x = tf.tensor2d([[3, 1]]);
    for (const rule of ["right", "middle", "trapezoid"] as const) {
      close(values((await explain.integratedGradients(f, x, { rule, steps: 10 })).attributions), [1.5, -0.5], 1e-5, rule);
    }
    close(values((await explain.integratedGradients(f, x, { rule: "left", steps: 10 })).attributions), [1.2, -0.4], 1e-5, "left");
    for (const rule of ["left", "right", "middle", "trapezoid", "gaussLegendre"] as const) {
      const { alphas, weights } = quadrature(rule, 7);
      close([weights.reduce((p, q) => p + q, 0)], [1], 1e-12, `${rule} weights`);
      // Exact for a linear integrand: ∫ α dα = 1/2 (Gauss–Legendre also for degree ≤ 13).
      if (rule !== "left" && rule !== "right") close([alphas.reduce((p, a, i) => p + a * weights[i], 0)], [0.5], 1e-12, rule);
    }
    const gl = quadrature("gaussLegendre", 5);
    close([gl.alphas.reduce((p, a, i) => p + a ** 9 * gl.weights[i], 0)], [0.1], 1e-12, "GL degree 9");
  });

  it("gives the same result for any batch size", async () => {
    const m = mlp(5);
    const x = tf.randomNormal([3, 5], 0, 1, "float32", 2);
    const a = await explain.integratedGradients(m, x, { steps: 16, baseline: -0.5 });
    const b = await explain.integratedGradients(m, x, { steps: 16, baseline: -0.5, batchSize: 1 });
    const c = await explain.integratedGradients(m, x, { steps: 16, baseline: -0.5, batchSize: 7 });
    close(values(b.attributions), values(a.attributions), 1e-6, "batch 1");
    close(values(c.attributions), values(a.attributions), 1e-6, "batch 7");
    assert.equal(b.batches, 1 + 3 * 16 + 3); // f(x) in one call, then path and baseline one row per call
    assert.ok(a.batches < b.batches);
  });
});

describe("GradientSHAP and SmoothGrad", () => {
  it("GradientSHAP on a linear model equals w ⊙ (x − background) and reports its gap", async () => {
    const f = (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1], [2], [-3]]));
    const e = await explain.gradientShap(f, tf.tensor2d([[3, 1, 5]]), { background: tf.tensor2d([[1, 0, 2]]), samples: 8 });
    close(values(e.attributions), [2, 2, -9], 1e-5, "φ");
    close(e.gap as number[], [0], 1e-4, "gap");
    const m = mlp(4);
    const g = await explain.gradientShap(m, tf.tensor2d([[0.5, -1, 1, 0.2]]), { background: tf.randomNormal([20, 4], 0, 1, "float32", 4), samples: 400, seed: 3 });
    assert.ok(Math.abs((g.gap as number[])[0]) < 0.1 * Math.abs(g.prediction[0] - (g.baseValue as number[])[0]) + 0.02, `gap ${g.gap}`);
  });

  it("SmoothGrad with σ → 0 equals the wrapped method; VarGrad is 0 on a linear model; same seed, same result", async () => {
    const m = mlp(4);
    const x = tf.tensor2d([[0.5, -1, 1, 0.2], [1, 1, -1, 0]]);
    const plain = await explain.saliency(m, x, { abs: false });
    const smooth = await explain.smoothGrad(m, x, { method: "saliency", abs: false, noise: 1e-7, samples: 4 });
    close(values(smooth.attributions), values(plain.attributions), 1e-4, "σ→0");
    const f = (v: tf.Tensor) => tf.matMul(v, tf.tensor2d([[1], [2], [-3], [0.5]]));
    const vg = await explain.smoothGrad(f, x, { variant: "variance", abs: false, samples: 8 });
    close(values(vg.attributions), [0, 0, 0, 0, 0, 0, 0, 0], 1e-6, "VarGrad");
    const a = await explain.smoothGrad(m, x, { samples: 6, seed: 9 });
    const b = await explain.smoothGrad(m, x, { samples: 6, seed: 9 });
    const c = await explain.smoothGrad(m, x, { samples: 6, seed: 10 });
    assert.deepEqual(values(a.attributions), values(b.attributions));
    assert.notDeepEqual(values(a.attributions), values(c.attributions));
    const ig = await explain.smoothGrad(m, x, { method: "integratedGradients", steps: 8, samples: 3, baseline: tf.zeros([2, 4]) });
    assert.deepEqual(ig.attributions.shape, [2, 4]);
  });
});
