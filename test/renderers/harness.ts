/**
 * A test page that loads the bundled renderers exactly as VS Code does: ES module import,
 * activate(ctx), then renderOutputItem(item, element) for each output (and again on updates).
 * Chromium is Debian's; files are served through Playwright routing, no server or network.
 */
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";

export const ROOT = resolve(__dirname, "../..");
export const RESULTS = join(ROOT, "test-results/renderers");
const BUNDLE = join(RESULTS, "bundle");
const ORIGIN = "http://glassbox.test";

/** Bundles the renderers under test the way esbuild.mjs does (ESM, code splitting, Plotly in a shared chunk). */
export async function buildRenderers(names: string[]): Promise<void> {
  await esbuild.build({
    entryPoints: Object.fromEntries(names.map((n) => [n, join(ROOT, "renderers", n, "index.ts")])),
    outdir: BUNDLE, bundle: true, format: "esm", platform: "browser", target: "es2022", splitting: true,
    chunkNames: "chunks/[name]-[hash]", minify: true, logLevel: "warning", legalComments: "none",
  });
}

/** VS Code-like theme variables (values from Light+, Dark+ and High Contrast). */
const THEME_CSS = `
body { margin: 12px; font-size: 13px; background: var(--vscode-editor-background); color: var(--vscode-editor-foreground); }
body.vscode-light { --vscode-editor-foreground: #3b3b3b; --vscode-editor-background: #ffffff; --vscode-foreground: #3b3b3b;
  --vscode-descriptionForeground: #717171; --vscode-badge-background: #cccccc; --vscode-badge-foreground: #3b3b3b; --vscode-panel-border: #e5e5e5;
  --vscode-focusBorder: #005fb8; --vscode-errorForeground: #a1260d; --vscode-editorWarning-foreground: #bf8803; --vscode-testing-iconPassed: #388a34;
  --vscode-charts-blue: #1a85ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #388a34; --vscode-charts-red: #e51400; --vscode-charts-purple: #652d90; --vscode-charts-yellow: #bf8803;
  --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #cecece; --vscode-progressBar-background: #005fb8; }
body.vscode-dark { --vscode-editor-foreground: #cccccc; --vscode-editor-background: #1f1f1f; --vscode-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8; --vscode-panel-border: #2b2b2b;
  --vscode-focusBorder: #0078d4; --vscode-errorForeground: #f85149; --vscode-editorWarning-foreground: #cca700; --vscode-testing-iconPassed: #73c991;
  --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185; --vscode-charts-red: #f14c4c; --vscode-charts-purple: #b180d7; --vscode-charts-yellow: #cca700;
  --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-input-border: #3c3c3c; --vscode-progressBar-background: #0078d4; }
body.vscode-high-contrast { --vscode-editor-foreground: #ffffff; --vscode-editor-background: #000000; --vscode-foreground: #ffffff;
  --vscode-descriptionForeground: #ffffff; --vscode-badge-background: #000000; --vscode-badge-foreground: #ffffff; --vscode-panel-border: #6fc3df; --vscode-contrastBorder: #6fc3df;
  --vscode-focusBorder: #f38518; --vscode-errorForeground: #f48771; --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; }
`;

/**
 * The page. `lang` is set the way the `glassbox run` report sets it (`<html lang data-glassbox-lang>`);
 * null leaves it out, as in VS Code's webview, whose `<html lang="en">` is hard-coded, so the
 * renderers follow navigator.language (the browser context's `locale`).
 */
const pageHtml = (lang: string | null) => `<!doctype html><html${lang === null ? ' lang="en"' : ` lang="${lang}" data-glassbox-lang="${lang}"`}><head><meta charset="utf-8"><style>${THEME_CSS}</style></head>
<body class="vscode-light" data-vscode-theme-kind="vscode-light"><div id="out"></div>
<script type="module">
  const apis = {}, states = {};
  window.loadRenderer = async (name) => {
    const mod = await import("/" + name + ".js");
    apis[name] = mod.activate({ getState: () => states[name], setState: (s) => { states[name] = s; }, workspace: { isTrusted: true } });
  };
  window.renderItem = async (name, id, mime, json, elementId) => {
    let element = document.getElementById(elementId);
    if (!element) { element = document.createElement("div"); element.id = elementId; element.style.marginBottom = "16px"; document.getElementById("out").append(element); }
    const item = { id, mime, metadata: {}, json: () => json, text: () => JSON.stringify(json), data: () => new TextEncoder().encode(JSON.stringify(json)) };
    const t0 = performance.now();
    await apis[name].renderOutputItem(item, element);
    return performance.now() - t0;
  };
  window.disposeItem = (name, id) => apis[name].disposeOutputItem(id);
  window.setTheme = (kind) => { document.body.className = kind; document.body.dataset.vscodeThemeKind = kind; };
  window.harnessReady = true;
</script></body></html>`;

const TYPES: Record<string, string> = { ".js": "text/javascript", ".map": "application/json", ".html": "text/html" };



export interface PageOptions {
  /** The document's language (default "en", so that tests read the same on any machine); null: none, as in VS Code. */
  lang?: string | null;
  /** The browser's language (navigator.language). */
  locale?: string;
}

/** Opens the harness with the given renderers activated; `errors` collects uncaught page errors. */
export async function openPage(browser: Browser, renderers: string[], options: PageOptions = {}): Promise<{ page: Page; errors: Error[] }> {
  const html = pageHtml(options.lang === undefined ? "en" : options.lang);
  const context = await browser.newContext({ viewport: { width: 900, height: 700 }, ...(options.locale ? { locale: options.locale } : {}) });
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on("pageerror", (error) => errors.push(error));
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/") return route.fulfill({ contentType: "text/html", body: html });
    try {
      return route.fulfill({ contentType: TYPES[extname(path)] ?? "application/octet-stream", body: readFileSync(join(BUNDLE, path)) });
    } catch {
      return route.fulfill({ status: 404, body: "not found" });
    }
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
  for (const name of renderers) await page.evaluate((n) => (window as unknown as { loadRenderer(n: string): Promise<void> }).loadRenderer(n), name);
  return { page: page, errors };
}

/** Renders one output item through the contract; returns the renderOutputItem time in ms. */
export function render(page: Page, renderer: string, id: string, mime: string, json: unknown, elementId = id): Promise<number> {
  return page.evaluate(([r, i, m, j, e]) => (window as unknown as { renderItem(...a: unknown[]): Promise<number> }).renderItem(r, i, m, j, e), [renderer, id, mime, json, elementId] as const);
}

export async function setTheme(page: Page, kind: "vscode-light" | "vscode-dark" | "vscode-high-contrast"): Promise<void> {
  await page.evaluate((k) => (window as unknown as { setTheme(k: string): void }).setTheme(k), kind);
}

/** Saves a screenshot of `selector` under test-results/renderers/, and under docs/screenshots/ when asked (GLASSBOX_UPDATE_SCREENSHOTS=1). */
export async function screenshot(page: Page, selector: string, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const png = await page.locator(selector).screenshot({ animations: "disabled" });
  writeFileSync(join(RESULTS, `${name}.png`), png);
  if (process.env.GLASSBOX_UPDATE_SCREENSHOTS === "1") {
    mkdirSync(join(ROOT, "docs/screenshots"), { recursive: true });
    writeFileSync(join(ROOT, "docs/screenshots", `${name}.png`), png);
  }
}
