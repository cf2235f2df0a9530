/**
 * Seeing inside, against the real kernel over ZeroMQ: a tfjs-vis codelab (scatter of the data, a
 * model summary, training curves, predictions over the data) with `import * as tfvis from
 * "@tensorflow/tfjs-vis"`; display.plot with a live update; display(model); a sweep; and the
 * variables: `%vars` and the message the VS Code view asks for (a silent execute's user_expressions).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchKernel, type RunningKernel } from "../../kernel/protocol/client";
import type { Message } from "../../kernel/protocol/wire";
import { cli, ensureBuilt, root } from "../extension/helpers";

const PLOTLY = "application/vnd.plotly.v1+json";
const MODEL = "application/vnd.glassbox.model.v1+json";
const RUNS = "application/vnd.glassbox.runs.v1+json";
const PNG = "iVBORw0KGgo";

type Bundle = Record<string, unknown>;
interface Ran { reply: Message; outputs: Array<{ type: string; data: Bundle; displayId?: string }>; stderr: string }

let kernel: RunningKernel;

async function run(code: string, options: Record<string, unknown> = {}): Promise<Ran> {
  const outputs: Ran["outputs"] = [];
  let stderr = "";
  const reply = await kernel.client.execute(code, {
    onIopub: (m) => {
      const c = m.content as { data?: Bundle; transient?: { display_id?: string }; name?: string; text?: string; traceback?: string[] };
      if (m.header.msg_type === "stream" && c.name === "stderr") stderr += c.text;
      if (m.header.msg_type === "error") stderr += (c.traceback ?? []).join("\n");
      if (["display_data", "update_display_data", "execute_result"].includes(m.header.msg_type)) outputs.push({ type: m.header.msg_type, data: c.data!, displayId: c.transient?.display_id });
    },
  }, options);
  return { reply, outputs, stderr };
}

async function ok(code: string): Promise<Ran> {
  const r = await run(code);
  assert.equal((r.reply.content as { status: string }).status, "ok", `cell failed:\n${code}\n${r.stderr}`);
  return r;
}

const figures = (r: Ran) => r.outputs.filter((o) => o.data[PLOTLY]).map((o) => {
  assert.ok(String(o.data["image/png"]).startsWith(PNG), "every chart has its PNG");
  return o.data[PLOTLY] as { data: Array<Record<string, unknown>>; layout: Record<string, unknown> };
});

describe("plots, graphs, runs and variables in a live kernel", { timeout: 240_000 }, () => {
  before(async () => {
    ensureBuilt();
    kernel = await launchKernel({ cli, cwd: root, env: { ...process.env, GLASSBOX_BACKEND: "cpu" } });
  });
  after(async () => {
    await kernel?.shutdown();
  });

  test("the tfjs-vis codelab: data scatter, model summary, training curves, predictions over the data", async () => {
    const data = await ok(`
import * as tfvis from "@tensorflow/tfjs-vis";
interface Car { horsepower: number; mpg: number }
const data: Car[] = Array.from({ length: 80 }, (_, i) => ({ horsepower: 50 + i * 2.5, mpg: 42 - i * 0.35 + Math.sin(i) * 2 }));
const values = data.map(d => ({ x: d.horsepower, y: d.mpg }));
tfvis.render.scatterplot({ name: 'Horsepower v MPG' }, { values }, { xLabel: 'Horsepower', yLabel: 'MPG', height: 300 });`);
    const [scatter] = figures(data);
    assert.equal(scatter.data[0].mode, "markers");
    assert.equal((scatter.data[0].x as number[]).length, 80);
    assert.deepEqual(scatter.layout.title, { text: "Horsepower v MPG" });

    const summary = await ok(`
function createModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [1], units: 1, useBias: true }));
  model.add(tf.layers.dense({ units: 50, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 1, useBias: true }));
  return model;
}
const model = createModel();
tfvis.show.modelSummary({ name: 'Model Summary' }, model);`);
    assert.match(String(summary.outputs[0].data["text/plain"]), /Total params: 153/);

    const training = await ok(`
function convertToTensor(data: Car[]) {
  return tf.tidy(() => {
    tf.util.shuffle(data);
    const inputTensor = tf.tensor2d(data.map(d => d.horsepower), [data.length, 1]);
    const labelTensor = tf.tensor2d(data.map(d => d.mpg), [data.length, 1]);
    const inputMax = inputTensor.max(), inputMin = inputTensor.min(), labelMax = labelTensor.max(), labelMin = labelTensor.min();
    const normalizedInputs = inputTensor.sub(inputMin).div(inputMax.sub(inputMin));
    const normalizedLabels = labelTensor.sub(labelMin).div(labelMax.sub(labelMin));
    return { inputs: normalizedInputs, labels: normalizedLabels, inputMax, inputMin, labelMax, labelMin };
  });
}
async function trainModel(model: tf.LayersModel, inputs: tf.Tensor, labels: tf.Tensor) {
  model.compile({ optimizer: tf.train.adam(), loss: tf.losses.meanSquaredError, metrics: ['mse'] });
  const batchSize = 32;
  const epochs = 5;
  return await model.fit(inputs, labels, {
    batchSize, epochs, shuffle: true,
    callbacks: tfvis.show.fitCallbacks({ name: 'Training Performance' }, ['loss', 'mse'], { height: 200, callbacks: ['onEpochEnd'] }),
  });
}
const tensorData = convertToTensor(data);
await trainModel(model, tensorData.inputs, tensorData.labels);`);
    const curves = training.outputs.filter((o) => o.data["application/vnd.glassbox.training.v1+json"]);
    assert.ok(curves.length >= 2, "live curves, shown then updated");
    assert.equal(new Set(curves.map((o) => o.displayId)).size, 1, "one chart for the fit (no second one from model.fit)");

    const predictions = await ok(`
function testModel(model: tf.LayersModel, inputData: Car[], normalizationData: ReturnType<typeof convertToTensor>) {
  const { inputMax, inputMin, labelMin, labelMax } = normalizationData;
  const [xs, preds] = tf.tidy(() => {
    const xsNorm = tf.linspace(0, 1, 100);
    const predictions = model.predict(xsNorm.reshape([100, 1])) as tf.Tensor;
    const unNormXs = xsNorm.mul(inputMax.sub(inputMin)).add(inputMin);
    const unNormPreds = predictions.mul(labelMax.sub(labelMin)).add(labelMin);
    return [unNormXs.dataSync(), unNormPreds.dataSync()];
  });
  const predictedPoints = Array.from(xs).map((val, i) => ({ x: val, y: preds[i] }));
  const originalPoints = inputData.map(d => ({ x: d.horsepower, y: d.mpg }));
  tfvis.render.scatterplot({ name: 'Model Predictions vs Original Data' }, { values: [originalPoints, predictedPoints], series: ['original', 'predicted'] }, { xLabel: 'Horsepower', yLabel: 'MPG', height: 300 });
}
testModel(model, data, tensorData);`);
    const [both] = figures(predictions);
    assert.deepEqual(both.data.map((t) => [t.name, (t.x as number[]).length]), [["original", 80], ["predicted", 100]]);
  });

  test("display.plot shows a Plotly figure with a PNG; its handle updates it in place", async () => {
    const r = await ok(`const h = display.plot({ data: [{ x: [1, 2, 3], y: [3, 1, 2], type: "bar" }], layout: { title: { text: "counts" } } });
h.update({ data: [{ x: [1, 2, 3, 4], y: [3, 1, 2, 5], type: "bar" }], layout: { title: { text: "counts" } } });`);
    assert.deepEqual(r.outputs.map((o) => o.type), ["display_data", "update_display_data"]);
    assert.equal(r.outputs[0].displayId, r.outputs[1].displayId);
    assert.equal((figures(r)[1].data[0].x as number[]).length, 4);
    assert.match(String(r.outputs[0].data["text/plain"]), /counts: Plotly figure, 1 trace \(bar\)/);
    const bad = await run(`display.plot({ layout: {} } as any)`);
    assert.equal((bad.reply.content as { status: string }).status, "error");
    assert.match(bad.stderr, /no `data` array of traces/);
  });

  test("display(model) is its graph, with the summary and a PNG", async () => {
    const r = await ok(`model`);
    const data = r.outputs[0].data;
    const graph = data[MODEL] as { graph: { layers: Array<{ className: string; params: number }>; edges: unknown[] }; totalParams: number };
    assert.deepEqual(graph.graph.layers.map((l) => [l.className, l.params]), [["InputLayer", 0], ["Dense", 2], ["Dense", 100], ["Dense", 51]]);
    assert.equal(graph.graph.edges.length, 3);
    assert.ok(String(data["image/png"]).startsWith(PNG));
    assert.match(String(data["text/plain"]), /Total params: 153/);
  });

  test("a sweep fills one board with a run per combination", async () => {
    const r = await ok(`
const xs2 = tf.randomNormal([32, 2], 0, 1, "float32", 1), ys2 = xs2.sum(1, true);
await sweep({ lr: [0.1, 0.01], units: [2, 4] }, async ({ lr, units }, run) => {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: Number(units), inputShape: [2], activation: "relu" }), tf.layers.dense({ units: 1 })] });
  m.compile({ optimizer: tf.train.adam(Number(lr)), loss: "meanSquaredError" });
  await m.fit(xs2, ys2, { epochs: 2, batchSize: 16, validationSplit: 0.25, callbacks: run.callbacks });
});`);
    assert.ok(r.outputs.every((o) => o.data[RUNS]), "only the board is drawn");
    const last = r.outputs.at(-1)!.data[RUNS] as { status: string; runs: Array<{ label: string; status: string; epochs: { epoch: number[] } }> };
    assert.equal(last.status, "done");
    assert.deepEqual(last.runs.map((x) => [x.label, x.status, x.epochs.epoch.length]), [["lr=0.1 units=2", "completed", 2], ["lr=0.1 units=4", "completed", 2], ["lr=0.01 units=2", "completed", 2], ["lr=0.01 units=4", "completed", 2]]);
    assert.ok(String(r.outputs.at(-1)!.data["image/png"]).startsWith(PNG));
  });

  test("variables: %vars as text and HTML, and the view's message (tensors by bytes, a model, plain values, a disposed tensor)", async (t) => {
    await ok(`const big = tf.zeros([100, 100]); const small = tf.ones([3], "int32"); const gone = tf.ones([5]); gone.dispose();
const weights = tf.variable(tf.zeros([4, 4])); let count = 42; const greeting = "hi <there>"; var legacy = [1, 2, 3]; function helper(a: number) { return a; }
const hostile = new Proxy({}, { get() { throw new Error("no peeking"); }, getPrototypeOf() { throw new Error("no peeking"); } });`);
    const shown = await ok(`%vars`);
    const text = String(shown.outputs[0].data["text/plain"]);
    assert.match(text, /^name\s+kind\s+type\s+shape\s+dtype\s+bytes\s+device\s+value/);
    assert.match(text, /big\s+tensor\s+Tensor\s+\[100,100\]\s+float32\s+39\.1 KB\s+cpu/);
    assert.match(text, /gone\s+tensor\s+Tensor\s+\[5\]\s+float32\s+0 B\s+disposed/);
    assert.match(text, /\d+ tensors, [\d.]+ KB alive \(change in the last cell: \+4 tensors, \+39\.2 KB\)$/, "the previous cell made big, small, weights and its initial zeros; the disposed one left nothing");
    assert.match(String(shown.outputs[0].data["text/html"]), /hi &lt;there&gt;/);

    const reply = await kernel.client.execute("", {}, { silent: true, store_history: false, user_expressions: { vars: "__glassbox.variables()" } });
    const expr = (reply.content as { user_expressions: Record<string, { status: string; data: Bundle }> }).user_expressions.vars;
    assert.equal(expr.status, "ok");
    const snapshot = expr.data["application/json"] as { bindings: Array<{ name: string; kind: string; type?: string; bytes?: number; params?: number; disposed?: boolean; value?: string; dtype?: string; shape?: number[] }>; memory: { numTensors: number; deltaTensors: number; deltaBytes: number }; elapsedMs: number };
    const by = Object.fromEntries(snapshot.bindings.map((b) => [b.name, b]));
    const tensors = snapshot.bindings.filter((b) => b.kind === "tensor" || b.kind === "variable").map((b) => b.name);
    assert.deepEqual(tensors.filter((n) => ["big", "weights", "small", "gone"].includes(n)), ["big", "weights", "small", "gone"], "tensors by bytes, largest first");
    assert.deepEqual(snapshot.bindings.slice(0, tensors.length).map((b) => b.name), tensors, "tensors before everything else");
    assert.deepEqual([by.small.dtype, by.small.shape, by.small.bytes], ["int32", [3], 12]);
    assert.equal(by.weights.kind, "variable");
    assert.deepEqual([by.gone.disposed, by.gone.bytes], [true, 0]);
    assert.deepEqual([by.model.kind, by.model.params], ["model", 153]);
    assert.deepEqual([by.count.kind, by.count.value], ["number", "42"]);
    assert.equal(by.greeting.value, '"hi <there>"');
    assert.deepEqual([by.legacy.kind, by.helper.kind], ["array", "function"]);
    assert.deepEqual([by.hostile.type, by.hostile.value], ["?", "(could not be read: no peeking)"], "a value that throws when read still gets a row");
    assert.ok(!("tf" in by) && !("display" in by) && !("sweep" in by), "the kernel's own globals are not listed");
    assert.equal(by.tfvis.kind, "object", "a cell's import is a binding of the notebook");
    assert.ok(snapshot.memory.numTensors > 0);
    assert.deepEqual([snapshot.memory.deltaTensors, snapshot.memory.deltaBytes], [0, 0], "%vars made no tensors");

    await ok(Array.from({ length: 200 }, (_, i) => `const binding${i} = ${i % 3 === 0 ? `tf.scalar(${i})` : i % 3 === 1 ? `"value ${i}"` : `{ n: ${i} }`};`).join("\n"));
    const started = performance.now();
    const many = await kernel.client.execute("", {}, { silent: true, store_history: false, user_expressions: { vars: "__glassbox.variables()" } });
    const roundTrip = performance.now() - started;
    const manySnapshot = (many.content as { user_expressions: Record<string, { data: Bundle }> }).user_expressions.vars.data["application/json"] as { bindings: unknown[]; elapsedMs: number };
    assert.ok(manySnapshot.bindings.length >= 210);
    assert.equal((manySnapshot as unknown as { memory: { deltaTensors: number } }).memory.deltaTensors, 67, "the view shows what the latest cell made: 67 scalars");
    t.diagnostic(`${manySnapshot.bindings.length} bindings: snapshot ${manySnapshot.elapsedMs.toFixed(1)} ms in the kernel, ${roundTrip.toFixed(1)} ms round trip`);
  });
});
