/**
 * "Glassbox: Variables", a webview view in the panel: the active notebook's live bindings from
 * the kernel (kernel/engine/variables.ts), refreshed after each cell by one silent request.
 * Clicking a tensor opens it in the tensor renderer beside the notebook; clicking a model, its
 * graph: a webview panel that runs the extension's own notebook renderer on the value's bundle.
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { GlassboxController } from "./controller";
import type { MimeBundle } from "./kernel-session";

export const VARIABLES_VIEW = "glassbox.variables";
const OPENABLE = new Set(["tensor", "variable", "model", "layer"]);

export class VariablesView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view?: vscode.WebviewView;
  private pending?: Promise<void>;
  private again = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** The notebook last shown, so that the view keeps it while another editor (or a value panel) is in front. */
  private last?: vscode.NotebookDocument;

  constructor(private readonly controller: GlassboxController, private readonly log: vscode.OutputChannel, private readonly extension: vscode.Extension<unknown>) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true };
    view.webview.html = page(randomBytes(16).toString("base64"), pageLabels());
    this.disposables.push(
      view.webview.onDidReceiveMessage((m: { type: string; name?: string; kind?: string }) => {
        if (m.type === "ready") void this.refresh();
        if (m.type === "open" && m.name) void this.open(m.name, m.kind ?? "");
      }),
      view.onDidChangeVisibility(() => { if (view.visible) void this.refresh(); }),
    );
  }

  private notebook(): vscode.NotebookDocument | undefined {
    const candidates = [vscode.window.activeNotebookEditor?.notebook, this.last, ...vscode.window.visibleNotebookEditors.map((e) => e.notebook)];
    const notebook = candidates.find((n) => n && !n.isClosed && this.controller.session(n));
    if (notebook) this.last = notebook;
    return notebook;
  }

  /** Asks the kernel for a snapshot; calls made while one is in flight coalesce into one more. */
  refresh(): Promise<void> {
    if (!this.view?.visible) return Promise.resolve();
    if (this.pending) { this.again = true; return this.pending; }
    this.pending = this.fetch().finally(() => {
      this.pending = undefined;
      if (this.again) { this.again = false; void this.refresh(); }
    });
    return this.pending;
  }

  private async fetch(): Promise<void> {
    const notebook = this.notebook();
    const session = notebook && this.controller.session(notebook);
    const post = (message: object) => void this.view?.webview.postMessage(message);
    if (!notebook || !session) return post({ type: "empty", reason: vscode.l10n.t("Run a cell of a Glassbox notebook to see its variables.") });
    const started = Date.now();
    try {
      const result = await session.peek({ vars: "__glassbox.variables()" });
      const vars = result?.vars;
      if (!vars) return post({ type: "empty", reason: vscode.l10n.t("The kernel is not running.") });
      if (vars.status !== "ok") return post({ type: "empty", reason: `The kernel could not list variables: ${vars.evalue ?? "unknown error"}` });
      post({ type: "snapshot", notebook: notebook.uri.path.split("/").pop(), snapshot: vars.data?.["application/json"], ms: Date.now() - started });
    } catch (e) {
      this.log.appendLine(`[glassbox] variables: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The value's own rich output (tensor, model graph…) beside the notebook, drawn by its renderer. */
  private async open(name: string, kind: string): Promise<void> {
    const notebook = this.notebook();
    const session = notebook && this.controller.session(notebook);
    if (!session || !OPENABLE.has(kind) || !/^[A-Za-z_$][\w$]*$/.test(name)) return;
    const result = (await session.peek({ value: name }))?.value;
    const shown = result?.status === "ok" && result.data ? this.rendererFor(result.data) : undefined;
    if (!shown) {
      void vscode.window.showWarningMessage(vscode.l10n.t("Glassbox could not show {0}: {1}.", name, result?.evalue ?? vscode.l10n.t("the kernel is not running")));
      return;
    }
    const dist = vscode.Uri.joinPath(this.extension.extensionUri, "dist", "renderers");
    const panel = vscode.window.createWebviewPanel("glassbox.value", `${name} (${kind})`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [dist] });
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, `${shown.renderer}.js`)).toString();
    panel.webview.html = valuePage(randomBytes(16).toString("base64"), panel.webview.cspSource, script, shown.mime, result!.data![shown.mime], name);
  }

  /** The first MIME type of the bundle that one of the extension's notebook renderers draws. */
  private rendererFor(bundle: MimeBundle): { renderer: string; mime: string } | undefined {
    const renderers = ((this.extension.packageJSON as { contributes?: { notebookRenderer?: Array<{ entrypoint: string; mimeTypes: string[] }> } }).contributes?.notebookRenderer ?? []);
    for (const mime of Object.keys(bundle)) {
      const r = renderers.find((x) => x.mimeTypes.includes(mime));
      const file = r && /([^/]+)\.js$/.exec(r.entrypoint)?.[1];
      if (file) return { renderer: file, mime };
    }
    return undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A value's page: the renderer module activated as VS Code does, then renderOutputItem on its payload. */
function valuePage(nonce: string, cspSource: string, script: string, mime: string, payload: unknown, name: string): string {
  // JSON inside a script element: escape "<" so no "</script>" can end it early.
  const json = JSON.stringify({ mime, payload, name }).replace(/</g, "\\u003c");
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data: blob:; style-src ${cspSource} 'unsafe-inline'; font-src ${cspSource}; script-src 'nonce-${nonce}' ${cspSource};">
<style nonce="${nonce}">body { padding: 8px 12px; color: var(--vscode-editor-foreground); background: var(--vscode-editor-background); }</style></head>
<body><div id="gb-value"></div><script nonce="${nonce}" type="module">
const { mime, payload, name } = ${json};
const { activate } = await import(${JSON.stringify(script)});
const api = await activate({ workspace: { isTrusted: true } });
const text = JSON.stringify(payload);
await api.renderOutputItem({ id: "value-" + name, mime, metadata: {}, json: () => payload, text: () => text, data: () => new TextEncoder().encode(text) }, document.getElementById("gb-value"));
document.body.dataset.rendered = "true";
</script></body></html>`;
}

/** The page's words in VS Code's display language (the page script only places them). */
function pageLabels() {
  return {
    loading: vscode.l10n.t("Loading…"),
    variables: vscode.l10n.t("{0} variables"),
    tensors: vscode.l10n.t("{0} tensors"),
    lastCell: vscode.l10n.t("last cell"),
    disposed: vscode.l10n.t("disposed"),
    params: vscode.l10n.t("{0} params"),
    columns: [vscode.l10n.t("name"), vscode.l10n.t("kind"), vscode.l10n.t("type"), vscode.l10n.t("shape"), vscode.l10n.t("dtype"), vscode.l10n.t("bytes"), vscode.l10n.t("device"), vscode.l10n.t("value")],
    language: vscode.env.language,
  };
}

/** The view's page: a table built with textContent (names and values never become markup). */
function page(nonce: string, labels: ReturnType<typeof pageLabels>): string {
  // JSON inside a script element: escape "<" so no "</script>" can end it early.
  const words = JSON.stringify(labels).replace(/</g, "\\u003c");
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 8px; }
.totals { margin: 6px 0; color: var(--vscode-descriptionForeground); }
.leak { color: var(--vscode-editorWarning-foreground); }
table { border-collapse: collapse; width: 100%; font-family: var(--vscode-editor-font-family); font-size: 12px; }
th { text-align: left; font-weight: normal; color: var(--vscode-descriptionForeground); position: sticky; top: 0; background: var(--vscode-panel-background, var(--vscode-editor-background)); }
th, td { padding: 1px 8px; white-space: nowrap; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.2)); }
td.value { max-width: 40em; overflow: hidden; text-overflow: ellipsis; }
tr.openable { cursor: pointer; }
tr.openable:hover { background: var(--vscode-list-hoverBackground); }
tr.openable td.name { color: var(--vscode-textLink-foreground); }
tr.disposed { opacity: .55; }
.empty { color: var(--vscode-descriptionForeground); margin: 8px 0; }
</style></head><body><div id="root"><div class="empty"></div></div>
<script nonce="${nonce}">
const L = ${words};
const fill = (template, value) => template.replace("{0}", value);
document.querySelector(".empty").textContent = L.loading;
const vscode = acquireVsCodeApi();
const root = document.getElementById("root");
const OPENABLE = new Set(["tensor", "variable", "model", "layer"]);
const number = new Intl.NumberFormat(L.language);
const bytes = (n) => { const u = ["B", "KB", "MB", "GB"]; let v = Math.abs(n), i = 0; while (v >= 1024 && i < 3) { v /= 1024; i++; } return (n < 0 ? "-" : "") + new Intl.NumberFormat(L.language, { minimumFractionDigits: i ? 1 : 0, maximumFractionDigits: i ? 1 : 0 }).format(v) + " " + u[i]; };
const signed = (n, text) => (n > 0 ? "+" : n < 0 ? "−" : "±") + text.replace(/^-/, "");
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
window.addEventListener("message", ({ data }) => {
  if (data.type === "empty") { root.replaceChildren(el("div", "empty", data.reason)); return; }
  if (data.type !== "snapshot" || !data.snapshot) return;
  const s = data.snapshot, m = s.memory;
  const totals = el("div", "totals");
  totals.append(el("span", "", data.notebook + ": " + fill(L.variables, number.format(s.bindings.length)) + " · " + fill(L.tensors, number.format(m.numTensors)) + ", " + bytes(m.numBytes) + " · " + L.lastCell + " "),
    el("span", m.deltaTensors > 0 ? "leak" : "", fill(L.tensors, signed(m.deltaTensors, String(m.deltaTensors))) + ", " + signed(m.deltaBytes, bytes(m.deltaBytes))));
  root.dataset.refreshMs = String(data.ms);
  const table = el("table"), head = el("tr");
  for (const h of L.columns) head.append(el("th", "", h));
  table.append(el("thead")); table.tHead.append(head);
  const body = el("tbody");
  for (const b of s.bindings) {
    const tr = el("tr", (OPENABLE.has(b.kind) && !b.disposed ? "openable" : "") + (b.disposed ? " disposed" : ""));
    tr.dataset.name = b.name; tr.dataset.kind = b.kind;
    const detail = b.disposed ? L.disposed : b.params !== undefined ? fill(L.params, number.format(b.params)) : (b.value ?? "");
    const cells = [b.name, b.kind, b.type, b.shape ? "[" + b.shape.join(",") + "]" : "", b.dtype ?? "", b.bytes !== undefined ? bytes(b.bytes) : "", b.device ?? "", detail];
    cells.forEach((c, i) => tr.append(el("td", i === 0 ? "name" : i === 7 ? "value" : "", c)));
    if (OPENABLE.has(b.kind) && !b.disposed) tr.addEventListener("click", () => vscode.postMessage({ type: "open", name: b.name, kind: b.kind }));
    body.append(tr);
  }
  table.append(body);
  root.replaceChildren(totals, table);
});
vscode.postMessage({ type: "ready" });
</script></body></html>`;
}
