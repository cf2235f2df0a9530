// The explanation renderer in headless Chromium, through VS Code's renderer contract
// (activate(ctx) → renderOutputItem(item, element)), fed documents made by the real explain module.
// Screenshots go to test-results/explain/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as esbuild from "esbuild";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../helpers/chromium";
import * as tf from "@tensorflow/tfjs";
import * as explain from "../../kernel/explain";
import { cpu, multiLayer } from "./helpers";

const OUT = join(process.cwd(), "test-results", "explain");
const MIME = explain.EXPLANATION_MIME;
const XSS = "<img src=x onerror=window.__xss=1>";

let browser: Browser;
let server: Server;
let page: Page;
let base = "";
const docs: Record<string, unknown> = {};

const PAGE = `<!doctype html><html lang="en" data-glassbox-lang="en"><head><meta charset="utf-8"><style>
body.vscode-light { --vscode-editor-foreground: #3b3b3b; --vscode-editor-background: #ffffff; background: #ffffff; }
body.vscode-dark { --vscode-editor-foreground: #cccccc; --vscode-editor-background: #1f1f1f; background: #1f1f1f; }
body { margin: 8px; width: 760px; }
</style></head><body class="vscode-light" data-vscode-theme-kind="vscode-light"><script type="module">
import { activate } from "/renderer/index.js";
const api = activate({ workspace: { isTrusted: true } });
window.renderDoc = async (id, doc) => {
  const element = document.createElement("div");
  element.id = id;
  document.body.append(element);
  await api.renderOutputItem({ id, mime: "${MIME}", json: () => doc, text: () => JSON.stringify(doc), data: () => new Uint8Array() }, element);
  return id;
};
window.updateDoc = async (id, doc) => {
  await api.renderOutputItem({ id, mime: "${MIME}", json: () => doc, text: () => JSON.stringify(doc), data: () => new Uint8Array() }, document.getElementById(id));
};
window.tryRender = async (doc) => {
  try { await window.renderDoc("bad", doc); return "rendered"; } catch (e) { return e.name; }
};
window.ready = true;
</script></body></html>`;

