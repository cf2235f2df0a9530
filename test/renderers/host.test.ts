// The renderer host (renderers/shared/host.ts) in Chromium, through VS Code's renderer
// contract: a payload that fails its structural check, or fails while first drawing, falls back to
// the next MIME type with nothing left half-drawn; one that fails on a later update of a shown
// output leaves an inline error, and the next good update draws again.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import type { Browser, Page } from "playwright-core";
import { formatTensor, TENSOR_MIME, type TensorPayloadV1 } from "../../kernel/display/tensor";
import { TRAINING_MIME, TrainingMonitor } from "../../kernel/display/training";
import { launchChromium } from "../helpers/chromium";
import { buildRenderers, openPage, render } from "./harness";

let browser: Browser, page: Page, errors: Error[];

function tensorPayload(): TensorPayloadV1 {
  return formatTensor(tf, tf.tensor2d([[1, 2, 3], [4, 5, 6]])).data[TENSOR_MIME] as TensorPayloadV1;
}

/** Renders through the contract; resolves to the error name the host threw, or "" when it drew. */
function tryRender(renderer: string, id: string, mime: string, json: unknown): Promise<string> {
  return render(page, renderer, id, mime, json).then(() => "", (e: Error) => (/vscode\.fallbackToNextRenderer/.test(String(e)) ? "vscode.fallbackToNextRenderer" : String(e)));
}

const childCount = (id: string) => page.evaluate((i) => document.getElementById(i)?.childElementCount ?? -1, id);

before(async () => {
  await tf.setBackend("cpu");
  await buildRenderers(["tensor", "training"]);
  browser = await launchChromium();
  ({ page, errors } = await openPage(browser, ["tensor", "training"]));
});
after(async () => {
  await browser?.close();
  assert.deepEqual(errors.map(String), [], "no uncaught errors in the page");
});

test("a payload missing a field the renderer reads falls back before drawing anything", async () => {
  const { shape: _, ...noShape } = tensorPayload();
  assert.equal(await tryRender("tensor", "no-shape", TENSOR_MIME, noShape), "vscode.fallbackToNextRenderer");
  assert.equal(await childCount("no-shape"), 0);
  const badView = { ...tensorPayload(), view: { default: "sideways", available: ["table"] } };
  assert.equal(await tryRender("tensor", "bad-view", TENSOR_MIME, badView), "vscode.fallbackToNextRenderer");

  const monitor = new TrainingMonitor({ show() {}, update() {} }, { title: "t", epochs: 1, batchesPerEpoch: 2, minIntervalMs: 1e9 });
  monitor.batch({ loss: 1 });
  const state = monitor.state();
  monitor.done();
  const { progress: __, ...noProgress } = state;
  assert.equal(await tryRender("training", "no-progress", TRAINING_MIME, noProgress), "vscode.fallbackToNextRenderer");
  assert.equal(await childCount("no-progress"), 0);
  assert.equal(await tryRender("training", "good-run", TRAINING_MIME, state), "", "the intact payload draws");
});

test("a payload that fails while first drawing falls back; one that fails on a later update shows an inline error", async () => {
  const broken = tensorPayload();
  broken.data = { ...broken.data!, bytes: "%%% not base64 %%%" };
  assert.equal(await tryRender("tensor", "broken-first", TENSOR_MIME, broken), "vscode.fallbackToNextRenderer");
  assert.equal(await childCount("broken-first"), 0, "nothing half-drawn is left for VS Code to show");

  assert.equal(await tryRender("tensor", "later", TENSOR_MIME, tensorPayload()), "");
  assert.equal(await page.locator("#later .gb-tensor").count(), 1);
  assert.equal(await tryRender("tensor", "later", TENSOR_MIME, broken), "", "an update failure is contained in the output");
  const message = await page.locator('#later [data-role="render-error"]').textContent();
  assert.match(message ?? "", /could not be redrawn \(application\/vnd\.glassbox\.tensor\.v1\+json\).*Re-run the cell/);
  assert.equal(await page.locator("#later .gb-tensor").count(), 0);

  // The next good update draws the output again in the same element.
  assert.equal(await tryRender("tensor", "later", TENSOR_MIME, tensorPayload()), "");
  assert.equal(await page.locator("#later .gb-tensor").count(), 1);
  assert.equal(await page.locator('#later [data-role="render-error"]').count(), 0);
});

test("updates reuse the drawn output; disposeOutputItem releases it and the next render draws afresh", async () => {
  await render(page, "tensor", "reuse", TENSOR_MIME, tensorPayload());
  await page.evaluate(() => { (document.querySelector("#reuse .gb-tensor") as HTMLElement).dataset.marker = "first"; });
  await render(page, "tensor", "reuse", TENSOR_MIME, tensorPayload());
  assert.equal(await page.locator('#reuse .gb-tensor[data-marker="first"]').count(), 1, "same root node after an update");
  await page.evaluate(() => (window as unknown as { disposeItem(n: string, i: string): void }).disposeItem("tensor", "reuse"));
  assert.equal(await childCount("reuse"), 0, "dispose empties the element");
  await render(page, "tensor", "reuse", TENSOR_MIME, tensorPayload());
  assert.equal(await page.locator("#reuse .gb-tensor").count(), 1);
  assert.equal(await page.locator('#reuse .gb-tensor[data-marker="first"]').count(), 0, "drawn afresh");
});
