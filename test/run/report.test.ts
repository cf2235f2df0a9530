// The HTML report in a real browser: a notebook that shows a tensor and trains a tiny model runs
// through `glassbox run --html`, and headless Chromium must draw the tensor and the training curves
// with the extension's renderers, offline, without page errors.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import type { CodeCell, Notebook, Output } from "../../kernel/run/notebook";
import { renderReport } from "../../kernel/run/report";
import { launchChromium } from "../helpers/chromium";
import { renderReport as openReport } from "./browser";
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

  const page = await openReport(browser, html, "report-plots.png");
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

test("a cell's HTML and SVG sit in sandboxed frames sized to their content: no script runs, no markup escapes", async () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const html = (markup: string): Output => ({ output_type: "display_data", data: { "text/html": markup, "text/plain": "html" }, metadata: {} });
  const hostile = [
    html(`<img src=x onerror="top.document.title='pwned-img';parent.__xss=1">`),
    html(`<script>top.document.title='pwned-script';parent.__xss=2</script><p>after script</p>`),
    html(`<a href="javascript:top.document.title='pwned-link'" id="l">link</a><meta http-equiv="refresh" content="0;url=javascript:top.document.title='pwned-meta'">`),
    html(`<!-- an unclosed comment`),
    html(`<textarea>an unclosed textarea`),
    html(`</div></section></main><div style="height:400px;background:#eee">tall block</div>`),
    { output_type: "display_data", data: { "image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" onload="top.document.title='pwned-svg'"><script>top.document.title='pwned-svg-script'</script><rect width="120" height="60" fill="teal"/></svg>` }, metadata: {} },
  ] satisfies Output[];
  const cells: Notebook["cells"] = [
    { cell_type: "markdown", id: "m", source: "# Hostile outputs", metadata: {} },
    ...hostile.map((o, i): CodeCell => ({ cell_type: "code", id: `c${i}`, source: `cell ${i}`, metadata: {}, execution_count: i + 1, outputs: [o] })),
    { cell_type: "code", id: "last", source: "later", metadata: {}, execution_count: 99, outputs: [{ output_type: "stream", name: "stdout", text: "LATER CELL STILL HERE" }] },
  ];
  const path = join(dir, "hostile.html");
  writeFileSync(path, renderReport([{ file: "hostile.ipynb", notebook: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells } }]));

  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  after(() => page.close());
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(pathToFileURL(path).href);
  await page.waitForFunction(() => document.documentElement.dataset.gbRendered === "done", undefined, { timeout: 60_000 });
  await page.locator("#l").count(); // let any late navigation settle
  await page.waitForTimeout(300);
  assert.equal(await page.title(), "Hostile outputs", "no cell changed the page's title");
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  assert.equal(await page.locator("text=LATER CELL STILL HERE").isVisible(), true, "the cell after unbalanced markup is shown");
  assert.equal(await page.locator("section.gb-cell").count(), cells.length, "every cell is its own section");

  const frames = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLIFrameElement>("iframe.gb-frame")).map((f) => ({
    sandbox: f.getAttribute("sandbox"), readable: f.contentDocument !== null, height: f.getBoundingClientRect().height, sized: f.dataset.gbSized === "true",
  })));
  assert.equal(frames.length, hostile.length);
  for (const f of frames) {
    assert.equal(f.sandbox, "", "no sandbox permission at all");
    assert.equal(f.readable, false, "an opaque origin: the page cannot reach in, nor the frame out");
    assert.ok(f.sized, "sized by the page script");
  }
  assert.ok(frames[5].height >= 400 && frames[5].height < 460, `the tall block's frame fits it (${frames[5].height}px)`);
  assert.ok(frames[0].height < 60, `a one-image frame stays small (${frames[0].height}px)`);
  assert.ok(frames[6].height >= 60 && frames[6].height < 90, `the SVG's frame fits the picture (${frames[6].height}px)`);
  assert.equal(await page.locator("iframe.gb-frame").nth(1).contentFrame().locator("p").textContent(), "after script", "the frame still shows the markup after the script");
  assert.deepEqual(pageErrors, []);
});

test("--lang zh-CN: the kernel, the run summary, the report page and its renderers speak Chinese", async () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const input = writeNotebook(join(dir, "zh.ipynb"), [
    { markdown: "# 张量" },
    "tf.tensor([[1, 2, 3], [4, 5, 6]])",
    "process.env.GLASSBOX_LANG",
    'throw new Error("boom")',
  ]);
  const html = join(dir, "zh.html");
  const r = await glassbox(["run", input, "--html", html, "--lang", "zh-CN", "--allow-errors"], { env: { GLASSBOX_LANG: "en", LANG: "en_US.UTF-8" } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /运行了 3 个代码单元格，用时 [\d.]+秒；1 个出错（第一个：单元格 4，Error）/, "the run's summary is Chinese");
  const out = JSON.parse(readFileSync(join(dir, "zh.out.ipynb"), "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  assert.match(JSON.stringify(out.cells[2].outputs), /zh-CN/, "the kernel was started with GLASSBOX_LANG=zh-CN");
  const source = readFileSync(html, "utf8");
  assert.match(source, /<html lang="zh-CN" data-glassbox-lang="zh-CN">/);
  for (const label of ["由 glassbox run 于", "运行了 3 个代码单元格", 'title="此单元格运行出错"']) assert.ok(source.includes(label), `the report has ${label}`);

  const page = await openReport(browser, html, "report-zh-CN.png");
  assert.deepEqual(page.pageErrors, []);
  const tensor = page.outputs.find((o) => o.mime === TENSOR);
  assert.ok(tensor && tensor.renderer === "tensor", `the tensor renderer drew the tensor (${JSON.stringify(tensor)})`);
  assert.match(tensor.text, /张量|表格/, `the tensor view's labels are Chinese: ${tensor.text}`);
  assert.match(tensor.text, /最小值/);
});