async function fresh(): Promise<void> {
  await page.goto(`${base}/page.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
}

async function render(id: string, doc: unknown): Promise<void> {
  await page.evaluate(([i, d]) => (window as unknown as { renderDoc(i: string, d: unknown): Promise<string> }).renderDoc(i as string, d), [id, doc] as const);
}

async function shot(id: string, name: string): Promise<void> {
  await page.locator(`#${id}`).screenshot({ path: join(OUT, `${name}.png`) });
}

before(async () => {
  await cpu();
  mkdirSync(OUT, { recursive: true });
  // Real documents from the kernel side.
  const tab = await explain.exactShapley(multiLayer(), tf.tensor2d([[20, 50, 30], [2, 10, 3]]), { target: 0, featureNames: ["age", XSS, "bmi"] });
  docs.tabular = tab.toJSON();
  const img = tf.buffer([2, 12, 12, 1]);
  for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) img.set(((y * 7 + x * 3) % 5) / 20, 0, y, x, 0);
  for (let y = 7; y < 10; y++) for (let x = 2; x < 5; x++) img.set(1, 0, y, x, 0);
  for (let y = 1; y < 4; y++) for (let x = 7; x < 10; x++) img.set(1, 1, y, x, 0);
  const f = (v: tf.Tensor) => tf.sub(tf.sum(tf.relu(tf.sub(v, 0.5)), [1, 2, 3]), tf.mul(0.1, tf.sum(v, [1, 2, 3])));
  docs.image = (await explain.integratedGradients(f, img.toTensor(), { steps: 16 })).toJSON();
  const tokens = ["the", "movie", "was", XSS, "great"];
  const seq = tf.tensor3d([[[0.1, 0], [0.2, 0.1], [0, 0], [-1, -0.5], [2, 1]]]);
  docs.text = (await explain.integratedGradients((v: tf.Tensor) => tf.sum(tf.tanh(v), [1, 2]), seq, { tokens, steps: 16 })).toJSON();

  const bundle = await esbuild.build({ entryPoints: ["renderers/explanation/index.ts"], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, outdir: "/renderer", logLevel: "silent" });
  const files = new Map(bundle.outputFiles.map((o) => [o.path, o.contents]));
  server = createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (url === "/page.html") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
      return;
    }
    const body = files.get(url);
    if (body) res.writeHead(200, { "content-type": "text/javascript" }).end(Buffer.from(body));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  page.setDefaultTimeout(5000);
  page.on("pageerror", (e) => console.error("page error:", e.message));
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe("explanation renderer", () => {
  it("tabular: header, gap badge, waterfall / bar / force views, labels as text", async () => {
    await fresh();
    await render("tab", docs.tabular);
    const header = await page.locator("#tab .gb-header").textContent();
    assert.match(header ?? "", /exactShapley/);
    assert.match(header ?? "", /f\(x\) = 392/);
    assert.match(header ?? "", /base = 2/);
    assert.equal(await page.locator("#tab .gb-gap").getAttribute("data-level"), "ok");
    await page.locator("#tab .waterfalllayer .point").first().waitFor();
    assert.equal(await page.locator("#tab .waterfalllayer .point").count(), 3);
    await shot("tab", "tabular-waterfall");
    await page.locator('#tab [data-view="bar"]').click();
    await page.locator('#tab [data-plot="bar"] .barlayer .point').first().waitFor();
    assert.equal(await page.locator('#tab [data-plot="bar"] .barlayer .point').count(), 3);
    await shot("tab", "tabular-bar");
    await page.locator('#tab [data-view="force"]').click();
    await page.locator('#tab [data-plot="force"] .barlayer .point').first().waitFor();
    assert.equal(await page.locator('#tab [data-plot="force"] .barlayer .point').count(), 3);
    await shot("tab", "tabular-force");
    // The feature named like markup shows as text and never runs.
    const text = await page.locator("#tab").textContent();
    assert.ok(text?.includes(XSS), "label shown literally");
    assert.equal(await page.locator("#tab img").count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    // An update of the same output (update_display_data) keeps the chosen view.
    const updated = structuredClone(docs.tabular) as { rows: { prediction: number }[] };
    updated.rows[0].prediction = 392.5;
    await page.evaluate((d) => (window as unknown as { updateDoc(i: string, d: unknown): Promise<void> }).updateDoc("tab", d), updated);
    assert.match((await page.locator("#tab .gb-header").textContent()) ?? "", /f\(x\) = 392\.5/);
    assert.equal(await page.locator('#tab [data-view="force"]').getAttribute("aria-selected"), "true");
    assert.equal(await page.locator("#tab .gb-explain").count(), 1);
    await page.evaluate((d) => (window as unknown as { updateDoc(i: string, d: unknown): Promise<void> }).updateDoc("tab", d), docs.tabular);
    // Second row through the row switch.
    await page.locator('#tab select[data-control="row"]').selectOption("1");
    assert.match((await page.locator("#tab .gb-header").textContent()) ?? "", /f\(x\) = 52\b|f\(x\) = 52\.?/);
  });

  it("image: overlays on one shared scale, sign modes, masked overlay, colour bar", async () => {
    await fresh();
    await render("img", docs.image);
    await page.waitForFunction(() => document.querySelectorAll('#img canvas[data-ready="true"]').length === 2);
    assert.equal(await page.locator("#img .gb-colorbar").count(), 1);
    assert.equal(await page.locator("#img .gb-gap").getAttribute("data-level"), "ok");
    const pixel = (row: number, x: number, y: number) =>
      page.evaluate(([r, px, py]) => Array.from((document.querySelector(`#img canvas[data-row="${r}"]`) as HTMLCanvasElement).getContext("2d")!.getImageData(px, py, 1, 1).data), [row, x, y]);
    const planted = await pixel(0, 3, 8);
    const background = await pixel(0, 10, 1);
    assert.ok(planted[0] > 200 && planted[1] < 120, `planted region is red (SHAP +): ${planted}`);
    assert.ok(Math.abs(background[0] - background[2]) < 90, `background stays close to grey: ${background}`);
    await shot("img", "image-blended");
    const bar = async () => (await page.locator("#img .gb-colorbar .gb-stat").allTextContents());
    const [lo, hi] = await bar();
    assert.equal(Number(lo), -Number(hi), "symmetric scale");
    await page.locator('#img select[data-control="sign"]').selectOption("positive");
    await page.waitForFunction(() => document.querySelectorAll('#img canvas[data-ready="true"]').length === 2);
    assert.equal((await bar())[0], "0");
    await page.locator('#img select[data-control="overlay"]').selectOption("masked");
    await page.waitForFunction(() => document.querySelectorAll('#img canvas[data-ready="true"]').length === 2);
    const masked = await pixel(1, 1, 10);
    assert.ok(masked[0] < 60, `masked: unimportant pixels go dark: ${masked}`);
    await shot("img", "image-masked-positive");
    await page.locator('#img select[data-control="convention"]').selectOption("captum");
    await page.locator('#img select[data-control="overlay"]').selectOption("blended");
    await page.waitForFunction(() => document.querySelectorAll('#img canvas[data-ready="true"]').length === 2);
    const green = await pixel(0, 3, 8);
    assert.ok(green[1] > green[0], `captum convention: green for positive: ${green}`);
  });

  it("text: tokens coloured by attribution, escaped, convention switch", async () => {
    await fresh();
    await render("txt", docs.text);
    const tokens = await page.locator("#txt .gb-token").allTextContents();
    assert.deepEqual(tokens, ["the", "movie", "was", XSS, "great"]);
    assert.equal(await page.locator("#txt img").count(), 0);
    const colour = () => page.locator("#txt .gb-token").nth(4).evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.match(await colour(), /rgba\(255, 0, 81/);
    await page.locator('#txt select[data-control="convention"]').selectOption("captum");
    assert.match(await colour(), /rgba\(0, 160, 60/);
    await shot("txt", "text-tokens");
  });

  it("follows a live theme switch and falls back on unknown versions", async () => {
    await fresh();
    await render("tab", docs.tabular);
    await page.locator("#tab .waterfalllayer .point").first().waitFor();
    const fontColour = () => page.evaluate(() => (document.querySelector("#tab .js-plotly-plot") as unknown as { _fullLayout: { font: { color: string } } })._fullLayout.font.color);
    assert.equal(await fontColour(), "#3b3b3b");
    await page.evaluate(() => {
      document.body.className = "vscode-dark";
      document.body.dataset.vscodeThemeKind = "vscode-dark";
    });
    await page.waitForFunction(() => (document.querySelector("#tab .js-plotly-plot") as unknown as { _fullLayout?: { font: { color: string } } })?._fullLayout?.font.color === "#cccccc");
    await shot("tab", "tabular-waterfall-dark");
    const name = await page.evaluate((doc) => (window as unknown as { tryRender(d: unknown): Promise<string> }).tryRender(doc), { ...(docs.tabular as object), version: 2 });
    assert.equal(name, "vscode.fallbackToNextRenderer");
  });
});
