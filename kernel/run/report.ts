/**
 * The offline HTML report of executed notebooks: one self-contained file (styles, data and the
 * renderer bundle inline; no network). Markdown, text, images and errors are rendered here as
 * static HTML; outputs in Glassbox MIME types are rendered in the page by the same renderers the
 * VS Code extension uses (dist/report.page.js), with the static fallback kept when a renderer is
 * missing or fails.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { escapeHtml } from "../display/escape";
import { currentLanguage, fixedTranslator, type Language, type MessageKey, type MessageValues } from "../i18n";
import { renderMarkdown } from "./markdown";
import type { MimeBundle, Notebook, Output } from "./notebook";
import { sourceText } from "./notebook";
import { errorText } from "../outputs/reducer";
import { applyControlChars, stripAnsi } from "../outputs/text";

export interface ReportEntry {
  /** Shown as the section's title; defaults to the notebook's first heading. */
  title?: string;
  /** The notebook's file name, shown under the title. */
  file: string;
  notebook: Notebook;
  /** A line about how the run went ("12 cells in 3.4 s", "stopped at cell 4: …"). */
  summary?: string;
  failed?: boolean;
}

/** A rich output the page script renders: its place in the page and its bundle. */
export interface RichOutput {
  id: string;
  mimes: string[];
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** Types the page renders with the extension's renderers: Glassbox's own and Plotly figures. */
export const GLASSBOX_MIME = /^application\/vnd\.(glassbox\.[\w.-]+|plotly\.v1)\+json$/;

function text(value: unknown): string {
  return Array.isArray(value) ? value.join("") : typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function b64(value: unknown): string {
  return text(value).replace(/\s+/g, "");
}

/** Styles of a frame's own document: the report's fonts and colours, no margin (the frame is sized to the content). */
const FRAME_STYLE = "html,body{margin:0;padding:0;background:transparent}body{color:#1f2328;font:14px/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;overflow-wrap:anywhere}table{border-collapse:collapse}th,td{border:1px solid #d1d9e0;padding:3px 8px}svg,img{max-width:100%}";

/**
 * A cell's HTML or SVG in an iframe with `sandbox=""` (no script, an opaque origin: it can neither
 * run code nor reach the page) and `srcdoc` (escaped here, so the markup cannot leave the attribute).
 * The CSP inside says the same again. The page script sizes the frame to its content
 * (report.page.ts: sizeFrames); without it the frame keeps a default height and scrolls.
 */
function sandboxedFrame(markup: string, kind: "html" | "svg", t: Translate = fixedTranslator(currentLanguage())): string {
  const doc = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="script-src 'none'; object-src 'none'"><style>${FRAME_STYLE}</style></head><body>${markup}</body></html>`;
  return `<iframe class="gb-frame gb-frame-${kind}" sandbox="" srcdoc="${escapeHtml(doc)}" title="${escapeHtml(t(kind === "svg" ? "report.svgOutput" : "report.htmlOutput"))}" loading="eager"></iframe>`;
}

/** The static HTML of a MIME bundle, best representation first. */
export function staticMime(data: MimeBundle, t: Translate = fixedTranslator(currentLanguage())): string {
  if (data["image/png"] !== undefined) return `<img class="gb-image" alt="" src="data:image/png;base64,${escapeHtml(b64(data["image/png"]))}">`;
  if (data["image/jpeg"] !== undefined) return `<img class="gb-image" alt="" src="data:image/jpeg;base64,${escapeHtml(b64(data["image/jpeg"]))}">`;
  // A cell's HTML and SVG are documents of their own, in sandboxed frames: no script runs and
  // unbalanced markup cannot swallow the page (see sandboxedFrame).
  if (data["image/svg+xml"] !== undefined) return sandboxedFrame(text(data["image/svg+xml"]), "svg", t);
  if (data["text/html"] !== undefined) return sandboxedFrame(text(data["text/html"]), "html", t);
  if (data["text/markdown"] !== undefined) return `<div class="gb-markdown">${renderMarkdown(text(data["text/markdown"]))}</div>`;
  if (data["text/latex"] !== undefined) return `<pre class="gb-text">${escapeHtml(text(data["text/latex"]))}</pre>`;
  if (data["application/json"] !== undefined) return `<pre class="gb-text">${escapeHtml(JSON.stringify(data["application/json"], null, 2))}</pre>`;
  if (data["text/plain"] !== undefined) return `<pre class="gb-text">${escapeHtml(stripAnsi(text(data["text/plain"])))}</pre>`;
  const kinds = Object.keys(data).join(", ");
  return `<pre class="gb-text gb-muted">${escapeHtml(kinds ? t("report.outputOfType", { types: kinds }) : t("report.emptyOutput"))}</pre>`;
}

function renderOutput(output: Output, id: string, rich: RichOutput[], t: Translate): string {
  switch (output.output_type) {
    case "stream":
      return `<pre class="gb-stream gb-${output.name}">${escapeHtml(applyControlChars(stripAnsi(sourceText(output.text))))}</pre>`;
    case "error":
      return `<pre class="gb-error">${escapeHtml(stripAnsi(errorText(output)))}</pre>`;
    default: {
      const mimes = Object.keys(output.data).filter((m) => GLASSBOX_MIME.test(m));
      if (mimes.length) rich.push({ id, mimes, data: output.data, metadata: output.metadata });
      const attrs = mimes.length ? ` data-gb-rich="${escapeHtml(id)}" data-mime="${escapeHtml(mimes[0])}"` : "";
      return `<div class="gb-display"${attrs}>${staticMime(output.data, t)}</div>`;
    }
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/\.ipynb$/, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "notebook";
}

/** The notebook's first Markdown heading, or its file name. */
export function notebookTitle(nb: Notebook, file: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const m = /^#{1,3}\s+(.+)$/m.exec(sourceText(cell.source));
    if (m) return m[1].replace(/[*_`]/g, "").trim();
  }
  return file;
}

