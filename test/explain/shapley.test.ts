import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as explain from "../../kernel/explain";
import { close, cpu, linear, mlp, multiLayer, values } from "./helpers";

before(cpu);

const phi = (e: explain.Explanation, r = 0) => (e.features as { values: number[][] }).values[r];

describe("exact Shapley and linear SHAP", () => {
  it("matches Captum's BasicModel_MultiLayer values", async () => {
    const m = multiLayer();
    close(phi(await explain.exactShapley(m, tf.tensor2d([[20, 50, 30]]), { target: 0 })), [76.6667, 196.6667, 116.6667], 1e-3, "R7");
    close(phi(await explain.exactShapley(m, tf.tensor2d([[2, 10, 3]]), { target: 0 })), [7, 32.5, 10.5], 1e-4, "R8");
  });

  it("equals w_i (x_i − E[x_i]) on a linear model, and linearShap agrees", async () => {
    const m = linear([1, 2, 0], 0.5);
    const background = tf.tensor2d([[0, 0, 0], [2, 2, 2], [4, -2, 1]]);
    const e = await explain.exactShapley(m, tf.tensor2d([[3, 1, 5]]), { background });
    close(phi(e), [1, 2, 0], 1e-5, "R10");
    close(e.baseValue as number[], [2.5], 1e-5, "base");
    close(e.prediction, [5.5], 1e-5, "f(x)");
    const w = [0.5, -1.5, 2, 0.25, -3];
    const bg = tf.randomNormal([40, 5], 1, 2, "float32", 8);
    const x = tf.randomNormal([3, 5], 0, 1, "float32", 9);
    const mean = values(tf.mean(bg, 0));
    const expected = values(x).map((v, i) => w[i % 5] * (v - mean[i % 5]));
    const exact = await explain.exactShapley(linear(w, -1), x, { background: bg });
    close(exact.features!.values.flat(), expected, 1e-4, "exact");
    const closed = await explain.linearShap(linear(w, -1), x, { background: bg });
    close(values(closed.attributions), expected, 1e-4, "linearShap");
    await assert.rejects(explain.linearShap(mlp(5), x, { background: bg }), /not linear/);
  });

  it("satisfies efficiency, symmetry and dummy", async () => {
    // f depends on x0, x1 symmetrically (with an interaction) and on x3; x2 is unused.
    const f = (x: tf.Tensor) => {
      const [a, b, , d] = tf.split(x, 4, 1);
      return tf.add(tf.add(tf.mul(tf.tanh(tf.add(a, b)), 2), tf.mul(a, b)), tf.sin(d));
    };
    const x = tf.tensor2d([[0.7, 0.7, 3, -1.2], [1.5, 1.5, -2, 0.4]]);
    const background = tf.tensor2d([[0, 0, 0, 0], [-1, -1, 1, 2], [0.5, 0.5, 0.5, 0.5]]);
    const e = await explain.exactShapley(f, x, { background });
    for (let r = 0; r < 2; r++) {
      assert.ok(Math.abs((e.gap as number[])[r]) < 1e-5, `efficiency row ${r}: ${e.gap}`);
      close([phi(e, r)[0]], [phi(e, r)[1]], 1e-6, "symmetry");
      close([phi(e, r)[2]], [0], 1e-7, "dummy");
    }
    // A feature equal to every background value gets exactly 0 (SHAP's non-varying feature test).
    const same = await explain.exactShapley(mlp(3), tf.tensor2d([[1, 2, 3]]), { background: tf.tensor2d([[0, 2, 1], [5, 2, -1]]) });
    assert.equal(phi(same)[1], 0);
  });

  it("refuses jobs above maxEvaluations instead of dropping features", async () => {
    const x = tf.zeros([1, 20]);
    await assert.rejects(explain.exactShapley(mlp(20), x, { background: tf.zeros([100, 20]) }), /2\^20 × 100 × 1 = 104,857,600 model evaluations/);
  });
});

