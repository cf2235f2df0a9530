/**
 * How cells load code: `import` (rewritten by the compiler to `__glassbox.import`) and `require`,
 * both resolved from the notebook's folder first and then from the kernel's own install, so a
 * notebook works without a node_modules of its own. Everything the cells load then goes through
 * one module world: Node's module customization hooks (module-hooks.worker.ts) for ES modules and
 * local `.ts`/`.js` files at any depth, and the same rules for CommonJS `require` (below).
 * TensorFlow.js packages resolve to the kernel's instance from anywhere in that graph, so every
 * `import * as tf from "@tensorflow/tfjs"` (or `-node`, `-core`, ...) is the preloaded `tf`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, extname, isAbsolute, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { findKernelRoot } from "../root";
import type { ModuleHooksData, ModuleHooksState } from "./module-hooks.worker";
import { t } from "../i18n";

/** The packages that are the kernel's TensorFlow.js, wherever they are imported from. */
/** tfjs-vis resolves to the kernel's inline version (kernel/display/vis), the `tfvis` global. */
export const VIS_SPECIFIER = "@tensorflow/tfjs-vis";
const visModule = (): unknown => (globalThis as { tfvis?: unknown }).tfvis;

export const TF_SPECIFIERS = [
  "@tensorflow/tfjs",
  "@tensorflow/tfjs-core",
  "@tensorflow/tfjs-layers",
  "@tensorflow/tfjs-data",
  "@tensorflow/tfjs-converter",
  "@tensorflow/tfjs-backend-cpu",
  "@tensorflow/tfjs-node",
  "@tensorflow/tfjs-node-gpu",
];

/** Where `require` finds the kernel's `tf` (a module in require's cache under this name). */
const TF_CACHE_KEY = join(sep, "__glassbox__", "tfjs.js");
const VIS_CACHE_KEY = join(sep, "__glassbox__", "tfjs-vis.js");

type Namespace = Record<string, unknown>;

const CONDITIONS = ["import", "node", "module-sync", "default"];
const EXTENSIONS = ["", ".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json", "/index.ts", "/index.js"];

/** The kernel's own install; module resolution falls back to its packages. */
export function kernelRoot(): string {
  return findKernelRoot(__dirname) ?? join(__dirname, "..");
}

function asNamespace(value: unknown): Namespace {
  if (value && typeof value === "object" && "default" in (value as object)) return value as Namespace;
  const ns: Namespace = Object.create(null);
  if (value && (typeof value === "object" || typeof value === "function")) for (const key of Object.keys(value)) ns[key] = (value as Namespace)[key];
  ns.default = value;
  return ns;
}

/** A module the kernel provides is its own namespace (so `import * as tf` is `tf`), with a `default` too. */
function providedNamespace(value: unknown): Namespace {
  const ns = value as Namespace;
  if (!("default" in ns)) Object.defineProperty(ns, "default", { value: ns, enumerable: false, configurable: true });
  return ns;
}

function conditional(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = conditional(t);
      if (found) return found;
    }
    return undefined;
  }
  if (target && typeof target === "object") {
    for (const [key, value] of Object.entries(target)) if (CONDITIONS.includes(key)) return conditional(value);
  }
  return undefined;
}

/** Applies a package.json "exports" map for a subpath ("." or "./x"), with "import" conditions. */
function exportsTarget(exports: unknown, subpath: string): string | undefined {
  if (typeof exports === "string" || Array.isArray(exports)) return subpath === "." ? conditional(exports) : undefined;
  if (!exports || typeof exports !== "object") return undefined;
  const map = exports as Record<string, unknown>;
  if (!Object.keys(map).some((k) => k.startsWith("."))) return subpath === "." ? conditional(map) : undefined;
  if (subpath in map) return conditional(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const [before, after] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(before) && subpath.endsWith(after)) {
      const target = conditional(value);
      return target?.replace("*", subpath.slice(before.length, subpath.length - after.length));
    }
  }
  return undefined;
}

