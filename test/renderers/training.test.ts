import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { TRAINING_MIME, TrainingMonitor, type TrainingPayloadV1 } from "../../kernel/display/training";
import type { DisplayPayload } from "../../kernel/display/mime";
import { launchChromium } from "../helpers/chromium";
import { buildRenderers, openPage, render, screenshot, setTheme } from "./harness";

let browser: Browser, page: Page, errors: Error[];
let counter = 0;

const nullSink = { show(_: DisplayPayload) {}, update(_: DisplayPayload, __: string) {} };

/**
 * Payloads from the kernel's real TrainingMonitor: a run with `epochs` × `batches`, loss falling
 * and accuracy rising with some noise; `snapshots` receives the state after every batch when given.
 */
function trainingRun(epochs: number, batches: number, options: { done?: boolean; title?: string; extraKey?: string; maxPoints?: number; snapshots?: TrainingPayloadV1[] } = {}): TrainingPayloadV1 {
  const monitor = new TrainingMonitor(nullSink, { title: options.title ?? "model.fit", epochs, batchesPerEpoch: batches, minIntervalMs: 1e9, maxPoints: options.maxPoints });
  let seed = 1;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  for (let e = 0; e < epochs; e++) {
    monitor.setProgress({ epoch: e, batch: 0 });
    for (let b = 0; b < batches; b++) {
      const t = e * batches + b;
      const metrics: Record<string, number> = { loss: 2 * Math.exp(-t / 40) + 0.1 + noise() * 0.5, acc: Math.min(1, 1 - Math.exp(-t / 30) * 0.9 + noise() * 0.3) };
      if (options.extraKey) metrics[options.extraKey] = 1 + noise();
      monitor.batch(metrics);
      options.snapshots?.push(monitor.state());
    }
    monitor.epoch({ loss: 2 * Math.exp(-(e + 1) * batches / 40) + 0.1, acc: 1 - Math.exp(-(e + 1) * batches / 30) * 0.9, val_loss: 2.2 * Math.exp(-(e + 1) * batches / 50) + 0.15 + (e === epochs - 1 ? 0.05 : 0), val_acc: 0.95 - Math.exp(-(e + 1) * batches / 40) * 0.9 });
    options.snapshots?.push(monitor.state());
  }
  const state = monitor.state();
  if (options.done) { monitor.done(); return monitor.state(); }
  monitor.done(); // clears the monitor's pending trailing-update timer
  return state;
}

async function show(p: unknown, id = `r${++counter}`): Promise<string> {
  await render(page, "training", id, TRAINING_MIME, p);
  return id;
}
const $ = (id: string, selector: string) => `#${id} ${selector}`;

type Gd = HTMLElement & { data: Array<{ meta?: string; x: number[]; y: number[]; name?: string }>; layout: { xaxis: { range: number[] }; yaxis: { type: string } }; _fullLayout: { font: { color: string } } };
function plotInfo(id: string, group: string) {
  return page.evaluate(([sel]) => {
    const gd = document.querySelector(sel) as Gd;
    return { metas: gd.data.map((d) => d.meta ?? ""), xaxisRange: gd.layout.xaxis.range, yType: gd.layout.yaxis.type, lastX: Math.max(...gd.data.flatMap((d) => d.x)), font: gd._fullLayout.font.color };
  }, [$(id, `.gb-plot[data-group="${group}"]`)] as const);
}

before(async () => {
  await buildRenderers(["training"]);
  browser = await launchChromium();
  ({ page, errors } = await openPage(browser, ["training"]));
});
after(async () => {
  await browser?.close();
  assert.deepEqual(errors.map(String), [], "no uncaught errors in the page");
});

