// Every method leaves no tensors behind (beyond the explanation's own, freed by dispose) and does not
// change the model; exact Shapley does not depend on the batch size either.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as explain from "../../kernel/explain";
import { close, cnn, cpu, mlp, values } from "./helpers";

before(cpu);

describe("resources", () => {
  it("no method leaks tensors or changes the model", async () => {
    const m = mlp(4, 8, 3);
    const c = cnn();
    const x = tf.tensor2d([[0.5, -1, 1, 0.2], [1, 1, -1, 0]]);
    const img = tf.randomUniform([1, 8, 8, 1], 0, 1, "float32", 1);
    const bg = tf.randomNormal([4, 4], 0, 1, "float32", 2);
    const predictBefore = values(m.predict(x) as tf.Tensor);
    const runs: [string, () => Promise<explain.Explanation>][] = [
      ["saliency", () => explain.saliency(m, x)],
      ["inputXGradient", () => explain.inputXGradient(m, x)],
      ["smoothGrad", () => explain.smoothGrad(m, x, { samples: 3 })],
      ["integratedGradients", () => explain.integratedGradients(m, x, { steps: 8 })],
      ["gradientShap", () => explain.gradientShap(m, x, { background: bg, samples: 4, noise: 0.1 })],
      ["gradCam", () => explain.gradCam(c, img)],
      ["guidedBackprop", () => explain.guidedBackprop(c, img)],
      ["guidedGradCam", () => explain.guidedGradCam(c, img)],
      ["occlusion", () => explain.occlusion(c, img)],
      ["featureAblation", () => explain.featureAblation(m, x, { background: bg })],
      ["exactShapley", () => explain.exactShapley(m, x, { background: bg })],
      ["permutationShap", () => explain.permutationShap(m, x, { background: bg, samples: 2 })],
      ["kernelShap", () => explain.kernelShap(m, x, { background: bg })],
      ["lime", () => explain.lime(m, x, { background: bg })],
      ["linearShap", () => explain.linearShap((v: tf.Tensor) => tf.matMul(v, tf.ones([4, 1])), x, { background: bg })],
    ];
    for (const [name, run] of runs) {
      (await run()).dispose(); // warm-up: kernels and weights allocate once
      const before = tf.memory().numTensors;
      const e = await run();
      e.dispose();
      assert.equal(tf.memory().numTensors, before, `${name} leaked ${tf.memory().numTensors - before} tensors`);
    }
    assert.deepEqual(values(m.predict(x) as tf.Tensor), predictBefore);
  });

  it("exact Shapley is the same for any batch size", async () => {
    const m = mlp(5);
    const x = tf.randomNormal([2, 5], 0, 1, "float32", 3);
    const background = tf.randomNormal([3, 5], 0, 1, "float32", 4);
    const a = await explain.exactShapley(m, x, { background });
    for (const batchSize of [1, 7, 64]) {
      const b = await explain.exactShapley(m, x, { background, batchSize });
      close(b.features!.values.flat(), a.features!.values.flat(), 1e-6, `batch ${batchSize}`);
    }
  });
});
