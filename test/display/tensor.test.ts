import assert from "node:assert/strict";
import { before, test } from "node:test";
import { toDisplay as maybeDisplay } from "../../kernel/display/mime";
import { installRichDisplay } from "../../kernel/display/index";
import { TENSOR_MIME, formatTensor, sampleStrides, type TensorPayloadV1 } from "../../kernel/display/tensor";
import { cpu, pngSize, RecordingSink, tf } from "./helpers";

function toDisplay(value: unknown) {
  const shown = maybeDisplay(value);
  assert.ok(shown, "a tensor always displays");
  return shown;
}
const payloadOf = (t: unknown) => toDisplay(t).data[TENSOR_MIME] as TensorPayloadV1;

before(async () => {
  await cpu();
  installRichDisplay(tf, () => new RecordingSink());
});

test("every tensor shown through toDisplay gets the tensor bundle with a text fallback", () => {
  const shown = toDisplay(tf.tensor2d([[1, 2], [3, 4]]));
  const p = shown.data[TENSOR_MIME] as TensorPayloadV1;
  assert.equal(p.version, 1);
  assert.deepEqual(p.shape, [2, 2]);
  assert.equal(p.dtype, "float32");
  assert.equal(p.backend, "cpu");
  assert.equal(p.size, 4);
  assert.deepEqual(p.preview.values, [[1, 2], [3, 4]]);
  assert.equal(p.view.default, "table");
  const text = shown.data["text/plain"] as string;
  assert.match(text.split("\n")[0], /^Tensor float32\[2,2\] cpu x∈\[1, 4\] μ=2\.5 σ=1\.118/);
  assert.match(text, /\[\[1, 2\],\n \[3, 4\]\]/);
  // A round trip through JSON is what the notebook stores: nothing may be lost or turned to null.
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
});

test("stats count zeros, NaN, +Inf and −Inf and ignore them for min/max/mean/std", () => {
  const p = payloadOf(tf.tensor1d([0, 1, NaN, Infinity, -Infinity, 3, 0, NaN]));
  assert.deepEqual(
    { ...p.stats, std: Number(p.stats!.std!.toFixed(6)) },
    { min: 0, max: 3, mean: 1, std: Number(Math.sqrt((1 + 0 + 4 + 1) / 4).toFixed(6)), finite: 4, zeros: 2, nan: 2, posInf: 1, negInf: 1 },
  );
  assert.deepEqual(p.preview.values, [0, 1, "NaN", "Infinity", "-Infinity", 3, 0, "NaN"]);
  assert.equal(p.histogram!.counts.reduce((a, b) => a + b, 0), 4, "histogram holds finite values only");
  const text = toDisplay(tf.tensor1d([NaN, Infinity, 1])).data["text/plain"] as string;
  assert.match(text, /NaN×1 \+Inf×1/);
});

test("data is base64 little-endian and decodes to the tensor's values", () => {
  const values = [1.5, -2, 3.25, 1e-8, 7];
  const p = payloadOf(tf.tensor1d(values));
  const bytes = Buffer.from(p.data!.bytes, "base64");
  const decoded = Array.from({ length: values.length }, (_, i) => bytes.readFloatLE(i * 4));
  assert.deepEqual(decoded, Array.from(new Float32Array(values)));
  const ints = payloadOf(tf.tensor1d([1, -2, 300], "int32"));
  const ib = Buffer.from(ints.data!.bytes, "base64");
  assert.deepEqual([ib.readInt32LE(0), ib.readInt32LE(4), ib.readInt32LE(8)], [1, -2, 300]);
  assert.equal(payloadOf(tf.tensor1d([true, false], "bool")).data!.dtype, "uint8");
});

test("large tensors are summarized with edge items and downsampled with a note, stats from all values", () => {
  const t = tf.range(0, 1_000_000).reshape([1000, 1000]);
  const shown = toDisplay(t);
  const p = shown.data[TENSOR_MIME] as TensorPayloadV1;
  assert.equal(p.preview.summarized, true);
  const rows = p.preview.values as unknown[][];
  assert.equal(rows.length, 7);
  assert.equal(rows[3], null);
  assert.deepEqual(rows[0], [0, 1, 2, null, 997, 998, 999]);
  assert.equal(p.data!.downsampled, true);
  assert.ok(p.data!.shape[0] * p.data!.shape[1] <= 1 << 18);
  assert.match(p.data!.note!, /downsampled/);
  assert.equal(Buffer.from(p.data!.bytes, "base64").length, p.data!.shape[0] * p.data!.shape[1] * 4);
  // First sampled row, second sampled element is x[0][stride]:
  assert.equal(Buffer.from(p.data!.bytes, "base64").readFloatLE(4), p.data!.strides[1]);
  assert.equal(p.stats!.max, 999_999);
  assert.equal(p.stats!.mean, 499_999.5);
  assert.equal(p.view.default, "heatmap");
  assert.ok(pngSize(shown.data["image/png"] as string).width > 0, "heatmap PNG fallback");
  assert.match(shown.data["text/plain"] as string, /\.\.\./);
});

