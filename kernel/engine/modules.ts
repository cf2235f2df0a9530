/**
 * How cells load code: `import` (rewritten by the compiler to `__glassbox.import`) and `require`,
 * both resolved from the notebook's folder first and then from the kernel's own install, so a
 * notebook works without a node_modules of its own. ESM-only packages load through real `import()`;
 * local `.ts` files are transpiled on the fly. Packages the kernel provides (TensorFlow.js) resolve
 * to the kernel's instance, so a cell's `import * as tf` is the preloaded `tf`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { findKernelRoot } from "../root";

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

export class ModuleLoader {
  private cwd: string;
  private requireFromCwd: NodeJS.Require;
  private readonly requireFromKernel: NodeJS.Require;

  constructor(
    cwd: string,
    /** Modules the kernel provides itself, by specifier. */
    private readonly provided: Record<string, unknown>,
  ) {
    this.cwd = cwd;
    this.requireFromCwd = createRequire(join(cwd, "__notebook__.js"));
    this.requireFromKernel = createRequire(join(kernelRoot(), "package.json"));
  }

  setWorkingDirectory(dir: string): void {
    this.cwd = dir;
    this.requireFromCwd = createRequire(join(dir, "__notebook__.js"));
  }

  /** `require` for cells: the notebook's folder first, then the kernel's packages. */
  readonly require = Object.assign(
    (specifier: string): unknown => {
      if (specifier in this.provided) return this.provided[specifier];
      if (/\.[cm]?tsx?$/.test(specifier) || this.isLocal(specifier)) installTypeScriptHook();
      try {
        return this.requireFromCwd(specifier);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" || this.isLocal(specifier)) throw e;
        return this.requireFromKernel(specifier);
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
    if (specifier in this.provided) return providedNamespace(this.provided[specifier]);
    if (specifier.startsWith("node:") || Module.isBuiltin(specifier)) return asNamespace(require(specifier));
    if (this.isLocal(specifier)) {
      const path = withExtension(resolve(this.cwd, specifier));
      if (!path) throw new Error(`Cannot find the module "${specifier}" from ${this.cwd}. Check the path; it is relative to the notebook's folder.`);
      if (/\.[cm]?tsx?$/.test(path) || extname(path) === ".json" || extname(path) === ".cjs") return asNamespace(this.require(path));
      return (await import(pathToFileURL(path).href)) as Namespace;
    }
    const entry = this.resolvePackage(specifier);
    if (!entry) {
      throw new Error(`Cannot find the package "${specifier}". Install it next to the notebook with: %install ${splitPackage(specifier)[0]}`);
    }
    return (await import(pathToFileURL(entry).href)) as Namespace;
  };
}
