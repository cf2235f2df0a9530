/**
 * The script inside `glassbox run` reports (bundled to dist/report.page.js and inlined). It renders
 * each Glassbox output with the extension's own renderer through VS Code's renderer contract:
 * `activate(ctx).renderOutputItem(item, element)`. When no renderer handles a type, or one fails,
 * the static fallback written by the report (PNG, HTML, text) stays. It also sizes the sandboxed
 * frames that hold cells' HTML and SVG to their content (sizeFrames).
 *
 * When done it sets <html data-gb-rendered="done"> with counts, for tests and for people.
 */

import { contributes } from "../../package.json";
import type { ActivationFunction, OutputItem, RendererApi as Renderer } from "../../renderers/shared/contract";

interface RendererModule {
  activate: ActivationFunction;
}

interface RichOutput {
  id: string;
  mimes: string[];
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

// esbuild bundles every renderer present at build time behind this glob import.
const loadModule = (name: string): Promise<RendererModule> => import(`../../renderers/${name}/index.ts`);

/**
 * MIME type -> renderer name: from the extension manifest (VS Code's own mapping, which also names
 * Plotly's application/vnd.plotly.v1+json), else by convention: application/vnd.glassbox.<name>.v1+json -> <name>.
 */
function rendererName(mime: string): string | undefined {
  for (const r of contributes.notebookRenderer) {
    if ((r.mimeTypes as string[]).includes(mime)) return /([^/]+)\.js$/.exec(r.entrypoint)?.[1];
  }
  return /^application\/vnd\.glassbox\.([\w-]+)(?:\.v\d+)?\+json$/.exec(mime)?.[1];
}

const renderers = new Map<string, Promise<Renderer | undefined>>();

function renderer(name: string): Promise<Renderer | undefined> {
  let r = renderers.get(name);
  if (!r) {
    const state = new Map<string, unknown>();
    const ctx = {
      workspace: { isTrusted: true },
      settings: { dependencies: [] },
      getState: () => state.get(name),
      setState: (value: unknown) => void state.set(name, value),
    };
    r = loadModule(name)
      .then((mod) => mod.activate(ctx))
      .catch(() => undefined);
    renderers.set(name, r);
  }
  return r;
}

function item(id: string, mime: string, value: unknown, metadata: unknown): OutputItem {
  const text = () => (typeof value === "string" ? value : JSON.stringify(value));
  const data = () => new TextEncoder().encode(text());
  return {
    id,
    mime,
    metadata,
    text,
    json: () => (typeof value === "string" ? JSON.parse(value) : value),
    data,
  };
}

async function renderOne(output: RichOutput): Promise<"rendered" | "fallback"> {
  const host = document.querySelector<HTMLElement>(`[data-gb-rich="${CSS.escape(output.id)}"]`);
  if (!host) return "fallback";
  for (const mime of output.mimes) {
    const name = rendererName(mime);
    const r = name ? await renderer(name) : undefined;
    if (!name || !r) continue;
    const element = document.createElement("div");
    element.className = "gb-rich";
    const fallback = Array.from(host.childNodes);
    host.prepend(element);
    try {
      await r.renderOutputItem(item(output.id, mime, output.data[mime], output.metadata[mime] ?? output.metadata), element);
      for (const node of fallback) node.parentNode?.removeChild(node);
      host.dataset.gbRenderer = name;
      return "rendered";
    } catch (e) {
      element.remove();
      console.warn(`glassbox report: the ${name} renderer failed on ${output.id}:`, e);
    }
  }
  host.dataset.gbRenderer = "fallback";
  return "fallback";
}

/**
 * Sizes each sandboxed frame (report.ts: sandboxedFrame) to its content. The frame itself has an
 * opaque origin, so this page cannot read its layout; a hidden probe frame lays out the same
 * document with `sandbox="allow-same-origin"` and still no allow-scripts: the browser runs no script
 * in it (no <script>, no event handler, no javascript: URL, and its CSP says script-src 'none'), and
 * only this page's script reads its height. Probes stay, so a window resize re-measures.
 */
function sizeFrames(): Promise<number> {
  const frames = Array.from(document.querySelectorAll<HTMLIFrameElement>("iframe.gb-frame"));
  const probes = frames.map((frame) => {
    const probe = document.createElement("iframe");
    probe.className = "gb-frame-probe";
    probe.setAttribute("sandbox", "allow-same-origin");
    probe.setAttribute("aria-hidden", "true");
    probe.tabIndex = -1;
    probe.style.width = `${frame.clientWidth || frame.parentElement?.clientWidth || 600}px`;
    const loaded = new Promise<void>((resolve) => probe.addEventListener("load", () => resolve(), { once: true }));
    probe.srcdoc = frame.srcdoc;
    document.body.append(probe);
    return { frame, probe, loaded };
  });
  const measure = ({ frame, probe }: { frame: HTMLIFrameElement; probe: HTMLIFrameElement }) => {
    const doc = probe.contentDocument;
    if (!doc) return false;
    probe.style.width = `${frame.clientWidth || 600}px`;
    frame.style.height = `${Math.ceil(Math.max(doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0))}px`;
    frame.dataset.gbSized = "true";
    return true;
  };
  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => probes.forEach(measure));
  });
  return Promise.all(probes.map(async (p) => {
    await p.loaded;
    return measure(p);
  })).then((sized) => sized.filter(Boolean).length);
}

async function main(): Promise<void> {
  const root = document.documentElement;
  root.dataset.gbRendered = "running";
  const dataNode = document.getElementById("gb-rich-outputs");
  const outputs: RichOutput[] = dataNode?.textContent ? (JSON.parse(dataNode.textContent) as RichOutput[]) : [];
  let rendered = 0;
  let fallback = 0;
  // One at a time keeps the page responsive and the order of plots stable.
  for (const output of outputs) {
    if ((await renderOne(output)) === "rendered") rendered++;
    else fallback++;
  }
  root.dataset.gbFramesSized = String(await sizeFrames());
  root.dataset.gbRenderedCount = String(rendered);
  root.dataset.gbFallbackCount = String(fallback);
  root.dataset.gbRendered = "done";
}

void main();
