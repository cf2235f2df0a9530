// The Plotly renderer in Chromium: every tfjs-vis chart kind, drawn from the kernel's own figures,
// in the light and dark themes, and a figure updated live in place.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { PLOTLY_MIME, type Figure } from "../../kernel/display/figure";
import { installRichDisplay, tfvis } from "../../kernel/display/index";
import { RecordingSink, tf } from "../display/helpers";
import { launchChromium as launch } from "../helpers/chromium";
import { buildRenderers, openPage, render, screenshot, setTheme } from "./harness";

let browser: Browser, page: Page, errors: Error[];
const sink = new RecordingSink();

/** Runs a tfvis call against a recording sink and returns the figure it drew. */
async function drawn(call: () => Promise<void> | void): Promise<Figure> {
  await call();
  return sink.sent.at(-1)!.payload.data[PLOTLY_MIME] as Figure;
}

before(async () => {
  await tf.setBackend("cpu");
  installRichDisplay(tf, () => sink);
  await buildRenderers(["plotly"]);
  browser = await launch();
  ({ page, errors } = await openPage(browser, ["plotly"]));
});
after(async () => {
  await browser?.close();
  assert.deepEqual(errors.map(String), [], "no uncaught errors in the page");
});

type Gd = HTMLElement & { data: Array<{ type?: string }>; _fullLayout: { font: { color: string }; paper_bgcolor: string } };
const fontColor = (id: string) => page.evaluate((sel) => (document.querySelector(sel) as Gd)._fullLayout.font.color, `#${id} .js-plotly-plot`);

const points = Array.from({ length: 40 }, (_, i) => ({ x: i, y: Math.sin(i / 5) * 10 + i / 2 }));
const kinds: Array<[string, () => Promise<void> | void, string]> = [
  ["scatter", () => tfvis.render.scatterplot({ name: "Scatter" }, { values: [points, points.map((p) => ({ x: p.x, y: p.y * 0.8 }))], series: ["data", "fit"] }, { xLabel: "x", yLabel: "y" }), ".scatterlayer .point"],
  ["line", () => tfvis.render.linechart({ name: "Line" }, { values: points }, { xLabel: "step" }), ".scatterlayer .js-line"],
  ["bar", () => tfvis.render.barchart({ name: "Bars" }, [{ index: "cat", value: 3 }, { index: "dog", value: 5 }, { index: "bird", value: 2 }]), ".barlayer .point"],
  ["histogram", () => tfvis.render.histogram({ name: "Histogram" }, points.map((p) => p.y)), ".barlayer .point"],
  ["heatmap", () => tfvis.render.heatmap({ name: "Heatmap" }, { values: tf.randomUniform([8, 6], 0, 1, "float32", 1) as tf.Tensor2D }), ".heatmaplayer image"],
  ["confusion", () => tfvis.show.confusionMatrix({ name: "Confusion matrix" }, [[50, 2, 1], [3, 40, 7], [0, 5, 60]], ["cat", "dog", "bird"]), ".heatmaplayer image"],
  ["table", () => tfvis.render.table({ name: "Table" }, { headers: ["layer", "params"], values: [["dense_1", 16], ["dense_2", 10]] }), ".table .cell-text"],
];

for (const [kind, call, mark] of kinds) {
  test(`${kind}: drawn on the theme, light and dark`, async () => {
    const figure = await drawn(call);
    const id = `chart-${kind}`;
    await render(page, "plotly", id, PLOTLY_MIME, figure);
    assert.ok(await page.locator(`#${id} ${mark}`).count() > 0, `${kind} shows its marks (${mark})`);
    const light = await fontColor(id);
    await screenshot(page, `#${id}`, `plotly-${kind}-light`);
    await setTheme(page, "vscode-dark");
    await page.waitForTimeout(100);
    const dark = await fontColor(id);
    assert.notEqual(light, dark, "the chart's text follows the theme");
    assert.equal(dark, "#cccccc");
    await screenshot(page, `#${id}`, `plotly-${kind}-dark`);
    await setTheme(page, "vscode-light");
  });
}

test("a figure updated under its display id redraws in place; the user's own colours are kept", async () => {
  const figure = (n: number): Figure => ({ data: [{ type: "scatter", x: Array.from({ length: n }, (_, i) => i), y: Array.from({ length: n }, (_, i) => i * i), line: { color: "#ff0000" } }], layout: { title: "live" } });
  await render(page, "plotly", "live", PLOTLY_MIME, figure(3));
  const before = await page.evaluate(() => document.querySelector("#live .js-plotly-plot"));
  await render(page, "plotly", "live", PLOTLY_MIME, figure(10));
  const state = await page.evaluate(() => {
    const gd = document.querySelector("#live .js-plotly-plot") as HTMLElement & { data: Array<{ x: number[] }>; _fullData: Array<{ line: { color: string } }> };
    return { n: gd.data[0].x.length, color: gd._fullData[0].line.color, count: document.querySelectorAll("#live .js-plotly-plot").length };
  });
  assert.deepEqual(state, { n: 10, color: "#ff0000", count: 1 });
  assert.ok(before !== undefined);
});

test("something that is not a figure falls back to the next MIME type", async () => {
  const error = await page.evaluate(async () => {
    try {
      await (window as unknown as { renderItem(...a: unknown[]): Promise<number> }).renderItem("plotly", "bad", "application/vnd.plotly.v1+json", { nope: 1 }, "bad");
      return "";
    } catch (e) { return (e as Error).name; }
  });
  assert.equal(error, "vscode.fallbackToNextRenderer");
});

test("a figure missing its data array or with a trace that is not an object falls back; nothing half-drawn", async () => {
  const fallback = (json: unknown, id: string) => render(page, "plotly", id, PLOTLY_MIME, json).then(() => "drawn", (e: Error) => (/fallbackToNextRenderer/.test(String(e)) ? "fallback" : String(e)));
  assert.equal(await fallback({ layout: { title: "no data" } }, "no-data"), "fallback");
  assert.equal(await fallback({ data: [{ type: "bar", x: [1], y: [2] }, 3] }, "bad-trace"), "fallback");
  assert.equal(await fallback({ data: [{ type: "bar", x: [1], y: [2] }], layout: [] }, "bad-layout"), "fallback");
  assert.equal(await page.evaluate(() => ["no-data", "bad-trace", "bad-layout"].map((id) => document.getElementById(id)?.childElementCount).join()), "0,0,0");
  assert.equal(await fallback({ data: [{ type: "bar", x: [1], y: [2] }] }, "whole"), "drawn");
});