function renderNotebook(entry: ReportEntry, index: number, rich: RichOutput[], t: Translate): string {
  const anchor = `nb-${index + 1}-${slug(entry.file)}`;
  const cells = entry.notebook.cells.map((cell, c) => {
    const src = sourceText(cell.source);
    if (cell.cell_type !== "code") {
      if (cell.cell_type === "markdown") return `<section class="gb-cell gb-md">${renderMarkdown(src)}</section>`;
      return `<section class="gb-cell gb-raw"><pre>${escapeHtml(src)}</pre></section>`;
    }
    const count = cell.execution_count ?? " ";
    const outputs = cell.outputs.map((o, k) => `<div class="gb-output">${renderOutput(o, `${anchor}-c${c + 1}-o${k + 1}`, rich, t)}</div>`).join("");
    const failed = cell.outputs.some((o) => o.output_type === "error");
    const prompt = failed ? `<span class="gb-prompt gb-bad" title="${escapeHtml(t("report.cellFailed"))}">[${count}]<span class="gb-failed-badge">${escapeHtml(t("report.failed"))}</span></span>` : `<span class="gb-prompt">[${count}]</span>`;
    return `<section class="gb-cell gb-code${failed ? " gb-failed" : ""}" id="${anchor}-c${c + 1}"><div class="gb-in">${prompt}<pre class="gb-source"><code>${escapeHtml(src)}</code></pre></div>${outputs ? `<div class="gb-outputs">${outputs}</div>` : ""}</section>`;
  });
  const summary = entry.summary ? `<p class="gb-summary${entry.failed ? " gb-bad" : ""}">${escapeHtml(entry.summary)}</p>` : "";
  return `<article class="gb-notebook" id="${anchor}"><header class="gb-nb-head"><p class="gb-file">${escapeHtml(entry.file)}</p>${summary}</header>${cells.join("\n")}</article>`;
}