function packageEntry(dir: string, subpath: string): string | undefined {
  const manifestPath = join(dir, "package.json");
  if (!existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { exports?: unknown; module?: string; main?: string };
  if (manifest.exports !== undefined) {
    const target = exportsTarget(manifest.exports, subpath);
    return target ? join(dir, target) : undefined;
  }
  if (subpath !== ".") return withExtension(join(dir, subpath));
  return withExtension(join(dir, manifest.main ?? "index.js"));
}

function withExtension(path: string): string | undefined {
  for (const ext of EXTENSIONS) {
    const candidate = path + ext;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The npm package a bare specifier names (`@scope/pkg/sub` → `@scope/pkg`). */
export function packageName(specifier: string): string {
  return splitPackage(specifier)[0];
}

function splitPackage(specifier: string): [name: string, subpath: string] {
  const parts = specifier.split("/");
  const count = specifier.startsWith("@") ? 2 : 1;
  const rest = parts.slice(count).join("/");
  return [parts.slice(0, count).join("/"), rest ? `./${rest}` : "."];
}

let typescriptHook = false;
/** Lets `require` load local .ts files (types were already checked by the cell compiler). */
function installTypeScriptHook(): void {
  if (typescriptHook) return;
  typescriptHook = true;
  const ts = require("typescript") as typeof import("typescript");
  const extensions = (Module as unknown as { _extensions: Record<string, (m: { _compile(code: string, file: string): void }, file: string) => void> })._extensions;
  for (const ext of [".ts", ".tsx", ".mts", ".cts"]) {
    extensions[ext] = (module, file) => {
      const out = ts.transpileModule(readFileSync(file, "utf8"), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true, jsx: ts.JsxEmit.React },
      });
      module._compile(out.outputText, file);
    };
  }
}

/**
 * TensorFlow.js packages that the notebook's folder installs itself in another version than the
 * kernel's: those load from there (a second TensorFlow.js, with its own registry and memory).
 */
function ownTfPackages(cwd: string, version: string): Map<string, string> {
  const own = new Map<string, string>();
  const kernelModules = join(kernelRoot(), "node_modules") + sep;
  for (const name of TF_SPECIFIERS) {
    for (let dir = cwd; ; dir = dirname(dir)) {
      const manifest = join(dir, "node_modules", name, "package.json");
      if (existsSync(manifest)) {
        if (!manifest.startsWith(kernelModules)) {
          const found = (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? "unknown";
          if (found !== version) own.set(name, found);
        }
        break;
      }
      if (dirname(dir) === dir) break;
    }
  }
  return own;
}

export class ModuleLoader {
  private cwd: string;
  private requireFromCwd: NodeJS.Require;
  private readonly requireFromKernel: NodeJS.Require;
  private hooksPort: MessagePort | undefined;
  /** TensorFlow.js packages the notebook's folder has in another version, with that version. */
  private ownTf = new Map<string, string>();
  private readonly noticed = new Set<string>();

  constructor(
    cwd: string,
    private readonly tf: { version: { tfjs: string } },
    /** Tells the user something once, in the running cell's output. */
    private readonly notice: (text: string) => void = () => undefined,
  ) {
    this.cwd = cwd;
    this.requireFromCwd = createRequire(join(cwd, "__notebook__.js"));
    this.requireFromKernel = createRequire(join(kernelRoot(), "package.json"));
    this.ownTf = ownTfPackages(cwd, tf.version.tfjs);
  }

  /**
   * Makes this the process's module world: the ES module hooks, and the same TensorFlow.js and
   * package fallbacks for CommonJS `require`. Once per process (the kernel's).
   */
  install(): void {
    (globalThis as Record<symbol, unknown>)[Symbol.for("glassbox.tf")] = this.tf;
    const cached = new Module(TF_CACHE_KEY);
    cached.filename = TF_CACHE_KEY;
    cached.loaded = true;
    cached.exports = this.tf;
    const internals = Module as unknown as { _cache: Record<string, Module>; _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string };
    internals._cache[TF_CACHE_KEY] = cached;
    const vis = new Module(VIS_CACHE_KEY);
    vis.filename = VIS_CACHE_KEY;
    vis.loaded = true;
    // The tfvis global is defined after the loader is installed, so it is read on each require.
    Object.defineProperty(vis, "exports", { get: visModule });
    internals._cache[VIS_CACHE_KEY] = vis;
    const resolveFilename = internals._resolveFilename;
    internals._resolveFilename = (request, parent, ...rest) => {
      if (TF_SPECIFIERS.includes(request) && !this.ownTf.has(request)) return TF_CACHE_KEY;
      if (request === VIS_SPECIFIER) return VIS_CACHE_KEY;
      try {
        return resolveFilename(request, parent, ...rest);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" || this.isLocal(request) || Module.isBuiltin(request)) throw e;
        // A module in a folder without node_modules: the notebook's packages, then the kernel's.
        for (const root of [this.cwd, kernelRoot()]) {
          try {
            return resolveFilename(request, parent, false, { paths: [root] });
          } catch {
            // next root
          }
        }
        throw e;
      }
    };
    const hooks = join(kernelRoot(), "dist", "module-hooks.worker.js");
    if (!existsSync(hooks)) throw new Error(`The kernel's module hooks are missing (${hooks}): run \`npm run build\`.`);
    const { port1, port2 } = new MessageChannel();
    const data: ModuleHooksData = { kernelRoot: kernelRoot(), tfNames: Object.keys(this.tf), tfSpecifiers: TF_SPECIFIERS, port: port2 };
    Module.register(pathToFileURL(hooks).href, { data, transferList: [port2] });
    port1.unref();
    this.hooksPort = port1;
    this.sendState();
  }

  private sendState(): void {
    const state: ModuleHooksState = { cwd: this.cwd, ownTf: [...this.ownTf.keys()] };
    this.hooksPort?.postMessage(state);
  }

  setWorkingDirectory(dir: string): void {
    this.cwd = dir;
    this.requireFromCwd = createRequire(join(dir, "__notebook__.js"));
    this.ownTf = ownTfPackages(dir, this.tf.version.tfjs);
    this.sendState();
  }

  /** The kernel's `tf` for a TensorFlow.js specifier, unless the notebook's folder has its own version (said once); its inline tfjs-vis. */
  private provided(specifier: string): unknown {
    if (specifier === VIS_SPECIFIER) return visModule();
    if (!TF_SPECIFIERS.includes(specifier)) return undefined;
    const own = this.ownTf.get(specifier);
    if (own === undefined) return this.tf;
    if (!this.noticed.has(specifier)) {
      this.noticed.add(specifier);
      this.notice(
        `Note: "${specifier}" loads the notebook folder's own version ${own}, not the kernel's TensorFlow.js ${this.tf.version.tfjs}: ` +
          `its tensors, models and memory are separate from the preloaded \`tf\`. Remove it from the notebook's node_modules to use the kernel's.\n`,
      );
    }
    return undefined;
  }

  /** `require` for cells: the notebook's folder first, then the kernel's packages. */
  readonly require = Object.assign(
    (specifier: string): unknown => {
      const provided = this.provided(specifier);
      if (provided) return provided;
      if (/\.[cm]?tsx?$/.test(specifier) || this.isLocal(specifier)) installTypeScriptHook();
      try {
        return this.requireFromCwd(specifier);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" || this.isLocal(specifier)) throw e;
        try {
          return this.requireFromKernel(specifier);
        } catch (again) {
          if ((again as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" || !(again as Error).message.includes(`'${specifier}'`)) throw again;
          throw new Error(`Cannot find the package "${specifier}". Install it next to the notebook with: %install ${packageName(specifier)}`);
        }
      }
    },
    { resolve: (specifier: string) => this.requireFromCwd.resolve(specifier) },
  );

  private isLocal(specifier: string): boolean {
    return specifier.startsWith("./") || specifier.startsWith("../") || isAbsolute(specifier);
  }

  /** Finds the file a bare specifier names, with ESM "import" conditions, from the notebook folder up, then the kernel. */
  private resolvePackage(specifier: string): string | undefined {
    const [name, subpath] = splitPackage(specifier);
    const roots = [this.cwd, kernelRoot()];
    for (const root of roots) {
      let dir = root;
      for (;;) {
        const pkg = join(dir, "node_modules", name);
        if (existsSync(pkg)) {
          const entry = packageEntry(pkg, subpath);
          if (entry) return entry;
        }
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
    return undefined;
  }

  /** What a cell's `import` and `import()` call. */
  readonly import = async (specifier: string): Promise<Namespace> => {
    if (typeof specifier !== "string") throw new TypeError(`import() needs a module name string, got ${typeof specifier}.`);
    const provided = this.provided(specifier);
    if (provided) return providedNamespace(provided);
    if (specifier.startsWith("node:") || Module.isBuiltin(specifier)) return asNamespace(require(specifier));
    if (this.isLocal(specifier)) {
      const path = withExtension(resolve(this.cwd, specifier));
      if (!path) throw new Error(`Cannot find the module "${specifier}" from ${this.cwd}. Check the path; it is relative to the notebook's folder.`);
      if (extname(path) === ".json" || extname(path) === ".cts") return asNamespace(this.require(path));
      // Through the module hooks, so that what it imports resolves as it does for the type checker.
      return (await import(pathToFileURL(path).href)) as Namespace;
    }
    const entry = this.resolvePackage(specifier);
    if (!entry) {
      throw new Error(t("module.notFound", { name: specifier, package: splitPackage(specifier)[0] }));
    }
    return (await import(pathToFileURL(entry).href)) as Namespace;
  };
}
