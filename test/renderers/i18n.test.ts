// The renderers in Simplified Chinese: with the document's language set as the `glassbox run`
// report sets it, and with only the browser's language set as in VS Code (whose webview
// hard-codes <html lang="en">), labels, tabs, tooltips and badges are Chinese. Screenshots:
// test-results/renderers/tensor-zh-CN.png, training-zh-CN.png.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import type { Browser } from "playwright-core";
import { formatTensor, TENSOR_MIME } from "../../kernel/display/tensor";
import { TRAINING_MIME, TrainingMonitor } from "../../kernel/display/training";
import type { DisplayPayload } from "../../kernel/display/mime";
import { launchChromium } from "../helpers/chromium";
import { buildRenderers, openPage, render, screenshot } from "./harness";

let browser: Browser;
const errors: Error[] = [];

before(async () => {
  await tf.setBackend("cpu");
  await buildRenderers(["tensor", "training"]);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  assert.deepEqual(errors.map(String), [], "no uncaught errors in the pages");
});

function tensorPayload(): unknown {
  const values = Array.from({ length: 12 * 16 }, (_, i) => Math.sin(i / 7));
  values[3] = NaN;
  return formatTensor(tf, tf.tensor2d(values, [12, 16])).data[TENSOR_MIME];
}

function trainingPayload(): unknown {
  const monitor = new TrainingMonitor({ show(_: DisplayPayload) {}, update(_: DisplayPayload, __: string) {} }, { title: "model.fit", epochs: 3, batchesPerEpoch: 10, minIntervalMs: 1e9 });
  for (let e = 0; e < 3; e++) {
    monitor.setProgress({ epoch: e, batch: 0 });
    for (let b = 0; b < 10; b++) monitor.batch({ loss: 1 / (1 + e * 10 + b), acc: 1 - 1 / (2 + e * 10 + b) });
    monitor.epoch({ loss: 1 / (10 + e * 10), acc: 0.9, val_loss: 1.2 / (10 + e * 10), val_acc: 0.85 });
  }
  monitor.done();
  return monitor.state();
}

test("the tensor renderer in Chinese (document language zh-CN, as the report sets it)", async () => {
  const { page, errors: pageErrors } = await openPage(browser, ["tensor"], { lang: "zh-CN", locale: "en-US" });
  await render(page, "tensor", "t1", TENSOR_MIME, tensorPayload());
  assert.deepEqual(await page.locator("#t1 .gb-tab").allTextContents(), ["表格", "热力图", "图像", "直方图"]);
  const stats = (await page.locator("#t1 .gb-stats").textContent()) ?? "";
  for (const label of ["最小值", "最大值", "均值", "标准差", "零值个数"]) assert.ok(stats.includes(label), `stats show ${label}: ${stats}`);
  assert.equal(await page.locator('#t1 .gb-chip[title="形状"]').textContent(), "[12, 16]", "chip tooltips are Chinese");
  assert.equal(await page.locator("#t1 .gb-header .gb-muted").textContent(), "192 个元素");
  await page.click('#t1 .gb-tab[data-view="histogram"]');
  await page.waitForSelector('#t1 [data-view-host="histogram"] .main-svg');
  const axes = await page.locator('#t1 [data-view-host="histogram"] .g-xtitle, #t1 [data-view-host="histogram"] .g-ytitle').allTextContents();
  assert.deepEqual(axes.sort(), ["数值", "计数"].sort(), "plot axis titles are Chinese");
  await page.click('#t1 .gb-tab[data-view="heatmap"]');
  await page.waitForSelector('#t1 [data-view-host="heatmap"] .heatmaplayer image');
  await screenshot(page, "#t1", "tensor-zh-CN");
  errors.push(...pageErrors);
  await page.context().close();
});

test("the training renderer in Chinese", async () => {
  const { page, errors: pageErrors } = await openPage(browser, ["training"], { lang: "zh-CN" });
  await render(page, "training", "r1", TRAINING_MIME, trainingPayload());
  assert.equal(await page.textContent('#r1 [data-role="status"]'), "已完成");
  assert.match((await page.textContent('#r1 [data-role="progress"]')) ?? "", /^第 3\/3 轮 · 第 30 步 · 已用 \d+秒$/);
  const controls = (await page.locator("#r1 .gb-controls").textContent()) ?? "";
  for (const label of ["横轴", "平滑", "对数纵轴", "批次", "轮次"]) assert.ok(controls.includes(label), `controls show ${label}: ${controls}`);
  assert.equal(await page.getAttribute('#r1 .gb-controls label[title]', "title"), "去偏指数移动平均，在降采样之前计算");
  await page.waitForSelector('#r1 .gb-plot[data-group="loss"] .main-svg');
  assert.equal(await page.locator('#r1 .gb-plot[data-group="loss"] .g-xtitle').textContent(), "步数");
  const modeBar = await page.locator('#r1 .gb-plot[data-group="loss"] .modebar-btn').evaluateAll((buttons) => buttons.map((b) => b.getAttribute("data-title")));
  for (const tip of ["平移", "自动缩放", "重置坐标轴"]) assert.ok(modeBar.includes(tip), `Plotly's mode bar tooltips are Chinese: ${modeBar.join(", ")}`);
  await screenshot(page, "#r1", "training-zh-CN");
  errors.push(...pageErrors);
  await page.context().close();
});

test("without a document language the renderers follow the browser's (VS Code's display language)", async () => {
  for (const [locale, tabs] of [["zh-CN", ["表格", "热力图", "图像", "直方图"]], ["en-US", ["Table", "Heatmap", "Image", "Histogram"]]] as const) {
    const { page, errors: pageErrors } = await openPage(browser, ["tensor"], { lang: null, locale });
    await render(page, "tensor", "t1", TENSOR_MIME, tensorPayload());
    assert.deepEqual(await page.locator("#t1 .gb-tab").allTextContents(), tabs, `navigator.language ${locale}`);
    errors.push(...pageErrors);
    await page.context().close();
  }
});
