import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as explain from "../../kernel/explain";
import { close, cpu, toyCnn, toyImage, values } from "./helpers";

before(cpu);

describe("Grad-CAM and guided backprop", () => {
  it("matches Captum's toy CNN before and after the ReLU", async () => {
    const m = toyCnn();
    const x = toyImage();
    close(values((m.predict(x) as tf.Tensor).slice([0, 0], [1, 1])), [54], 1e-4, "R12 f(x)");
    const after = await explain.gradCam(m, x, { layer: "conv1", relu: false, target: 0 });
    assert.deepEqual(after.attributions.shape, [1, 2, 2]);
    close(values(after.attributions), [0, 4, 28, 32.5], 1e-4, "R14 post-ReLU");
    const beforeRelu = await explain.gradCam(m, x, { layer: "conv1", activation: "before", relu: false, target: 0 });
    close(values(beforeRelu.attributions), [11.25, 13.5, 20.25, 22.5], 1e-4, "R13 pre-ReLU");
    // The layer's own call is restored afterwards: the model still predicts the same.
    close(values((m.predict(x) as tf.Tensor).slice([0, 0], [1, 1])), [54], 1e-4, "unchanged");
  });

  it("guided backprop and guided Grad-CAM match Captum, and the Relu gradient is restored", async () => {
    const m = toyCnn();
    const x = toyImage();
    const gb = await explain.guidedBackprop(m, x, { target: 0 });
    close(values(gb.attributions), [0, 1, 1, 1, 1, 3, 3, 2, 1, 3, 3, 2, 1, 2, 2, 1], 1e-5, "R15");
    const ggc = await explain.guidedGradCam(m, x, { layer: "conv1", relu: false, upsample: "nearest", target: 0 });
    close(values(ggc.attributions), [0, 0, 4, 4, 0, 0, 12, 8, 28, 84, 97.5, 65, 28, 56, 65, 32.5], 1e-4, "R17");
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(tf.tensor1d([-1, 2]));
    close(values(g), [0, 1], 0, "plain Relu gradient after the override");
  });

  it("highlights the region planted in a toy CNN's input", async () => {
    // One 3×3 detector for bright blobs, global average pool, one output.
    const m = tf.sequential({
      layers: [
        tf.layers.conv2d({ name: "detector", filters: 1, kernelSize: 3, padding: "same", inputShape: [12, 12, 1], activation: "relu", weights: [tf.ones([3, 3, 1, 1]), tf.tensor1d([-4])] }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 1, weights: [tf.ones([1, 1]), tf.tensor1d([0.1])] }),
      ],
    });
    const img = tf.buffer([1, 12, 12, 1]);
    for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) img.set(((y * 7 + x * 3) % 5) / 20, 0, y, x, 0);
    for (let y = 7; y < 10; y++) for (let x = 2; x < 5; x++) img.set(1, 0, y, x, 0); // the planted square
    const e = await explain.gradCam(m, img.toTensor());
    const map = values(e.attributions);
    const best = map.indexOf(Math.max(...map));
    const [by, bx] = [Math.floor(best / 12), best % 12];
    assert.ok(by >= 6 && by <= 10 && bx >= 1 && bx <= 5, `peak at (${by}, ${bx})`);
    const inside = map.filter((_, i) => Math.abs(Math.floor(i / 12) - 8) <= 1 && Math.abs((i % 12) - 3) <= 1).reduce((p, q) => p + q, 0);
    assert.ok(inside > 0.8 * map.reduce((p, q) => p + q, 0), "most of the map is on the square");
  });

  it("says which layers exist when the name is wrong", async () => {
    await assert.rejects(explain.gradCam(toyCnn(), toyImage(), { layer: "conv9" }), /layer 'conv9' not found; the model's conv layers are: conv1/);
    await assert.rejects(explain.gradCam((x: tf.Tensor) => x.sum([1, 2, 3]), toyImage()), /needs a tf.LayersModel/);
  });
});