test("a finished run: a chart per metric group, train and validation, best points, summary and full progress", async () => {
  const id = await show(trainingRun(5, 40, { done: true }));
  assert.deepEqual(await page.locator($(id, ".gb-plot")).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.group)), ["loss", "acc"]);
  const loss = await plotInfo(id, "loss");
  assert.deepEqual(loss.metas, ["raw:loss", "loss", "best:loss", "val_loss", "best:val_loss"], "sparse per-epoch series are not smoothed");
  assert.equal(await page.textContent($(id, '[data-role="status"]')), "completed");
  assert.equal(await page.evaluate((sel) => (document.querySelector(sel) as HTMLElement).style.width, $(id, ".gb-progress-bar")), "100%");
  assert.match(await page.textContent($(id, ".gb-summary")) ?? "", /best val_loss=[\d.]+ @ epoch 4/);
  assert.match(await page.textContent($(id, '[data-role="progress"]')) ?? "", /^epoch 5\/5 · step 200 · \d+ sec elapsed$/);
  // The legend names both splits; the best marker of val_loss sits at its minimum (epoch 4, batch step 160).
  assert.deepEqual(await page.locator($(id, '.gb-plot[data-group="loss"] .legendtext')).allTextContents(), ["loss", "val_loss"]);
  const best = await page.evaluate((sel) => (document.querySelector(sel) as Gd).data.find((d) => d.meta === "best:val_loss")!.x, $(id, '.gb-plot[data-group="loss"]'));
  assert.deepEqual(best, [160]);
  await screenshot(page, `#${id}`, "training-light");
  await setTheme(page, "vscode-dark");
  await page.waitForTimeout(150);
  await screenshot(page, `#${id}`, "training-dark");
  await setTheme(page, "vscode-light");
});

test("controls: smoothing off drops the raw traces, log y, epoch axis", async () => {
  const id = await show(trainingRun(4, 30, { done: true }));
  await page.fill($(id, '[data-control="smoothing"]'), "0");
  await page.waitForFunction((sel) => !(document.querySelector(sel) as Gd).data.some((d) => d.meta?.startsWith("raw:")), $(id, '.gb-plot[data-group="loss"]'));
  assert.deepEqual((await plotInfo(id, "loss")).metas, ["loss", "best:loss", "val_loss", "best:val_loss"]);
  await page.check($(id, '[data-control="log-y"]'));
  await page.waitForFunction((sel) => (document.querySelector(sel) as Gd).layout.yaxis.type === "log", $(id, '.gb-plot[data-group="acc"]'));
  await page.selectOption($(id, '[data-control="x-axis"]'), "epoch");
  await page.waitForFunction((sel) => (document.querySelector(sel) as Gd).data[0].x.length === 4, $(id, '.gb-plot[data-group="loss"]'));
  assert.equal((await plotInfo(id, "loss")).lastX, 4);
});

test("debiased EMA is computed on the full series, before downsampling for drawing", async () => {
  const p = trainingRun(1, 6000, { done: true, maxPoints: 6000 });
  const id = await show(p);
  await page.fill($(id, '[data-control="smoothing"]'), "0.9");
  await page.waitForFunction((sel) => (document.querySelector(sel) as Gd).data.some((d) => d.meta === "raw:loss"), $(id, '.gb-plot[data-group="loss"]'));
  await page.waitForTimeout(100);
  const smooth = await page.evaluate((sel) => (document.querySelector(sel) as Gd).data.find((d) => d.meta === "loss")!, $(id, '.gb-plot[data-group="loss"]'));
  const steps = p.series.batch.step, ys = p.series.batch.values.loss as number[];
  assert.ok(steps.length > 1500, "the kernel sent more points than the renderer draws");
  assert.ok(smooth.x.length <= 1500, `drawn ${smooth.x.length} points`);
  // Expected: debiased EMA over every point the kernel sent, looked up at the drawn steps.
  const expected = new Map<number, number>();
  let last = 0;
  ys.forEach((y, i) => { last = last * 0.9 + 0.1 * y; expected.set(steps[i], last / (1 - Math.pow(0.9, i + 1))); });
  smooth.x.forEach((x, i) => assert.ok(Math.abs(smooth.y[i] - expected.get(x)!) < 1e-9, `step ${x}: ${smooth.y[i]} vs ${expected.get(x)}`));
  assert.equal(smooth.y[0], ys[0], "debiased: the first point is not pulled towards 0");
});

