// The model graph renderer in Chromium: the three model shapes in light and dark, a nested model
// opened by a click, and a 150-layer model that stays readable (folded, zoom, pan, unfold).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { MODEL_MIME } from "../../kernel/display/graph-view";
import { formatModel } from "../../kernel/display/model";
import { tf } from "../display/helpers";
import { deepModel, nestedModel, sequentialModel, twoInputModel } from "../display/models";
import { launchChromium as launch } from "../helpers/chromium";
import { buildRenderers, openPage, render, screenshot, setTheme } from "./harness";

let browser: Browser, page: Page, errors: Error[];

before(async () => {
  await tf.setBackend("cpu");
  await buildRenderers(["model"]);
  browser = await launch();
  ({ page, errors } = await openPage(browser, ["model"]));
});
after(async () => {
  await browser?.close();
  assert.deepEqual(errors.map(String), [], "no uncaught errors in the page");
});

const payloadOf = (model: tf.LayersModel) => formatModel(model).data[MODEL_MIME];
const nodeIds = (id: string) => page.locator(`#${id} .gb-node`).evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));

/** No two node boxes overlap (the layout is dagre's, this checks it is used). */
async function assertNoOverlap(id: string): Promise<void> {
  const boxes = await page.locator(`#${id} .gb-node rect`).evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.top, r.right, r.bottom]));
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, b] = [boxes[i], boxes[j]];
    assert.ok(a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1], `nodes ${i} and ${j} overlap`);
  }
}

async function shoot(id: string, name: string): Promise<void> {
  await screenshot(page, `#${id}`, `model-${name}-light`);
  await setTheme(page, "vscode-dark");
  const stroke = await page.evaluate((sel) => getComputedStyle(document.querySelector(sel)!).fill, `#${id} .gb-node text`);
  assert.equal(stroke, "rgb(204, 204, 204)", "node text follows the dark theme");
  await screenshot(page, `#${id}`, `model-${name}-dark`);
  await setTheme(page, "vscode-light");
}

test("Sequential: input, layers and shape-labelled edges", async () => {
  await render(page, "model", "seq", MODEL_MIME, payloadOf(sequentialModel()));
  assert.deepEqual(await nodeIds("seq"), ["hidden_input", "hidden", "probs"]);
  assert.deepEqual(await page.locator("#seq .gb-edge text").allTextContents(), ["[null,4]", "[null,8]"]);
  assert.match(await page.textContent('#seq [data-role="counts"]') ?? "", /3 layers · 67 params/);
  await assertNoOverlap("seq");
  await shoot("seq", "sequential");
});

test("two inputs, a shared layer and a frozen nested head; a click opens the head", async () => {
  await render(page, "model", "two", MODEL_MIME, payloadOf(twoInputModel()));
  assert.deepEqual((await nodeIds("two")).sort(), ["head", "joined", "left", "right", "score", "shared"]);
  assert.equal(await page.locator('#two .gb-edge[data-from="shared"][data-to="joined"]').count(), 1, "two calls, one drawn connection");
  await assertNoOverlap("two");
  await shoot("two", "two-inputs");
  await page.click('#two .gb-node[data-id="head"]');
  assert.ok((await nodeIds("two")).includes("head/head_hidden"));
  assert.equal(await page.locator('#two .gb-node[data-id="head/head_hidden"][data-frozen]').count(), 1, "the frozen layer is marked");
  assert.equal(await page.locator('#two .gb-node[data-id="head/head_out"][data-frozen]').count(), 0);
  await assertNoOverlap("two");
  await screenshot(page, "#two", "model-two-inputs-opened-light");
  await page.click('#two .gb-node[data-id="head/head_out"]');
  assert.ok((await nodeIds("two")).includes("head"), "a click inside folds it again");
});

test("nested models", async () => {
  await render(page, "model", "nested", MODEL_MIME, payloadOf(nestedModel()));
  assert.deepEqual(await page.locator('#nested .gb-node[data-kind="model"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-id"))), ["block"]);
  await shoot("nested", "nested");
});

test("150 layers stay readable: folded repeats at full size, zoom, pan, show every layer", async () => {
  await render(page, "model", "deep", MODEL_MIME, payloadOf(deepModel()));
  assert.equal(await page.locator("#deep .gb-node").count(), 4);
  assert.match(await page.textContent('#deep .gb-node[data-kind="repeat"]') ?? "", /74 × Dense → Dropout/);
  const zoom = async () => Number(await page.getAttribute("#deep .gb-model-view", "data-zoom"));
  assert.equal(await zoom(), 1, "the folded graph fits at full size: text is as large as in a small model");
  await screenshot(page, "#deep", "model-deep-light");
  const view = page.locator("#deep .gb-model-view");
  const box = (await view.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 40);
  await page.mouse.wheel(0, 400);
  assert.ok(await zoom() < 1, "the wheel zooms out");
  const before = await page.getAttribute("#deep svg > g", "transform");
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + 80, { steps: 4 });
  await page.mouse.up();
  assert.notEqual(await page.getAttribute("#deep svg > g", "transform"), before, "dragging pans");
  await page.click('#deep [data-action="fold"]');
  assert.equal(await page.locator("#deep .gb-node").count(), 151, "every layer on request");
  assert.ok(await zoom() < 0.2, "and the whole graph fits the view");
  await page.click('#deep [data-action="fold"]');
  await page.click('#deep .gb-node[data-kind="repeat"]');
  assert.equal(await page.locator("#deep .gb-node").count(), 151, "a click on the folded node opens it");
});

test("a payload of another version or missing a field falls back to the PNG; nothing half-drawn", async () => {
  const doc = payloadOf(sequentialModel()) as Record<string, unknown>;
  const fallback = (json: unknown, id: string) => render(page, "model", id, MODEL_MIME, json).then(() => "drawn", (e: Error) => (/fallbackToNextRenderer/.test(String(e)) ? "fallback" : String(e)));
  assert.equal(await fallback({ ...doc, version: 2 }, "model-v2"), "fallback");
  const { graph: _, ...noGraph } = doc;
  assert.equal(await fallback(noGraph, "model-no-graph"), "fallback");
  const noEdges = structuredClone(doc) as { graph: Record<string, unknown> };
  delete noEdges.graph.edges;
  assert.equal(await fallback(noEdges, "model-no-edges"), "fallback");
  assert.equal(await page.evaluate(() => ["model-v2", "model-no-graph", "model-no-edges"].map((id) => document.getElementById(id)?.childElementCount).join()), "0,0,0");
  assert.equal(await fallback(doc, "model-whole"), "drawn", "the same payload, whole, is drawn");
});
