// The compiler worker thread: type checking never blocks the protocol thread or user code.
// Serves the CellCompiler methods over parentPort and warms up (program, tfjs types) on boot.
import { parentPort, workerData } from "node:worker_threads";
import ts from "typescript";
import { typescriptLocale } from "../../i18n";
import type { CompilerCalls, CompilerHandlers, CompilerMethod, CompilerRequest, CompilerResponse, CompilerWorkerData } from "./protocol";
import { CellCompilerService } from "./service";

// TypeScript's own diagnostics in the learner's language (its shipped catalogues, as tsc --locale).
const locale = typescriptLocale();
if (locale) ts.validateLocaleAndSetLanguage(locale, ts.sys);

const port = parentPort;
if (!port) throw new Error("compiler.worker must run in a worker thread");
const data = (workerData ?? {}) as Partial<CompilerWorkerData>;
const service = new CellCompilerService({ workingDirectory: data.workingDirectory ?? process.cwd() });

const handlers: CompilerHandlers = {
  compile: (code, options) => service.compileSync(code, options),
  commit: (cell) => service.commitSync(cell),
  complete: (code, cursorPos, options) => service.completeSync(code, cursorPos, options),
  inspect: (code, cursorPos, detailLevel) => service.inspectSync(code, cursorPos, detailLevel),
  isComplete: (code) => service.isCompleteSync(code),
  setWorkingDirectory: (dir) => service.setWorkingDirectorySync(dir),
  restore: (cells) => {
    for (const { cell, code } of cells) {
      service.compileSync(code, { cell, reportOnly: true });
      service.commitSync(cell);
    }
  },
};

function handle<M extends CompilerMethod>(method: M, args: CompilerCalls[M]["args"]): CompilerCalls[M]["result"] {
  const handler = handlers[method] as ((...a: CompilerCalls[M]["args"]) => CompilerCalls[M]["result"]) | undefined;
  if (!handler) throw new Error(`unknown compiler method ${String(method)}`);
  return handler(...args);
}

// After a commit, the program for the next cell is built in idle time (see service.prepare), but
// not at once: in a quick run of short cells the next compile comes first and builds it anyway,
// and doing it twice would cost a type checker more per cell.
const PREPARE_DELAY_MS = 40;
let prepareTimer: NodeJS.Timeout | undefined;

port.on("message", (request: CompilerRequest) => {
  clearTimeout(prepareTimer);
  let response: CompilerResponse;
  try {
    response = { id: request.id, method: request.method, result: handle(request.method, request.args) } as CompilerResponse;
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    response = { id: request.id, method: request.method, error: { message: error.message, stack: error.stack } };
  }
  port.postMessage(response);
  if (request.method === "commit") prepareTimer = setTimeout(prepare, PREPARE_DELAY_MS);
});

function prepare(): void {
  try {
    service.prepare();
  } catch (e) {
    process.stderr.write(`[glassbox] compiler prepare failed: ${(e as Error).message}\n`);
  }
}

// Warm-up, one step per turn of the event loop: requests that arrive meanwhile wait only for the
// step under way (see CellCompilerService.warmUpSteps). A failed warm-up only costs speed.
const steps = service.warmUpSteps();
const next = (): void => {
  const step = steps.shift();
  if (!step) return;
  try {
    step();
  } catch (e) {
    process.stderr.write(`[glassbox] compiler warm-up failed: ${(e as Error).message}\n`);
    return;
  }
  setImmediate(next);
};
setImmediate(next);