describe("KernelSHAP and permutation SHAP", () => {
  it("KernelSHAP with a full budget equals exact Shapley on a nonlinear model", async () => {
    const m = mlp(6, 16, 1, 4);
    const x = tf.randomNormal([2, 6], 0, 1, "float32", 1);
    const background = tf.randomNormal([10, 6], 0, 1, "float32", 2);
    const exact = await explain.exactShapley(m, x, { background });
    const kernel = await explain.kernelShap(m, x, { background, samples: 62 });
    assert.equal(kernel.details.exact, true);
    close(kernel.features!.values.flat(), exact.features!.values.flat(), 1e-4, "kernel = exact");
    close(phi(await explain.kernelShap(multiLayer(), tf.tensor2d([[20, 50, 30]]), { target: 0 })), [76.6667, 196.6667, 116.6667], 1e-3, "R9");
  });

  it("KernelSHAP with a small budget is close, efficient, seeded, and batch-size independent", async () => {
    const m = mlp(10, 16, 1, 5);
    const x = tf.randomNormal([1, 10], 0, 1, "float32", 3);
    const background = tf.randomNormal([8, 10], 0, 1, "float32", 4);
    const exact = phi(await explain.exactShapley(m, x, { background }));
    const a = await explain.kernelShap(m, x, { background, samples: 300, seed: 1 });
    assert.equal(a.details.exact, false);
    assert.ok(Math.abs((a.gap as number[])[0]) < 1e-5, "efficiency");
    const scale = Math.max(...exact.map(Math.abs));
    phi(a).forEach((v, i) => assert.ok(Math.abs(v - exact[i]) < 0.1 * scale, `feature ${i}: ${v} vs ${exact[i]}`));
    const b = await explain.kernelShap(m, x, { background, samples: 300, seed: 1, batchSize: 5 });
    const c = await explain.kernelShap(m, x, { background, samples: 300, seed: 2 });
    close(phi(b), phi(a), 1e-6, "same seed, batch 5");
    assert.ok(b.batches > a.batches);
    assert.notDeepEqual(phi(c), phi(a));
  });

  it("permutation SHAP is exact for pairwise interactions (SHAP's second-order test) and seeded", async () => {
    const f = (x: tf.Tensor) => {
      const [x0, x1, x2, x3] = tf.split(x, 5, 1);
      return tf.addN([tf.mul(x0, x2), x1, x2, tf.mul(x2, x3)]);
    };
    const e = await explain.permutationShap(f, tf.ones([1, 5]), { samples: 1 });
    close(phi(e), [0.5, 1, 2, 0.5, 0], 1e-6, "R11");
    const m = mlp(6);
    const x = tf.randomNormal([2, 6], 0, 1, "float32", 6);
    const bg = tf.randomNormal([5, 6], 0, 1, "float32", 7);
    const a = await explain.permutationShap(m, x, { background: bg, samples: 4, seed: 3 });
    const b = await explain.permutationShap(m, x, { background: bg, samples: 4, seed: 3, batchSize: 2 });
    assert.deepEqual(a.features!.values, b.features!.values);
    a.gap!.forEach((g) => assert.ok(Math.abs(g) < 1e-5, "efficiency per walk"));
    assert.ok((a.details.cacheHits as number) > 0, "shared coalitions come from the cache");
  });
});

describe("LIME", () => {
  it("without regularisation recovers a linear model's coefficients", async () => {
    const f = (x: tf.Tensor) => tf.add(tf.matMul(x, tf.tensor2d([[1], [2], [-3]])), 0.25);
    const e = await explain.lime(f, tf.tensor2d([[3, 1, 5]]), { baseline: tf.tensor1d([1, 0, 2]) });
    close(phi(e), [2, 2, -9], 1e-4, "R19 coefficients");
    close(e.details.intercept as number[], [-4.75], 1e-4, "intercept f(x′)");
    close(e.details.r2 as number[], [1], 1e-6, "R²");
    // Sampled masks (2^10 > 200) and a different kernel: still exact, the model is linear in the mask.
    const w = [1, -2, 0.5, 3, 0, -1, 2, 1.5, -0.5, 4];
    const x = tf.randomNormal([1, 10], 0, 1, "float32", 12);
    const s = await explain.lime(linear(w, 1), x, { samples: 200, kernelWidth: 0.3, seed: 5 });
    close(phi(s), values(x).map((v, i) => w[i] * v), 1e-4, "sampled");
  });

  it("with the Shapley kernel is KernelSHAP; same seed, same result", async () => {
    const m = mlp(5, 8, 1, 9);
    const x = tf.randomNormal([1, 5], 0, 1, "float32", 13);
    const background = tf.randomNormal([6, 5], 0, 1, "float32", 14);
    const exact = phi(await explain.exactShapley(m, x, { background }));
    close(phi(await explain.lime(m, x, { background, kernel: "shapley" })), exact, 1e-4, "shapley kernel");
    const a = await explain.lime(m, tf.randomNormal([1, 12], 0, 1, "float32", 1).slice([0, 0], [1, 5]), { samples: 20, seed: 4 });
    const b = await explain.lime(m, tf.randomNormal([1, 12], 0, 1, "float32", 1).slice([0, 0], [1, 5]), { samples: 20, seed: 4 });
    assert.deepEqual(phi(a), phi(b));
  });
});
