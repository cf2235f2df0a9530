import assert from "node:assert/strict";
import { before, test } from "node:test";
import { configureRichDisplay, installRichDisplay, tfvis, trainingCurves } from "../../kernel/display/index";
import { toDisplay } from "../../kernel/display/mime";
import { modelHtml } from "../../kernel/display/model";
import { TRAINING_MIME, TrainingMonitor, inferMetric, type TrainingPayloadV1 } from "../../kernel/display/training";
import { cpu, pngSize, RecordingSink, tf, type Sent } from "./helpers";

let sink = new RecordingSink();
before(async () => {
  await cpu();
  installRichDisplay(tf, () => sink);
});

const stateOf = (s: Sent) => s.payload.data[TRAINING_MIME] as TrainingPayloadV1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertFinal(sent: Sent[], status: string): TrainingPayloadV1 {
  const last = sent[sent.length - 1];
  const state = stateOf(last);
  assert.equal(last.kind, "update");
  assert.equal(state.status, status);
  assert.ok(pngSize(last.payload.data["image/png"] as string).width > 100, "final update carries the curves as PNG");
  assert.equal(last.payload.data["text/plain"], state.summary);
  assert.ok(sent.every((s) => s.displayId === state.runId), "all payloads use the run id as display id");
  assert.equal(sent.filter((s) => s.kind === "show").length, 1);
  const seqs = sent.map((s) => stateOf(s).seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  return state;
}

test("metric metadata is inferred from Keras names", () => {
  assert.deepEqual(inferMetric("val_loss"), { key: "val_loss", group: "loss", split: "val", goal: "min" });
  assert.deepEqual(inferMetric("acc"), { key: "acc", group: "acc", split: "train", goal: "max", domain: [0, 1] });
  assert.deepEqual(inferMetric("accuracy"), { key: "accuracy", group: "accuracy", split: "train", goal: "max", domain: [0, 1] });
  assert.deepEqual(inferMetric("lr"), { key: "lr", group: "lr", split: "train" });
});

test("a burst of batches is throttled to ≤ ~10 updates/s and the final update always comes", async () => {
  const rec = new RecordingSink();
  const monitor = new TrainingMonitor(rec, { title: "burst", epochs: 2, batchesPerEpoch: 2500 });
  const started = Date.now();
  for (let epoch = 0; epoch < 2; epoch++) {
    for (let i = 0; i < 2500; i++) {
      monitor.batch({ loss: 1 / (1 + i), acc: i / 2500 });
      if (i % 500 === 0) await sleep(30); // yields like tfjs does between batches
    }
    monitor.epoch({ loss: 0.5 - epoch * 0.1, val_loss: 0.6 - epoch * 0.1 });
  }
  monitor.done();
  const elapsed = Date.now() - started;
  assert.ok(rec.sent.length <= Math.ceil(elapsed / 100) + 2, `${rec.sent.length} payloads in ${elapsed} ms`);
  assert.ok(rec.sent.length >= 2);
  const gaps = rec.sent.slice(1, -1).map((s, i) => s.at - rec.sent[i].at);
  // Throttling spaces the starts of emissions; building a payload takes a few ms, hence the slack.
  assert.ok(gaps.every((g) => g >= 90), `~100 ms between throttled updates: ${gaps}`);
  const final = assertFinal(rec.sent, "completed");
  assert.equal(final.progress.fraction, 1);
  assert.deepEqual(final.metrics.map((m) => m.key), ["loss", "acc", "val_loss"]);
  assert.deepEqual(final.series.epoch.step, [1, 2]);
  assert.deepEqual(final.series.epoch.batchStep, [2500, 5000]);
  assert.deepEqual(final.series.epoch.values.val_loss, [0.6, 0.5]);
  assert.equal(final.series.epoch.values.acc, undefined, "only metrics logged per epoch have an epoch column");
  // 5000 batches are bucket-averaged to ≤ 1000 points, with a note of it.
  assert.equal(final.series.batch.step.length, 1000);
  assert.equal(final.series.batch.aggregated?.bucket, 5);
  const firstBucket = Array.from({ length: 5 }, (_, i) => 1 / (1 + i)).reduce((a, b) => a + b) / 5;
  assert.ok(Math.abs(final.series.batch.values.loss[0]! - firstBucket) < 1e-6, "a bucket holds the mean of its points");
  assert.equal(final.series.batch.aggregated?.rawLength, 5000);
  assert.equal(final.series.batch.step.at(-1), 5000);
  assert.match(final.summary!, /best val_loss=0\.5 @ epoch 2/);
  await sleep(150);
  assert.equal(rec.sent.length, monitor.emitted, "nothing arrives after done()");
});

test("a trailing update shows the latest values when logging pauses", async () => {
  const rec = new RecordingSink();
  const monitor = new TrainingMonitor(rec, { minIntervalMs: 50 });
  monitor.batch({ loss: 3 });
  monitor.batch({ loss: 2 });
  monitor.batch({ loss: 1 });
  assert.equal(rec.sent.length, 1);
  await sleep(120);
  assert.equal(rec.sent.length, 2);
  assert.deepEqual(stateOf(rec.sent[1]).series.batch.values.loss, [3, 2, 1]);
  assert.equal(stateOf(rec.sent[1]).status, "running");
  assert.equal(rec.sent[1].payload.data["image/png"], undefined, "no PNG until the run ends");
  monitor.done("stopped");
  assertFinal(rec.sent, "stopped");
});

test("model.fit draws live curves into the sink of the cell that started it", async () => {
  sink = new RecordingSink();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: "relu" }), tf.layers.dense({ units: 1 })] });
  model.compile({ optimizer: "adam", loss: "meanSquaredError", metrics: ["mae"] });
  const x = tf.randomNormal([64, 4]);
  const y = x.sum(1, true);
  const cellSink = sink;
  const fitting = model.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0 });
  sink = new RecordingSink(); // the next cell starts; late updates must still go to the first one
  const history = await fitting;
  assert.equal(history.epoch.length, 3);
  assert.equal(sink.sent.length, 0);
  const final = assertFinal(cellSink.sent, "completed");
  assert.equal(final.title, `${model.name}.fit`);
  assert.deepEqual(final.progress, { ...final.progress, epoch: 3, epochs: 3, batchesPerEpoch: 3 });
  assert.deepEqual(final.series.epoch.step, [1, 2, 3]);
  assert.deepEqual(new Set(final.metrics.map((m) => m.key)), new Set(["loss", "mae", "val_loss", "val_mae"]));
  assert.equal(final.series.batch.step.length, 9);
  assert.ok(final.series.epoch.values.val_loss.every((v) => typeof v === "number"));
  assert.deepEqual(final.metrics.find((m) => m.key === "val_mae"), { key: "val_mae", group: "mae", split: "val", goal: "min" });
});

