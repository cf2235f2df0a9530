// The kernel's side of the compiler: a CellCompiler whose calls run in the compiler process
// (dist/compiler.process.js, started from its snapshot when one is usable: see snapshot.ts). A
// compiler that dies is started again on the next call, with the committed cells replayed so
// that their declarations stay visible.
import { spawn as spawnProcess, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CompilerCalls, CompilerMethod, CompilerRequest, CompilerResponse, RestoreCell } from "./protocol";
import { findKernelRoot } from "../../root";
import { compilerEnvironment, usableSnapshot } from "./snapshot";
import type { CellCompiler, CompiledCell, CompileOptions, CompletionResult, InspectResult, IsCompleteResult } from "./types";

export interface StartCompilerOptions {
  /** The notebook's directory (default: the process's working directory). */
  workingDirectory?: string;
  /** The compiler bundle (default: compiler.process.js beside this bundle, else the kernel's dist/). */
  processFile?: string;
  /** A start-up snapshot to start from (default: the kernel's, when usable); null for none. */
  snapshot?: string | null;
  /** Told how the compiler started (for the kernel log), and whether building a snapshot would help. */
  onStart?: (how: string, snapshotBuildable: boolean) => void;
}

export type CompilerClient = CellCompiler & { close(): Promise<void> };

function defaultProcessFile(): string {
  const beside = join(__dirname, "compiler.process.js");
  if (existsSync(beside)) return beside;
  const root = findKernelRoot(__dirname);
  return root ? join(root, "dist", "compiler.process.js") : beside;
}

/** The kernel's snapshot when usable, else null and why. */
function defaultSnapshot(): { blob: string | null; why: string; buildable: boolean } {
  const root = findKernelRoot(__dirname);
  if (!root) return { blob: null, why: "no kernel install found", buildable: false };
  const found = usableSnapshot(root);
  return "blob" in found ? { blob: found.blob, why: "", buildable: false } : { blob: null, why: found.reason, buildable: found.buildable };
}

export function startCompiler(options: StartCompilerOptions = {}): CompilerClient {
  const processFile = options.processFile ?? defaultProcessFile();
  let snapshot = options.snapshot !== undefined ? { blob: options.snapshot, why: "none given", buildable: false } : defaultSnapshot();
  let workingDirectory = options.workingDirectory ?? process.cwd();
  let child: ChildProcess | undefined;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; request: CompilerRequest }>();
  // Compiled code by cell, and the committed cells in order: replayed into a restarted compiler.
  const compiledCode = new Map<number, string>();
  const committed: RestoreCell[] = [];
  /** Why replaying earlier cells into a restarted compiler failed; said by the next compile, once. */
  let restoreFailure: string | null = null;

  const fail = (current: ChildProcess, reason: string): void => {
    if (child !== current) return;
    child = undefined;
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(new Error(`the TypeScript compiler ${reason} during ${call.request.method}; it restarts on the next request`));
    }
  };

  const spawn = (): ChildProcess => {
    const args = snapshot.blob ? ["--snapshot-blob", snapshot.blob] : [processFile];
    // The notebook's folder is the compiler's working directory: that is where it resolves from.
    // Its output is the kernel log (the kernel's stderr), never a cell's.
    const c = spawnProcess(process.execPath, args, { cwd: workingDirectory, env: compilerEnvironment(), stdio: ["ignore", 2, 2, "ipc"], serialization: "advanced" });
    let answered = false;
    c.on("message", (response: CompilerResponse) => {
      answered = true;
      const call = pending.get(response.id);
      if (!call) return;
      pending.delete(response.id);
      if ("error" in response) {
        const error = new Error(response.error.message);
        if (response.error.stack) error.stack = response.error.stack;
        call.reject(error);
      } else {
        call.resolve(response.result);
      }
    });
    c.on("error", (e) => fail(c, `could not run (${e.message})`));
    c.on("exit", (code, signal) => {
      if (child === c && snapshot.blob && !answered && !closed) {
        // The snapshot did not load (another Node.js build, a damaged file): the bundle itself
        // answers the same requests, only later.
        snapshot = { blob: null, why: `its snapshot could not be loaded (${signal ?? `exit code ${code}`})`, buildable: false };
        options.onStart?.(`again, ${startedHow()}`, false);
        child = undefined;
        // Taken before spawn(), which may queue a restore of its own (sent first, and only once).
        const waiting = [...pending.values()].map((call) => call.request);
        const again = spawn();
        for (const request of waiting) again.send(request);
        return;
      }
      fail(c, signal ? `was killed (${signal})` : `exited with code ${code}`);
    });
    child = c;
    if (committed.length) {
      send("restore", committed.slice()).catch((e: Error) => {
        restoreFailure = e.message;
      });
    }
    return c;
  };
  const startedHow = (): string => (snapshot.blob ? `from its snapshot (${snapshot.blob})` : `without a snapshot: ${snapshot.why}`);

  function send<M extends CompilerMethod>(method: M, ...args: CompilerCalls[M]["args"]): Promise<CompilerCalls[M]["result"]> {
    if (closed) return Promise.reject(new Error("the TypeScript compiler is closed"));
    const c = child ?? spawn();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      // The response to request `id` is the variant of this method (the compiler answers in kind).
      const request = { id, method, args } as CompilerRequest;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, request });
      c.send(request);
    });
  }

  spawn();
  options.onStart?.(startedHow(), snapshot.buildable);

  return {
    compile(code: string, options: CompileOptions): Promise<CompiledCell> {
      compiledCode.set(options.cell, code);
      const compiled = send("compile", code, options);
      if (restoreFailure === null) return compiled;
      const why = restoreFailure;
      restoreFailure = null;
      return compiled.then(() => {
        throw new Error(
          `The TypeScript compiler restarted after a crash and could not restore what earlier cells declared (${why}), so this cell cannot be type-checked against them. Run this cell again to check it alone, run the earlier cells again, or restart the kernel.`,
        );
      });
    },
    async commit(cell: number): Promise<void> {
      const code = compiledCode.get(cell);
      for (const n of [...compiledCode.keys()]) if (n <= cell) compiledCode.delete(n);
      if (code !== undefined) committed.push({ cell, code });
      await send("commit", cell);
    },
    complete(code: string, cursorPos: number, options?: { ifWarm?: boolean }): Promise<CompletionResult> {
      return send("complete", code, cursorPos, options ?? {});
    },
    inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult> {
      return send("inspect", code, cursorPos, detailLevel);
    },
    isComplete(code: string): Promise<IsCompleteResult> {
      return send("isComplete", code);
    },
    async setWorkingDirectory(dir: string): Promise<void> {
      workingDirectory = dir;
      await send("setWorkingDirectory", dir);
    },
    async close(): Promise<void> {
      closed = true;
      const c = child;
      child = undefined;
      for (const [id, call] of pending) {
        pending.delete(id);
        call.reject(new Error("the TypeScript compiler was closed"));
      }
      if (c && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
        c.kill("SIGKILL");
        await exited;
      }
    },
  };
}
