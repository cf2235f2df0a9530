// Shared helpers for the `glassbox run` tests: they drive the real CLI (bin/glassbox.js → dist/cli.js)
// in a child process, as a user would.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");
export const CLI = join(ROOT, "bin", "glassbox.js");

let built = false;
/** Builds dist/ once per test process, so the CLI under test is this checkout's code. */
export function build(): void {
  if (built) return;
  // Other parts of the tree may be mid-edit for a moment; a failed build is retried before giving up.
  let stderr = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = spawnSync(process.execPath, ["esbuild.mjs"], { cwd: ROOT, encoding: "utf8" });
    if (r.status === 0) {
      built = true;
      return;
    }
    stderr = r.stderr;
    spawnSync("sleep", ["5"]);
  }
  throw new Error(`the build failed:\n${stderr}`);
}

export function tempDir(prefix = "glassbox-run-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `glassbox <args>` and collects its output. */
export function glassbox(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`glassbox ${args.join(" ")} ran over ${options.timeoutMs} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

type CellSpec = string | { markdown: string };

/** Writes an nbformat 4.5 notebook of JavaScript-compatible cells (valid TypeScript too). */
export function writeNotebook(path: string, cells: CellSpec[]): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "glassbox", display_name: "Glassbox (TypeScript)", language: "typescript" } },
    cells: cells.map((c, i) =>
      typeof c === "string"
        ? { cell_type: "code", id: `cell-${i + 1}`, metadata: {}, execution_count: null, outputs: [], source: c }
        : { cell_type: "markdown", id: `cell-${i + 1}`, metadata: {}, source: c.markdown },
    ),
  };
  writeFileSync(path, JSON.stringify(nb, null, 1));
  return path;
}

/** Validates a notebook file against the nbformat schema with Debian's python3-nbformat. */
export function validateNbformat(path: string): void {
  const script = "import sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)\nassert nb.nbformat == 4 and nb.nbformat_minor >= 5, (nb.nbformat, nb.nbformat_minor)\nnbformat.validate(nb)\n";
  const r = spawnSync("/usr/bin/python3", ["-c", script, path], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${path} is not a valid nbformat 4.5 notebook:\n${r.stderr}`);
}

export interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  execution_count?: number | null;
}
export interface NbCell {
  cell_type: string;
  id: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: NbOutput[];
}

export const joined = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join("") : (v ?? ""));

/** All text a cell printed or showed as text/plain. */
export function cellText(cell: NbCell): string {
  return (cell.outputs ?? [])
    .map((o) => (o.output_type === "stream" ? joined(o.text) : o.output_type === "error" ? `${o.ename}: ${o.evalue}` : joined(o.data?.["text/plain"] as string | string[] | undefined)))
    .join("\n");
}
