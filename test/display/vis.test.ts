// tfjs-vis in the kernel: every render/show call draws a Plotly figure with a kernel-drawn PNG;
// metrics compute what tfjs-vis computes; bad input says what to give instead.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { inflateSync } from "node:zlib";
import { installRichDisplay, tfvis } from "../../kernel/display/index";
import { figurePayload, PLOTLY_MIME, type Figure } from "../../kernel/display/figure";
import { TRAINING_MIME } from "../../kernel/display/training";
import { cpu, pngSize, RecordingSink, tf } from "./helpers";

let sink = new RecordingSink();
let cell = 0;
/** A fresh sink per test, as each cell gets its own. */
function freshSink(): RecordingSink {
  const s = new RecordingSink();
  (s as { cell?: string }).cell = `cell-${++cell}`;
  sink = s;
  return s;
}
before(async () => {
  await cpu();
  installRichDisplay(tf, () => sink);
});

function figureOf(i = -1): { figure: Figure; data: Record<string, unknown> } {
  const sent = sink.sent.at(i)!;
  const data = sent.payload.data;
  assert.ok(pngSize(data["image/png"] as string).width >= 600, "every chart carries a PNG");
  assert.equal(typeof data["text/plain"], "string");
  return { figure: data[PLOTLY_MIME] as Figure, data };
}

test("render.scatterplot and linechart: one trace per series, labels, axis domains", async () => {
  freshSink();
  const values = [[{ x: 1, y: 2 }, { x: 2, y: 3 }], [{ x: 1, y: 1 }, { x: 2, y: 0.5 }]];
  await tfvis.render.scatterplot({ name: "Horsepower v MPG", tab: "Data" }, { values, series: ["original", "predicted"] }, { xLabel: "hp", yLabel: "mpg", height: 300, yAxisDomain: [0, 4] });
  const { figure } = figureOf();
  assert.deepEqual(figure.data.map((t) => [t.type, t.mode, t.name, t.x, t.y]), [["scatter", "markers", "original", [1, 2], [2, 3]], ["scatter", "markers", "predicted", [1, 2], [1, 0.5]]]);
  assert.deepEqual(figure.layout, { title: { text: "Horsepower v MPG" }, height: 300, xaxis: { title: { text: "hp" } }, yaxis: { title: { text: "mpg" }, range: [0, 4] }, showlegend: true });
  await tfvis.render.linechart("loss", { values: values[0] });
  assert.equal(figureOf().figure.data[0].mode, "lines");
  assert.equal(sink.sent.length, 2);
});

test("drawing twice on one surface in a cell replaces the output; another cell gets a new one", async () => {
  const first = freshSink();
  await tfvis.render.linechart({ name: "live" }, { values: [{ x: 0, y: 1 }] });
  await tfvis.render.linechart({ name: "live" }, { values: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }] });
  assert.deepEqual(first.sent.map((s) => s.kind), ["show", "update"]);
  assert.equal(first.sent[0].displayId, first.sent[1].displayId);
  const second = freshSink();
  await tfvis.render.linechart({ name: "live" }, { values: [{ x: 0, y: 1 }] });
  assert.equal(second.sent[0].kind, "show");
  assert.notEqual(second.sent[0].displayId, first.sent[0].displayId);
});

test("render.barchart, histogram, heatmap (column-major like tfjs-vis), confusionMatrix and table", async () => {
  freshSink();
  await tfvis.render.barchart("bars", [{ index: "a", value: 1 }, { index: "b", value: 3 }]);
  assert.deepEqual(figureOf().figure.data[0].y, [1, 3]);
  await tfvis.render.histogram("hist", [1, 2, 2, 3, 3, 3].map((value) => ({ value })), { maxBins: 3 });
  const hist = figureOf().figure;
  assert.deepEqual(hist.data[0].y, [1, 2, 3]);
  assert.match((hist.layout!.title as { text: string }).text, /n=6 min=1 max=3/);
  await tfvis.render.heatmap("heat", { values: tf.tensor2d([[1, 2, 3], [4, 5, 6]]), xTickLabels: ["c0", "c1"], yTickLabels: ["r0", "r1", "r2"] });
  assert.deepEqual(figureOf().figure.data[0].z, [[1, 4], [2, 5], [3, 6]], "values[i] is the i-th column");
  await tfvis.render.confusionMatrix("cm", { values: [[5, 1], [2, 7]], tickLabels: ["cat", "dog"] });
  const cm = figureOf().figure;
  assert.deepEqual([cm.data[0].type, cm.data[0].x, cm.data[0].text], ["heatmap", ["cat", "dog"], [["5", "1"], ["2", "7"]]]);
  await tfvis.render.table("tbl", { headers: ["name", "value"], values: [["a", 1], ["<b>", 2.5]] });
  const { figure, data } = figureOf();
  assert.equal(figure.data[0].type, "table");
  assert.match(data["text/html"] as string, /&lt;b&gt;/);
  assert.match(data["text/plain"] as string, /name\s+value/);
});