const STYLE = `
:root{color-scheme:light;--vscode-font-family:system-ui,-apple-system,"Segoe UI",sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;--vscode-editor-font-size:13px;--vscode-editor-background:#ffffff;--vscode-editor-foreground:#1f2328;--vscode-foreground:#1f2328;--vscode-descriptionForeground:#59636e;--vscode-panel-border:#d1d9e0;--vscode-widget-border:#d1d9e0;--vscode-focusBorder:#0969da;--vscode-textLink-foreground:#0969da;--vscode-button-background:#0969da;--vscode-button-foreground:#ffffff;--vscode-button-secondaryBackground:#eef1f4;--vscode-button-secondaryForeground:#1f2328;--vscode-input-background:#ffffff;--vscode-input-foreground:#1f2328;--vscode-input-border:#d1d9e0;--vscode-dropdown-background:#ffffff;--vscode-dropdown-foreground:#1f2328;--vscode-dropdown-border:#d1d9e0;--vscode-badge-background:#0969da;--vscode-badge-foreground:#ffffff;--vscode-errorForeground:#cf222e;--vscode-editorWarning-foreground:#9a6700;--vscode-charts-red:#cf222e;--vscode-charts-blue:#0969da;--vscode-charts-green:#1a7f37;--vscode-charts-orange:#bc4c00;--vscode-charts-purple:#8250df;--vscode-charts-yellow:#9a6700;--vscode-charts-foreground:#1f2328;--vscode-charts-lines:#d1d9e0;--vscode-notebook-cellBorderColor:#d1d9e0;--vscode-textCodeBlock-background:#f6f8fa;--vscode-textPreformat-foreground:#1f2328}
*{box-sizing:border-box}
body{margin:0;background:var(--vscode-editor-background);color:var(--vscode-editor-foreground);font:15px/1.55 var(--vscode-font-family)}
.gb-layout{display:flex;min-height:100vh}
nav.gb-toc{flex:0 0 250px;position:sticky;top:0;align-self:flex-start;height:100vh;overflow:auto;padding:20px 16px;border-right:1px solid var(--vscode-panel-border);background:#f6f8fa;font-size:14px}
nav.gb-toc h2{font-size:15px;margin:0 0 10px}
nav.gb-toc ol{padding-left:20px;margin:0}
nav.gb-toc li{margin:6px 0}
nav.gb-toc .gb-bad{color:var(--vscode-errorForeground)}
main{flex:1;min-width:0;max-width:1050px;margin:0 auto;padding:24px 32px 80px}
.gb-report-head{border-bottom:1px solid var(--vscode-panel-border);margin-bottom:24px}
.gb-report-head h1{margin:0 0 4px;font-size:26px}
.gb-report-head p{margin:0 0 14px;color:var(--vscode-descriptionForeground)}
.gb-notebook{margin-bottom:64px}
.gb-notebook+.gb-notebook{border-top:3px double var(--vscode-panel-border);padding-top:24px}
.gb-file{margin:0;color:var(--vscode-descriptionForeground);font:12px var(--vscode-editor-font-family)}
.gb-summary{margin:2px 0 12px;color:var(--vscode-charts-green);font-size:13px}
.gb-summary.gb-bad{color:var(--vscode-errorForeground);font-weight:600}
.gb-cell{margin:10px 0}
.gb-md h1{font-size:26px;margin:18px 0 8px}.gb-md h2{font-size:21px;margin:22px 0 8px}.gb-md h3{font-size:17px}
.gb-md code,.gb-markdown code{background:var(--vscode-textCodeBlock-background);padding:1px 4px;border-radius:4px;font:0.9em var(--vscode-editor-font-family)}
.gb-md pre,.gb-markdown pre{background:var(--vscode-textCodeBlock-background);padding:10px;border-radius:6px;overflow:auto}
.gb-md pre code{background:none;padding:0}
.gb-md blockquote{margin:8px 0;padding:4px 14px;border-left:4px solid var(--vscode-focusBorder);background:#f1f8ff}
.gb-md table,.gb-markdown table{border-collapse:collapse;margin:8px 0}
.gb-md th,.gb-md td,.gb-markdown th,.gb-markdown td{border:1px solid var(--vscode-panel-border);padding:4px 10px}
.gb-md img{max-width:100%}
.gb-in{display:flex;gap:8px;align-items:flex-start}
.gb-prompt{flex:0 0 44px;text-align:right;color:var(--vscode-descriptionForeground);font:12px/2 var(--vscode-editor-font-family)}
.gb-source{flex:1;min-width:0;margin:0;padding:8px 12px;background:var(--vscode-textCodeBlock-background);border:1px solid var(--vscode-panel-border);border-radius:6px;overflow:auto;font:13px/1.45 var(--vscode-editor-font-family)}
.gb-failed .gb-source{border-color:var(--vscode-errorForeground)}
.gb-prompt.gb-bad{color:var(--vscode-errorForeground)}
.gb-failed-badge{display:block;font:11px/1.4 var(--vscode-font-family);font-weight:600}
.gb-outputs{margin:6px 0 0 52px}
.gb-output{margin:4px 0;overflow-x:auto}
.gb-output pre{margin:0;padding:4px 0;font:13px/1.4 var(--vscode-editor-font-family);white-space:pre-wrap;word-break:break-word}
.gb-stderr{color:var(--vscode-editorWarning-foreground)}
.gb-error{color:var(--vscode-errorForeground);background:#fff5f5;padding:8px!important;border-radius:6px}
.gb-muted{color:var(--vscode-descriptionForeground)}
.gb-image{max-width:100%;image-rendering:auto}
.gb-frame{display:block;width:100%;height:150px;border:0;overflow:hidden}
.gb-frame-probe{position:absolute;left:-10000px;top:0;visibility:hidden;height:0;border:0}
.gb-rich{min-height:20px}
.gb-render-note{color:var(--vscode-descriptionForeground);font-size:12px}
@media print{nav.gb-toc{display:none}}
`;

