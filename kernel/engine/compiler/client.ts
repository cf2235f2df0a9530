// The main-thread side of the compiler: a CellCompiler whose calls run in the compiler worker
// (dist/compiler.worker.js, next to the bundled runtime). A worker that dies is started again on
// the next call, with the committed cells replayed so that their declarations stay visible.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { CompilerCalls, CompilerMethod, CompilerRequest, CompilerResponse, CompilerWorkerData, RestoreCell } from "./protocol";
import { findKernelRoot } from "../../root";
import type { CellCompiler, CompiledCell, CompileOptions, CompletionResult, InspectResult, IsCompleteResult } from "./types";

export interface StartCompilerOptions {
  /** The notebook's directory (default: the process's working directory). */
  workingDirectory?: string;
  /** The worker script (default: compiler.worker.js beside this bundle, else the kernel's dist/). */
  workerFile?: string;
}

export type CompilerClient = CellCompiler & { close(): Promise<void> };

function defaultWorkerFile(): string {
  const beside = join(__dirname, "compiler.worker.js");
  if (existsSync(beside)) return beside;
  const root = findKernelRoot(__dirname);
  return root ? join(root, "dist", "compiler.worker.js") : beside;
}

export function startCompiler(options: StartCompilerOptions = {}): CompilerClient {
  const workerFile = options.workerFile ?? defaultWorkerFile();
  let workingDirectory = options.workingDirectory ?? process.cwd();
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: CompilerMethod }>();
  // Compiled code by cell, and the committed cells in order: replayed into a restarted worker.
  const compiledCode = new Map<number, string>();
  const committed: RestoreCell[] = [];
  /** Why replaying earlier cells into a restarted worker failed; said by the next compile, once. */
  let restoreFailure: string | null = null;

  const fail = (current: Worker, reason: string): void => {
    if (worker !== current) return;
    worker = undefined;
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(new Error(`the TypeScript compiler worker ${reason} during ${call.method}; it restarts on the next request`));
    }
  };

  const spawn = (): Worker => {
    const data: CompilerWorkerData = { workingDirectory };
    const w = new Worker(workerFile, { workerData: data });
    w.on("message", (response: CompilerResponse) => {
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
    w.on("error", (e) => fail(w, `crashed (${e.message})`));
    w.on("exit", (code) => fail(w, `exited with code ${code}`));
    worker = w;
    if (committed.length) {
      send("restore", committed.slice()).catch((e: Error) => {
        restoreFailure = e.message;
      });
    }
    return w;
  };

  function send<M extends CompilerMethod>(method: M, ...args: CompilerCalls[M]["args"]): Promise<CompilerCalls[M]["result"]> {
    if (closed) return Promise.reject(new Error("the TypeScript compiler is closed"));
    const w = worker ?? spawn();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      // The response to request `id` is the variant of this method (the worker answers in kind).
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, method });
      w.postMessage({ id, method, args } as CompilerRequest);
    });
  }

  spawn();

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
      const w = worker;
      worker = undefined;
      for (const [id, call] of pending) {
        pending.delete(id);
        call.reject(new Error("the TypeScript compiler was closed"));
      }
      if (w) await w.terminate();
    },
  };
}