test("show.modelSummary, layer, valuesDistribution, perClassAccuracy, confusionMatrix", async () => {
  freshSink();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], name: "hidden" }), tf.layers.dense({ units: 2, name: "out" })] });
  await tfvis.show.modelSummary({ name: "Model Summary" }, model);
  const summary = figureOf();
  assert.equal(summary.figure.data[0].type, "table");
  assert.deepEqual((summary.figure.data[0].cells as { values: string[][] }).values[2], ["16", "10"]);
  assert.match(summary.data["text/plain"] as string, /Total params: 26/);
  await tfvis.show.layer({ name: "hidden layer" }, model.getLayer("hidden"));
  assert.equal(sink.sent.length, 3, "a weights table and a distribution");
  assert.equal(figureOf(-2).figure.data[0].type, "table");
  assert.equal((figureOf(-1).figure.data[0].y as number[]).reduce((a, b) => a + b, 0), 16, "every weight value is counted");
  await tfvis.show.valuesDistribution("dist", tf.tensor1d([0, 1, 1, 2], "int32"));
  assert.deepEqual(figureOf().figure.data[0].y, [1, 2, 1], "integer-valued data gets a bin per value");
  await tfvis.show.perClassAccuracy("acc", [{ accuracy: 0.5, count: 4 }, { accuracy: 1, count: 2 }], ["cat", "dog"]);
  assert.deepEqual(figureOf().figure.data[0].x, ["cat", "dog"]);
  await tfvis.show.confusionMatrix("cm", [[1, 0], [0, 1]], ["cat", "dog"]);
  assert.equal(figureOf().figure.data[0].type, "heatmap");
  tfvis.show.history("history", { history: { loss: [1, 0.5], val_loss: [1.2, 0.7] } }, ["loss"]);
  assert.ok(sink.sent.at(-1)!.payload.data[TRAINING_MIME], "history keeps drawing training curves");
});

test("metrics: accuracy, perClassAccuracy, confusionMatrix from class-index tensors", async () => {
  const labels = tf.tensor1d([0, 1, 2, 2, 1], "int32"), preds = tf.tensor1d([0, 2, 2, 2, 1], "int32");
  assert.equal(await tfvis.metrics.accuracy(labels, preds), 0.8);
  assert.deepEqual(await tfvis.metrics.perClassAccuracy(labels, preds), [{ accuracy: 1, count: 1 }, { accuracy: 0.5, count: 2 }, { accuracy: 1, count: 2 }]);
  assert.deepEqual(await tfvis.metrics.confusionMatrix(labels, preds), [[1, 0, 0], [0, 1, 1], [0, 0, 2]]);
  await assert.rejects(tfvis.metrics.accuracy(tf.tensor2d([[1, 0]]), preds), /1-D.*argMax/);
});

test("bad input names the call and the expected shape of the data", () => {
  freshSink();
  assert.throws(() => tfvis.render.scatterplot("s", { values: [{ x: 1, y: "2" }] as never }), /tfvis\.render\.scatterplot: series 0, point 0 .*\{ x: number, y: number \}/);
  assert.throws(() => tfvis.render.heatmap("h", { values: [[1, "a"]] as never }), /2-D array of numbers/);
  assert.throws(() => tfvis.show.modelSummary("m", {} as never), /tf\.LayersModel/);
  assert.throws(() => figurePayload({ layout: {} }), /no `data` array/);
  assert.equal(sink.sent.length, 0);
});

test("the PNG draws the chart: pixels in the series colours", () => {
  const png = figurePayload({ data: [{ type: "bar", x: ["a", "b"], y: [1, 2], marker: { color: "#ff0000" } }] }).data["image/png"] as string;
  const bytes = Buffer.from(png, "base64");
  assert.ok(bytes.length > 1000);
  // Re-inflate the one IDAT chunk (RGB rows, each after a filter byte) and count pure red pixels.
  const { width, height } = pngSize(png);
  const raw = inflateSync(bytes.subarray(bytes.indexOf("IDAT") + 4, bytes.indexOf("IEND") - 8));
  let red = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = y * (width * 3 + 1) + 1 + x * 3;
    if (raw[i] === 255 && raw[i + 1] === 0 && raw[i + 2] === 0) red++;
  }
  assert.ok(red > 1000, `${red} red pixels`);
});