test("200 live updates: same plot node, zoom and user choices kept, no stale update applied", async () => {
  const snapshots: TrainingPayloadV1[] = [];
  trainingRun(5, 40, { snapshots });
  assert.ok(snapshots.length >= 200);
  const id = `live${++counter}`;
  await show(snapshots[60], id);
  const plot = $(id, '.gb-plot[data-group="loss"]');
  await page.evaluate((sel) => { (document.querySelector(sel) as HTMLElement & { __mark?: number }).__mark = 42; }, plot);
  // The user zooms into steps ~10…30 by dragging on the loss chart, and picks smoothing 0.3.
  const drag = page.locator($(id, '.gb-plot[data-group="loss"] .nsewdrag'));
  await drag.scrollIntoViewIfNeeded();
  const box = (await drag.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.52, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.52, { steps: 8 });
  await page.mouse.up();
  const zoomed = (await plotInfo(id, "loss")).xaxisRange;
  assert.ok(zoomed[1] - zoomed[0] < 40, `zoomed in: ${zoomed}`);
  await page.fill($(id, '[data-control="smoothing"]'), "0.3");
  for (const [i, state] of snapshots.slice(61, 261).entries()) {
    await render(page, "training", id, TRAINING_MIME, state);
    if (i === 0) assert.match(await page.textContent($(id, '[data-role="progress"]')) ?? "", /^epoch 2\/5 · batch \d+\/40 · step \d+ · (\d+ min )?\d+ sec elapsed · ETA (\d+ min )?\d+ sec$/);
  }
  const after = await plotInfo(id, "loss");
  assert.equal(await page.evaluate((sel) => (document.querySelector(sel) as HTMLElement & { __mark?: number }).__mark, plot), 42, "the same plot node");
  assert.equal(await page.locator(`#${id} .gb-plot`).count(), 2);
  assert.deepEqual(after.xaxisRange, zoomed, "zoom kept across 200 updates");
  assert.equal(await page.inputValue($(id, '[data-control="smoothing"]')), "0.3");
  const last = snapshots[Math.min(260, snapshots.length - 1)];
  assert.equal(after.lastX, last.series.batch.step.at(-1), "data kept flowing");
  // An out-of-order (older) update is ignored.
  const before = await page.textContent($(id, '[data-role="progress"]'));
  await render(page, "training", id, TRAINING_MIME, snapshots[10]);
  assert.equal(await page.textContent($(id, '[data-role="progress"]')), before);
});

test("theme switch restyles the charts live", async () => {
  const id = await show(trainingRun(2, 20, { done: true }));
  assert.equal((await plotInfo(id, "loss")).font, "#3b3b3b");
  await setTheme(page, "vscode-dark");
  await page.waitForFunction((sel) => (document.querySelector(sel) as Gd)._fullLayout.font.color === "#cccccc", $(id, '.gb-plot[data-group="loss"]'));
  const trainColor = await page.evaluate((sel) => ((document.querySelector(sel) as Gd).data.find((d) => d.meta === "loss") as unknown as { line: { color: string } }).line.color, $(id, '.gb-plot[data-group="loss"]'));
  assert.equal(trainColor, "#3794ff", "series colours from --vscode-charts-*");
  await setTheme(page, "vscode-high-contrast");
  await page.waitForFunction((sel) => (document.querySelector(sel) as Gd)._fullLayout.font.color === "#ffffff", $(id, '.gb-plot[data-group="loss"]'));
  await setTheme(page, "vscode-light");
});

test("titles and metric names from data are shown as text, never run as HTML", async () => {
  const evil = '<img src=x onerror="window.__xss=1">';
  const id = await show(trainingRun(2, 10, { done: true, title: evil, extraKey: evil }));
  await page.locator($(id, ".gb-plot")).nth(2).locator(".legendtext").waitFor();
  assert.equal(await page.locator(`#${id} img`).count(), 0);
  assert.equal(await page.textContent($(id, ".gb-title")), evil);
  const legend = await page.locator($(id, ".legendtext")).allTextContents();
  const titles = await page.locator($(id, ".gtitle")).allTextContents();
  assert.ok(legend.includes(evil), JSON.stringify(legend));
  assert.ok(titles.includes(evil), JSON.stringify(titles));
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
});

test("disposeOutputItem clears the output and releases its charts", async () => {
  const id = await show(trainingRun(1, 10, { done: true }));
  assert.equal(await page.locator(`#${id} .js-plotly-plot`).count(), 2);
  await page.evaluate((i) => (window as unknown as { disposeItem(n: string, i: string): void }).disposeItem("training", i), id);
  assert.equal(await page.locator(`#${id} *`).count(), 0);
  // Rendering again into the same element starts afresh.
  await show(trainingRun(1, 10, { done: true }), id);
  assert.equal(await page.locator(`#${id} .js-plotly-plot`).count(), 2);
});