/** Makes text safe to sit inside a <script> element. */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** The renderer bundle for reports: next to the running CLI bundle, or in the checkout's dist/. */
export function findPageScript(): string | undefined {
  const candidates = [join(__dirname, "report.page.js")];
  for (let dir = __dirname, i = 0; i < 6; i++, dir = dirname(dir)) candidates.push(join(dir, "dist", "report.page.js"));
  for (const path of candidates) if (existsSync(path)) return readFileSync(path, "utf8");
  return undefined;
}

type Translate = (key: MessageKey, values?: MessageValues) => string;

export interface ReportOptions {
  /** The page's language (`<html lang>`, its own labels, and the renderers'); default: the process's (GLASSBOX_LANG or the locale). */
  language?: Language;
  title?: string;
  subtitle?: string;
  /** The page script's source; by default the built dist/report.page.js. */
  pageScript?: string;
}

export function renderReport(entries: ReportEntry[], options: ReportOptions = {}): string {
  const language = options.language ?? currentLanguage();
  const t = fixedTranslator(language);
  const rich: RichOutput[] = [];
  const bodies = entries.map((e, i) => renderNotebook(e, i, rich, t));
  const titles = entries.map((e) => e.title ?? notebookTitle(e.notebook, e.file));
  const title = options.title ?? (entries.length === 1 ? titles[0] : t("report.title"));
  const toc =
    entries.length > 1
      ? `<nav class="gb-toc"><h2>${escapeHtml(t("report.notebooks"))}</h2><ol>${entries
          .map((e, i) => `<li><a href="#nb-${i + 1}-${slug(e.file)}"${e.failed ? ' class="gb-bad"' : ""}>${escapeHtml(titles[i])}</a>${e.failed ? " ✗" : ""}</li>`)
          .join("")}</ol></nav>`
      : "";
  const script = options.pageScript ?? findPageScript();
  const data = JSON.stringify(rich).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  const note = script ? "" : `<p class="gb-render-note">${escapeHtml(t("report.noBundle"))}</p>`;
  const subtitle = options.subtitle ? `<p>${escapeHtml(options.subtitle)}</p>` : "";
  // Each notebook's <h1> comes from its own first Markdown cell; the report head is only for the whole set.
  const head = entries.length > 1 ? `<header class="gb-report-head"><h1>${escapeHtml(title)}</h1>${subtitle}</header>` : subtitle ? `<header class="gb-report-head">${subtitle}</header>` : "";
  return `<!doctype html>
<html lang="${language}" data-glassbox-lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="glassbox run">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body class="vscode-light" data-vscode-theme-kind="vscode-light">
<div class="gb-layout">${toc}<main>${head}${note}
${bodies.join("\n")}
</main></div>
<script type="application/json" id="gb-rich-outputs">${data}</script>
${script ? `<script>${scriptSafe(script)}</script>` : ""}
</body>
</html>
`;
}
