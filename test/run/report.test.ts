// The HTML report in a real browser: a notebook that shows a tensor and trains a tiny model runs
// through `glassbox run --html`, and headless Chromium must draw the tensor and the training curves
// with the extension's renderers, offline, without page errors.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium, renderReport } from "./browser";
import { build, glassbox, tempDir, writeNotebook } from "./helpers";

const TENSOR = "application/vnd.glassbox.tensor.v1+json";
const TRAINING = "application/vnd.glassbox.training.v1+json";
const MODEL = "application/vnd.glassbox.model.v1+json";
const RUNS = "application/vnd.glassbox.runs.v1+json";
const PLOTLY = "application/vnd.plotly.v1+json";
let browser: Browser;

before(async () => {
  build();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test("the report renders Glassbox outputs with the extension's renderers, offline", async () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const input = writeNotebook(join(dir, "plots.ipynb"), [
    { markdown: "# Plots\n\nA tensor and a training run." },
    "tf.tensor([[1, 2, 3], [4, 5, 6]])",
    [
      "const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });",
      'model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });',
      "const xs = tf.linspace(-1, 1, 32).reshape([32, 1]);",
      "await model.fit(xs, xs.mul(2).add(1), { epochs: 5, batchSize: 8, validationSplit: 0.25 });",
      '"trained"',
    ].join("\n"),
    "model",
    'await sweep({ lr: [0.1, 0.01] }, async ({ lr }, run) => { const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] }); m.compile({ optimizer: tf.train.sgd(Number(lr)), loss: "meanSquaredError" }); await m.fit(xs, xs.mul(2), { epochs: 3, callbacks: run.callbacks }); });',
    'tfvis.render.scatterplot({ name: "points" }, { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] });',
  ]);
  const html = join(dir, "plots.html");
  const r = await glassbox(["run", input, "--html", html]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(readFileSync(join(dir, "plots.out.ipynb"), "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  const mimes = out.cells.flatMap((c) => c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {}));
  assert.ok(mimes.includes(TENSOR), `the kernel showed the tensor as ${TENSOR} (got ${mimes.join(", ")})`);
  assert.ok(mimes.includes(TRAINING), `model.fit showed live curves as ${TRAINING} (got ${mimes.join(", ")})`);

  const page = await renderReport(browser, html, "report-plots.png");
  assert.deepEqual(page.pageErrors, [], "no errors in the page");
  assert.deepEqual(page.network, [], "the report loads nothing from the network");
  assert.equal(page.state, "done");
  const tensor = page.outputs.find((o) => o.mime === TENSOR);
  const training = page.outputs.find((o) => o.mime === TRAINING);
  assert.ok(tensor && tensor.renderer === "tensor", `the tensor renderer drew the tensor (${JSON.stringify(tensor)})`);
  assert.match(tensor.text, /float32/, "the tensor view shows its dtype");
  assert.ok(training && training.renderer === "training", `the training renderer drew the curves (${JSON.stringify(training)})`);
  assert.ok(training.plots > 0 || training.svgs > 0 || training.canvases > 0, `the training output holds a plot (${JSON.stringify(training)})`);
  // Model graphs, run comparisons and Plotly figures are drawn by their renderers too.
  for (const [mime, renderer, text] of [[MODEL, "model", /dense_Dense1/], [RUNS, "runs", /lr=0\.01/], [PLOTLY, "plotly", /points/]] as const) {
    const output = page.outputs.find((o) => o.mime === mime);
    assert.ok(output && output.renderer === renderer, `the ${renderer} renderer drew ${mime} (${JSON.stringify(output)})`);
    assert.match(output.text, text);
    assert.ok(output.svgs > 0 || output.plots > 0, `it holds a drawing (${JSON.stringify(output)})`);
  }
});
