/**
 * The script inside `glassbox run` reports (bundled to dist/report.page.js and inlined). It renders
 * each Glassbox output with the extension's own renderer through VS Code's renderer contract:
 * `activate(ctx).renderOutputItem(item, element)`. When no renderer handles a type, or one fails,
 * the static fallback written by the report (PNG, HTML, text) stays.
 *
 * When done it sets <html data-gb-rendered="done"> with counts, for tests and for people.
 */
import manifest from "../../package.json";

interface OutputItem {
  id: string;
  mime: string;
  metadata: unknown;
  text(): string;
  json(): unknown;
  data(): Uint8Array;
  blob(): Blob;
}

interface Renderer {
  renderOutputItem(item: OutputItem, element: HTMLElement, signal?: AbortSignal): void | Promise<void>;
  disposeOutputItem?(id?: string): void;
}

interface RendererModule {
  activate(ctx: unknown): Renderer | Promise<Renderer>;
}

interface RichOutput {
  id: string;
  mimes: string[];
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

// esbuild bundles every renderer present at build time behind this glob import.
const loadModule = (name: string): Promise<RendererModule> => import(`../../extension/renderers/${name}/index.ts`);

/** MIME type -> renderer name, from the extension manifest, then by convention (…glassbox.<name>.v1+json -> <name>). */
function rendererName(mime: string): string[] {
  const names: string[] = [];
  const contributes = (manifest as unknown as { contributes?: { notebookRenderer?: { entrypoint?: string | { path?: string }; mimeTypes?: string[] }[] } }).contributes;
  for (const r of contributes?.notebookRenderer ?? []) {
    const entry = typeof r.entrypoint === "string" ? r.entrypoint : r.entrypoint?.path;
    const name = entry ? /([^/\\]+)\.js$/.exec(entry)?.[1] : undefined;
    if (name && r.mimeTypes?.includes(mime)) names.push(name);
  }
  const m = /^application\/vnd\.glassbox\.([\w-]+)(?:\.v\d+)?\+json$/.exec(mime);
  if (m && !names.includes(m[1])) names.push(m[1]);
  return names;
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
    blob: () => new Blob([data()], { type: mime }),
  };
}

async function renderOne(output: RichOutput): Promise<"rendered" | "fallback"> {
  const host = document.querySelector<HTMLElement>(`[data-gb-rich="${CSS.escape(output.id)}"]`);
  if (!host) return "fallback";
  for (const mime of output.mimes) {
    for (const name of rendererName(mime)) {
      const r = await renderer(name);
      if (!r) continue;
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
  }
  host.dataset.gbRenderer = "fallback";
  return "fallback";
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
  root.dataset.gbRenderedCount = String(rendered);
  root.dataset.gbFallbackCount = String(fallback);
  root.dataset.gbRendered = "done";
}

void main();