test("fit opt-outs: per call, session-wide, and when tfvis-style callbacks already draw", async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  const x = tf.ones([8, 2]), y = tf.ones([8, 1]);
  sink = new RecordingSink();
  await model.fit(x, y, { epochs: 1, verbose: 0, glassbox: { liveCurves: false } });
  assert.equal(sink.sent.length, 0);
  configureRichDisplay({ liveCurves: false });
  try { await model.fit(x, y, { epochs: 1, verbose: 0 }); } finally { configureRichDisplay({ liveCurves: true }); }
  assert.equal(sink.sent.length, 0);
  // tfjs-vis style: one chart (the tfvis one, titled by its surface), not two.
  await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: tfvis.show.fitCallbacks({ name: "My training" }, ["loss"]) });
  const ids = new Set(sink.sent.map((s) => s.displayId));
  assert.equal(ids.size, 1);
  assert.equal(stateOf(sink.sent[0]).title, "My training");
  assertFinal(sink.sent, "completed");
});

test("fit with tfjs Callback instances (early stopping) keeps working and reports a stopped run", async () => {
  sink = new RecordingSink();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: tf.train.sgd(0), loss: "meanSquaredError" }); // lr 0: loss never improves
  const x = tf.ones([8, 1]), y = tf.zeros([8, 1]);
  const history = await model.fit(x, y, { epochs: 20, verbose: 0, validationSplit: 0.5, callbacks: [tf.callbacks.earlyStopping({ monitor: "val_loss", patience: 1 })] });
  assert.ok(history.epoch.length < 20);
  const final = assertFinal(sink.sent, "stopped");
  assert.equal(final.series.epoch.step.length, history.epoch.length);
});