test("sampleStrides keeps small channel axes and meets the cap", () => {
  const strides = sampleStrides([4096, 4096, 3], 1 << 18);
  assert.equal(strides[2], 1);
  assert.ok(Math.ceil(4096 / strides[0]) * Math.ceil(4096 / strides[1]) * 3 <= 1 << 18);
});

test("image-like tensors suggest the image view and carry a PNG; batches make a grid", () => {
  const rgb = toDisplay(tf.randomUniform([32, 32, 3]));
  const p = rgb.data[TENSOR_MIME] as TensorPayloadV1;
  assert.equal(p.view.default, "image");
  assert.equal(p.view.layout, "HWC");
  assert.deepEqual(p.view.valueRange, [0, 1]);
  assert.ok(rgb.data["image/png"]);
  const batch = toDisplay(tf.randomUniform([4, 28, 28, 1], 0, 255, "int32"));
  const b = batch.data[TENSOR_MIME] as TensorPayloadV1;
  assert.equal(b.view.layout, "NHWC");
  assert.deepEqual(b.view.valueRange, [0, 255]);
  const size = pngSize(batch.data["image/png"] as string);
  assert.ok(size.width > 28 * 2 && size.height > 28 * 2, "2×2 grid of tiles");
});

test("small, 1-D and string tensors: table or histogram view, no PNG", () => {
  assert.equal(payloadOf(tf.scalar(3)).view.default, "table");
  const long = toDisplay(tf.randomNormal([5000]));
  assert.equal((long.data[TENSOR_MIME] as TensorPayloadV1).view.default, "histogram");
  assert.equal(long.data["image/png"], undefined);
  const s = toDisplay(tf.tensor1d(["a", "<b>"]));
  const sp = s.data[TENSOR_MIME] as TensorPayloadV1;
  assert.equal(sp.stats, null);
  assert.equal(sp.data, null);
  assert.deepEqual(sp.preview.values, ["a", "<b>"]);
  assert.match(s.data["text/plain"] as string, /string\[2\]/);
});

test("variables carry their name, disposed tensors still display", () => {
  const v = tf.variable(tf.zeros([2]), true, "dense/kernel");
  assert.equal(payloadOf(v).name, "dense/kernel");
  assert.match(toDisplay(v).data["text/plain"] as string, /all zeros/);
  const t = tf.ones([2]);
  t.dispose();
  assert.match(toDisplay(t).data["text/plain"] as string, /disposed/);
});

test("formatTensor honours a smaller data cap", () => {
  const p = formatTensor(tf, tf.ones([100, 100]), { maxDataElements: 100 }).data[TENSOR_MIME] as TensorPayloadV1;
  assert.ok(p.data!.shape[0] * p.data!.shape[1] <= 100);
});

test("payload keys are exactly the documented schema (docs/mime/tensor.v1.md)", () => {
  const p = payloadOf(tf.variable(tf.randomUniform([8, 8, 3]), true, "img"));
  assert.deepEqual(Object.keys(p).sort(), ["backend", "data", "dtype", "histogram", "name", "preview", "shape", "size", "stats", "version", "view"]);
  assert.deepEqual(Object.keys(p.stats!).sort(), ["finite", "max", "mean", "min", "nan", "negInf", "posInf", "std", "zeros"]);
  assert.deepEqual(Object.keys(p.preview).sort(), ["edgeItems", "summarized", "threshold", "values"]);
  assert.deepEqual(Object.keys(p.data!).sort(), ["byteOrder", "bytes", "downsampled", "dtype", "encoding", "shape", "strides"]);
  assert.deepEqual(Object.keys(p.view).sort(), ["available", "default", "layout", "valueRange"]);
  assert.deepEqual(Object.keys(p.histogram!).sort(), ["counts", "edges"]);
});
