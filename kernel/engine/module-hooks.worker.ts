/**
 * Node module customization hooks (`module.register`) for everything a notebook imports: cells,
 * local `.ts`/`.js`/`.mjs` files at any depth, and their packages. Bundled to
 * dist/module-hooks.worker.js and run by Node on its loader thread. They resolve the way the cell
 * compiler's type checker does (bundler style):
 *   - relative specifiers without extension, and folders with an `index` file;
 *   - bare specifiers from the importing file, then the notebook's folder, then the kernel's install;
 *   - TensorFlow.js packages (`@tensorflow/tfjs`, `-core`, `-layers`, `-node`, ...) to the kernel's
 *     own instance, unless the notebook's folder has its own (see ModuleLoader);
 *   - `.ts` files transpiled on load; `.js` files written as ES modules load as ES modules even
 *     without `"type": "module"`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { MessagePort } from "node:worker_threads";

export interface ModuleHooksData {
  kernelRoot: string;
  /** The names `tf` exports, for the virtual module that re-exports the kernel's instance. */
  tfNames: string[];
  /** The specifiers that resolve to the kernel's TensorFlow.js. */
  tfSpecifiers: string[];
  port: MessagePort;
}

/** What the main thread tells the hooks as the notebook changes. */
export interface ModuleHooksState {
  cwd: string;
  /** TensorFlow.js packages the notebook's folder provides itself (another version). */
  ownTf: string[];
}

export const TF_MODULE_URL = "glassbox:tfjs";
/** tfjs-vis: the kernel's inline version, the `tfvis` global (kernel/display/vis). */
const VIS_SPECIFIER = "@tensorflow/tfjs-vis";
const VIS_MODULE_URL = "glassbox:tfjs-vis";
const EXTENSIONS = [".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".cts", ".json"];
const TS_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts"]);

let data!: ModuleHooksData;
let state: ModuleHooksState = { cwd: process.cwd(), ownTf: [] };
let tfSpecifiers = new Set<string>();

export function initialize(init: ModuleHooksData): void {
  data = init;
  tfSpecifiers = new Set(init.tfSpecifiers);
  init.port.on("message", (message: ModuleHooksState) => (state = message));
  init.port.unref();
}

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A path with an extension or an `index` file added, as bundlers and TypeScript's "bundler" resolution do. */
function completePath(path: string): string | undefined {
  if (isFile(path)) return path;
  // `./x.js` written for a `./x.ts` (TypeScript's own convention for ES modules).
  const js = /\.([cm]?)js$/.exec(path);
  if (js && isFile(path.slice(0, -js[0].length) + `.${js[1]}ts`)) return path.slice(0, -js[0].length) + `.${js[1]}ts`;
  for (const ext of EXTENSIONS) if (isFile(path + ext)) return path + ext;
  for (const ext of EXTENSIONS) if (isFile(join(path, `index${ext}`))) return join(path, `index${ext}`);
  return undefined;
}

const isRelative = (s: string) => s.startsWith("./") || s.startsWith("../") || s === "." || s === "..";

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  if (tfSpecifiers.has(specifier) && !state.ownTf.includes(specifier)) return { url: TF_MODULE_URL, format: "module", shortCircuit: true };
  if (specifier === VIS_SPECIFIER) return { url: VIS_MODULE_URL, format: "module", shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_UNSUPPORTED_DIR_IMPORT") throw e;
    if (isRelative(specifier) || specifier.startsWith("/") || specifier.startsWith("file:")) {
      const base = context.parentURL ?? pathToFileURL(join(state.cwd, "__notebook__.js")).href;
      const found = completePath(fileURLToPath(new URL(specifier, base)));
      if (found) return { url: pathToFileURL(found).href, shortCircuit: true };
      throw e;
    }
    // A bare specifier from a module whose folder has no node_modules: the notebook's packages, then the kernel's.
    for (const root of [state.cwd, data.kernelRoot]) {
      try {
        return await next(specifier, { ...context, parentURL: pathToFileURL(join(root, "__glassbox__.js")).href });
      } catch {
        // next root
      }
    }
    if (specifier.startsWith("node:")) throw e;
    const name = specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
    const from = context.parentURL?.startsWith("file:") ? ` (imported from ${fileURLToPath(context.parentURL)})` : "";
    throw Object.assign(new Error(`Cannot find the package "${specifier}"${from}. Install it next to the notebook with: %install ${name}`), { code: "ERR_MODULE_NOT_FOUND" });
  }
}

interface LoadContext {
  format?: string | null;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

let typescript: typeof import("typescript") | undefined;

function transpile(source: string, file: string): string {
  typescript ??= createRequire(join(data.kernelRoot, "package.json"))("typescript") as typeof import("typescript");
  const ts = typescript;
  return ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true, jsx: ts.JsxEmit.React, verbatimModuleSyntax: false },
  }).outputText;
}

/** ES module syntax at the start of a line: `import x from`, `import {`, `import "x"`, `export ...`. */
const ESM_SYNTAX = /^\s*(import\s*[\w*{"'$]|export\s+(\{|\*|default\b|const\b|let\b|var\b|function\b|async\b|class\b))/m;

export async function load(url: string, context: LoadContext, next: NextLoad): Promise<LoadResult> {
  if (url === TF_MODULE_URL) {
    const names = data.tfNames.filter((n) => n !== "default" && /^[A-Za-z_$][\w$]*$/.test(n));
    const source = `const tf = globalThis[Symbol.for("glassbox.tf")];\nexport default tf;\nexport const { ${names.join(", ")} } = tf;\n`;
    return { format: "module", source, shortCircuit: true };
  }
  if (url === VIS_MODULE_URL) {
    const source = `const vis = globalThis.tfvis;\nexport default vis;\nexport const { render, show, metrics, visor } = vis;\n`;
    return { format: "module", source, shortCircuit: true };
  }
  if (url.startsWith("file:")) {
    const file = fileURLToPath(url);
    const ext = extname(file);
    if (TS_EXTENSIONS.has(ext) && ext !== ".cts") {
      return { format: "module", source: transpile(readFileSync(file, "utf8"), file), shortCircuit: true };
    }
    if (ext === ".js" && !file.includes("/node_modules/")) {
      const result = await next(url, context);
      if (result.format === "commonjs") {
        const source = readFileSync(file, "utf8");
        if (ESM_SYNTAX.test(source)) return { format: "module", source, shortCircuit: true };
      }
      return result;
    }
  }
  return next(url, context);
}
