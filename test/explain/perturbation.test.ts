import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as explain from "../../kernel/explain";
import { close, cpu, cnn, multiLayer, values } from "./helpers";

before(cpu);

describe("occlusion and feature ablation", () => {
  it("feature ablation matches Captum, for any batch size", async () => {
    const m = multiLayer();
    for (const batchSize of [1, 2, 3, undefined]) {
      close(values((await explain.featureAblation(m, tf.tensor2d([[20, 50, 30]]), { target: 0, batchSize })).attributions), [80, 200, 120], 1e-4, `R5 batch ${batchSize}`);
      close(values((await explain.featureAblation(m, tf.tensor2d([[2, 10, 3]]), { target: 0, batchSize })).attributions), [8, 35, 12], 1e-4, `R6 batch ${batchSize}`);
    }
    const grouped = await explain.featureAblation(m, tf.tensor2d([[20, 50, 30]]), { target: 0, featureMask: [0, 0, 1] });
    close(values(grouped.attributions), [280, 280, 120], 1e-4, "groups");
  });

  it("occlusion averages windows cut at the border, for any batch size", async () => {
    const m = multiLayer();
    const x = tf.tensor2d([[20, 50, 30]]);
    close(values((await explain.occlusion(m, x, { target: 0, window: [2], strides: [2] })).attributions), [280, 280, 120], 1e-4, "stride 2");
    const img = tf.randomUniform([2, 8, 8, 1], 0, 1, "float32", 3);
    const a = await explain.occlusion(cnn(), img, { window: [3, 3, 1], strides: [2, 2, 1], target: 1 });
    const b = await explain.occlusion(cnn(), img, { window: [3, 3, 1], strides: [2, 2, 1], target: 1, batchSize: 3 });
    close(values(b.attributions), values(a.attributions), 1e-6, "batch 3");
    assert.equal(a.details.windows, 16);
  });
});

describe("image segments", () => {
  it("LIME on SLIC superpixels: segments follow the image, attributions land on the region the model reads", async () => {
    // Left half dark, right half bright with a texture; the model sums the right half only.
    const img = tf.buffer([1, 12, 12, 1]);
    for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) img.set(x < 6 ? 0.1 : 0.8 + ((x + y) % 2) * 0.05, 0, y, x, 0);
    const f = (v: tf.Tensor) => tf.sum(v.slice([0, 0, 6, 0], [-1, 12, 6, 1]), [1, 2, 3]);
    const e = await explain.lime(f, img.toTensor(), { segmentation: "superpixels", segments: 8 });
    const m = e.features!.names.length;
    assert.ok(m >= 4 && m <= 12, `${m} segments`);
    const att = values(e.attributions);
    for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) {
      const v = att[y * 12 + x];
      if (x < 6) close([v], [0], 1e-4, `left (${y}, ${x})`);
      else assert.ok(v > 0, `right (${y}, ${x}) = ${v}`);
    }
    assert.ok(Math.abs(e.gap![0]) < 1e-3, "linear model: LIME is exact");
    await assert.rejects(explain.lime(f, tf.zeros([2, 12, 12, 1]), { segmentation: "superpixels" }), /one image at a time/);
  });
});
