// The runs renderer in Chromium: four runs filling one chart live (one colour each, hyperparameters
// in the legend), and the table of best metrics sorted by clicking its headers.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { RUNS_MIME, RunsBoard } from "../../kernel/display/runs";
import { RecordingSink } from "../display/helpers";
import { launchChromium as launch } from "../helpers/chromium";
import { buildRenderers, openPage, render, screenshot, setTheme } from "./harness";

let browser: Browser, page: Page, errors: Error[];

before(async () => {
  await buildRenderers(["runs"]);
  browser = await launch();
  ({ page, errors } = await openPage(browser, ["runs"]));
});
after(async () => {
  await browser?.close();
  assert.deepEqual(errors.map(String), [], "no uncaught errors in the page");
});

type Gd = HTMLElement & { data: Array<{ name: string; x: number[]; line: { color: string; dash: string } }> };
const traces = (group: string) => page.evaluate((sel) => (document.querySelector(sel) as Gd).data.map((d) => ({ name: d.name, n: d.x.length, color: d.line.color, dash: d.line.dash })), `#board .gb-plot[data-group="${group}"]`);

test("four runs fill the chart live, each in its own colour with its hyperparameters", async () => {
  const sink = new RecordingSink();
  const board = new RunsBoard({ title: "lr × batch", minIntervalMs: 0, sink });
  const grid = [[0.1, 16], [0.1, 64], [0.01, 16], [0.01, 64]];
  const elements = new Set<string>();
  for (const [k, [lr, batch]] of grid.entries()) {
    const run = board.run({ lr, batch });
    for (let e = 1; e <= 5; e++) {
      run.log(e, { loss: (1 + k) / (e * lr * 10), val_loss: (1.2 + k) / (e * lr * 10), acc: Math.min(1, e * 0.15 + k * 0.05) });
      await render(page, "runs", "board", RUNS_MIME, sink.sent.at(-1)!.payload.data[RUNS_MIME]);
      elements.add(await page.evaluate(() => { const p = document.querySelector('#board .gb-plot[data-group="loss"]') as HTMLElement & { dataset: DOMStringMap }; p.dataset.seen ??= String(Math.random()); return p.dataset.seen; }));
      const loss = await traces("loss");
      assert.equal(loss.length, 2 * (k + 1), "a train and a validation line per run so far");
      assert.equal(loss.at(-1)!.n, e, "the running run grows epoch by epoch");
    }
    run.done();
  }
  await render(page, "runs", "board", RUNS_MIME, sink.sent.at(-1)!.payload.data[RUNS_MIME]);
  assert.equal(elements.size, 1, "updates redraw the same chart element");
  const loss = await traces("loss");
  assert.equal(new Set(loss.map((t) => t.color)).size, 4, "one colour per run");
  assert.deepEqual(loss.map((t) => t.dash), ["solid", "dash", "solid", "dash", "solid", "dash", "solid", "dash"]);
  assert.deepEqual(await page.locator('#board .gb-plot[data-group="loss"] .legendtext').allTextContents(),
    ["lr=0.1 batch=16 · loss", "lr=0.1 batch=16 · val_loss", "lr=0.1 batch=64 · loss", "lr=0.1 batch=64 · val_loss", "lr=0.01 batch=16 · loss", "lr=0.01 batch=16 · val_loss", "lr=0.01 batch=64 · loss", "lr=0.01 batch=64 · val_loss"]);
  assert.equal(await page.textContent('#board [data-role="status"]'), "done");
  await screenshot(page, "#board", "runs-light");
  await setTheme(page, "vscode-dark");
  await page.waitForTimeout(100);
  await screenshot(page, "#board", "runs-dark");
  await setTheme(page, "vscode-light");
});

test("the table sorts by any column; best metrics sort best-first", async () => {
  const order = () => page.locator("#board tbody tr td:first-child").allTextContents();
  assert.deepEqual(await order(), ["1", "2", "3", "4"]);
  await page.click('#board th[data-column="best:val_loss"]');
  assert.deepEqual(await order(), ["1", "2", "3", "4"].sort((a, b) => bestValLoss(Number(a)) - bestValLoss(Number(b))), "lowest loss first");
  await page.click('#board th[data-column="best:val_loss"]');
  assert.equal(await page.getAttribute('#board th[data-column="best:val_loss"]', "aria-sort"), "descending");
  await page.click('#board th[data-column="best:acc"]');
  assert.deepEqual(await order(), ["4", "3", "2", "1"], "accuracy: highest first");
  await page.click('#board th[data-column="hp:batch"]');
  assert.deepEqual((await page.locator("#board tbody tr td:nth-child(3)").allTextContents()), ["16", "16", "64", "64"]);
});

/** The best val_loss of run k (1-based) in the first test: epoch 5's. */
function bestValLoss(k: number): number {
  const lr = [0.1, 0.1, 0.01, 0.01][k - 1];
  return (1.2 + k - 1) / (5 * lr * 10);
}

test("a board payload of another version or missing a field falls back to the PNG; nothing half-drawn", async () => {
  const sink = new RecordingSink();
  const board = new RunsBoard({ title: "fallback", minIntervalMs: 0, sink });
  const run = board.run({ lr: 0.1 });
  run.log(1, { loss: 1 });
  run.done();
  const doc = sink.sent.at(-1)!.payload.data[RUNS_MIME] as Record<string, unknown>;
  const fallback = (json: unknown, id: string) => render(page, "runs", id, RUNS_MIME, json).then(() => "drawn", (e: Error) => (/fallbackToNextRenderer/.test(String(e)) ? "fallback" : String(e)));
  assert.equal(await fallback({ ...doc, version: 2 }, "runs-v2"), "fallback");
  const { runs: _, ...noRuns } = doc;
  assert.equal(await fallback(noRuns, "runs-no-runs"), "fallback");
  const noEpochs = structuredClone(doc) as { runs: Record<string, unknown>[] };
  delete noEpochs.runs[0].epochs;
  assert.equal(await fallback(noEpochs, "runs-no-epochs"), "fallback");
  assert.equal(await page.evaluate(() => ["runs-v2", "runs-no-runs", "runs-no-epochs"].map((id) => document.getElementById(id)?.childElementCount).join()), "0,0,0");
  assert.equal(await fallback(doc, "runs-whole"), "drawn", "the same payload, whole, is drawn");
});
