import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { toDisplay } from "../../kernel/display/mime";
import * as explain from "../../kernel/explain";
import { cnn, cpu, multiLayer } from "./helpers";

before(cpu);

const PNG = "iVBORw0KGgo"; // base64 of the PNG signature

function bundle(e: explain.Explanation): Record<string, unknown> {
  const payload = toDisplay(e);
  assert.ok(payload, "an explanation always displays");
  return payload.data;
}

describe("explanation display bundle", () => {
  it("tabular: JSON with base value, features and gap; top-k text; a PNG", async () => {
    const e = await explain.exactShapley(multiLayer(), tf.tensor2d([[20, 50, 30]]), { target: 0, featureNames: ["age", "<img src=x onerror=alert(1)>", "bmi"] });
    const data = bundle(e);
    const doc = data[explain.EXPLANATION_MIME] as Record<string, any>;
    assert.equal(doc.version, 1);
    assert.equal(doc.method, "exactShapley");
    assert.equal(doc.modality, "tabular");
    assert.equal(doc.rows[0].prediction, 392);
    assert.equal(doc.rows[0].baseValue, 2);
    assert.ok(Math.abs(doc.rows[0].gap) < 1e-3);
    assert.deepEqual(doc.features.names, ["age", "<img src=x onerror=alert(1)>", "bmi"]);
    assert.deepEqual(doc.features.values, [[20, 50, 30]]);
    assert.equal(doc.diagnostics.evaluations, e.evaluations);
    const text = data["text/plain"] as string;
    assert.match(text, /exactShapley · target 0 · f\(x\) = 392 · base 2/);
    assert.ok(text.indexOf("<img") < text.indexOf("bmi") && text.indexOf("bmi") < text.indexOf("age"), "sorted by |φ|");
    assert.ok((data["image/png"] as string).startsWith(PNG));
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(doc)));
  });

  it("image: per-pixel maps at input size (Grad-CAM upsampled), input pixels as PNG", async () => {
    const img = tf.randomUniform([2, 8, 8, 1], 0, 1, "float32", 3);
    const e = await explain.gradCam(cnn(), img, { target: 0 });
    const doc = bundle(e)[explain.EXPLANATION_MIME] as Record<string, any>;
    assert.equal(doc.modality, "image");
    assert.deepEqual([doc.image.height, doc.image.width], [8, 8]);
    assert.deepEqual(doc.image.layerShape, [6, 6]);
    assert.equal(doc.image.attributions.length, 2);
    assert.equal(doc.image.attributions[0].length, 64);
    assert.ok(doc.image.pixels[0].base64.startsWith(PNG));
    assert.equal(doc.rows[0].gap, null);
    // The PNG fallback: both rows side by side, each scaled up to 128 px.
    const png = Buffer.from(bundle(e)["image/png"] as string, "base64");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2 * 128 + 4, 128]);
    assert.match(bundle(e)["text/plain"] as string, /pixel \(\d, \d\)/);
  });

  it("text: one attribution per token", async () => {
    const x = tf.randomNormal([1, 4, 3], 0, 1, "float32", 2);
    const f = (v: tf.Tensor) => tf.sum(tf.tanh(v), [1, 2]);
    const e = await explain.integratedGradients(f, x, { tokens: ["the", "movie", "was", "great"], steps: 16 });
    const doc = bundle(e)[explain.EXPLANATION_MIME] as Record<string, any>;
    assert.equal(doc.modality, "text");
    assert.deepEqual(doc.text.tokens[0], ["the", "movie", "was", "great"]);
    assert.equal(doc.text.attributions[0].length, 4);
  });
});
