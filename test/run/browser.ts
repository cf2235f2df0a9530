// Opens `glassbox run` reports in headless Chromium (playwright-core, the system's chromium) and
// reports what the page rendered.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { ROOT } from "./helpers";

export interface RenderedReport {
  state: string | null;
  rendered: number;
  fallback: number;
  /** Per rich output: its MIME type, the renderer that drew it ("fallback" when none), and what it drew. */
  outputs: { mime: string; renderer: string | null; svgs: number; canvases: number; imgs: number; plots: number; text: string }[];
  pageErrors: string[];
  /** Requests that left the page (anything but file: and data: URLs). */
  network: string[];
}

/** Loads the report, waits for the renderers to finish, saves a screenshot under test-results/run/. */
export async function renderReport(browser: Browser, htmlPath: string, screenshot: string): Promise<RenderedReport> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  const network: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("request", (r) => {
    if (!/^(file|data|blob|about):/.test(r.url())) network.push(r.url());
  });
  await page.goto(pathToFileURL(htmlPath).href);
  await page.waitForFunction(() => document.documentElement.dataset.gbRendered === "done", undefined, { timeout: 120_000 });
  const result = await page.evaluate(() => {
    const root = document.documentElement.dataset;
    return {
      state: root.gbRendered ?? null,
      rendered: Number(root.gbRenderedCount),
      fallback: Number(root.gbFallbackCount),
      outputs: Array.from(document.querySelectorAll<HTMLElement>("[data-gb-rich]")).map((el) => ({
        mime: el.dataset.mime ?? "",
        renderer: el.dataset.gbRenderer ?? null,
        svgs: el.querySelectorAll("svg").length,
        canvases: el.querySelectorAll("canvas").length,
        imgs: el.querySelectorAll("img").length,
        plots: el.querySelectorAll(".js-plotly-plot, .main-svg").length,
        text: (el.textContent ?? "").slice(0, 200),
      })),
    };
  });
  const dir = join(ROOT, "test-results", "run");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, screenshot), fullPage: false });
  await page.close();
  return { ...result, pageErrors, network };
}