test("fitDataset is patched too", async () => {
  sink = new RecordingSink();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  const ds = tf.data.zip({ xs: tf.data.array([[1, 2], [3, 4], [5, 6], [7, 8]]), ys: tf.data.array([[1], [2], [3], [4]]) }).batch(2);
  await model.fitDataset(ds as never, { epochs: 2, verbose: 0 });
  const final = assertFinal(sink.sent, "completed");
  assert.equal(final.title, `${model.name}.fitDataset`);
  assert.equal(final.series.batch.step.length, 4);
});

test("trainingCurves: the custom-loop API and its fit callbacks", async () => {
  sink = new RecordingSink();
  const run = trainingCurves({ title: "custom loop", metrics: [{ key: "reward", group: "reward", goal: "max" }] });
  assert.equal(sink.sent.length, 1, "shown at once");
  for (let step = 1; step <= 50; step++) run.log(step * 10, { reward: step });
  run.epoch(undefined, { reward: 50, val_reward: 40 });
  run.done();
  const final = assertFinal(sink.sent, "completed");
  assert.equal(final.series.batch.step.at(-1), 500);
  assert.deepEqual(final.metrics.find((m) => m.key === "reward"), { key: "reward", group: "reward", split: "train", goal: "max" });
  assert.match(final.summary!, /best reward=50/);
});

test("tfvis.show.history and the model summary", () => {
  sink = new RecordingSink();
  tfvis.show.history("history", { history: { loss: [3, 2, 1], val_loss: [3.5, 2.5, 2] } });
  const final = assertFinal(sink.sent, "completed");
  assert.deepEqual(final.series.epoch.values.loss, [3, 2, 1]);
  assert.ok(sink.sent.length <= 2);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: "hidden" }), tf.layers.dense({ units: 2 })] });
  const shown = toDisplay(model)!;
  const text = shown.data["text/plain"] as string;
  assert.match(text, /Total params: 23/);
  assert.match(text, /hidden \(Dense\)\s+\[null,3\]\s+15/);
  assert.match(shown.data["text/html"] as string, /<td[^>]*>hidden <span[^>]*>\(Dense\)<\/span><\/td>/);
  // tfjs rejects such layer names, but a custom layer's class name or a model name is free text.
  const html = modelHtml({ name: "m<script>x()</script>", totalParams: 1, trainableParams: 1, layers: [{ name: "<img src=x onerror=alert(1)>", type: "Custom", outputShape: "[1]", params: 1, trainable: true }] });
  assert.ok(!html.includes("<img") && !html.includes("<script"), "names are escaped");
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test("payload keys are exactly the documented schema (docs/mime/training.v1.md)", () => {
  const monitor = new TrainingMonitor(new RecordingSink(), { epochs: 2, batchesPerEpoch: 2 });
  monitor.batch({ loss: 1 });
  monitor.epoch({ loss: 1, val_loss: 2 });
  const running = monitor.state();
  assert.deepEqual(Object.keys(running).sort(), ["metrics", "progress", "runId", "seq", "series", "startedAt", "status", "title", "updatedAt", "version"]);
  assert.deepEqual(Object.keys(running.series.batch).sort(), ["step", "time", "values"]);
  assert.deepEqual(Object.keys(running.series.epoch).sort(), ["batchStep", "step", "time", "values"]);
  assert.deepEqual(Object.keys(running.progress).sort(), ["batch", "batchesPerEpoch", "elapsedMs", "epoch", "epochs", "etaMs", "fraction", "step"]);
  monitor.done();
  assert.ok(monitor.state().summary);
});
