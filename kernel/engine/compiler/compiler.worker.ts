// The compiler worker thread: type checking never blocks the protocol thread or user code.
// Serves the CellCompiler methods over parentPort and warms up (program, tfjs types) on boot.
import { parentPort, workerData } from "node:worker_threads";
import type { CompilerRequest, CompilerResponse, CompilerWorkerData, RestoreCell } from "./protocol";
import { CellCompilerService } from "./service";

const port = parentPort;
if (!port) throw new Error("compiler.worker must run in a worker thread");
const data = (workerData ?? {}) as Partial<CompilerWorkerData>;
const service = new CellCompilerService({ workingDirectory: data.workingDirectory ?? process.cwd() });

function handle(request: CompilerRequest): unknown {
  const a = request.args;
  switch (request.method) {
    case "compile":
      return service.compileSync(a[0] as string, a[1] as { cell: number; reportOnly: boolean });
    case "commit":
      return service.commitSync(a[0] as number);
    case "complete":
      return service.completeSync(a[0] as string, a[1] as number, a[2] as { ifWarm?: boolean } | undefined);
    case "inspect":
      return service.inspectSync(a[0] as string, a[1] as number, a[2] as 0 | 1);
    case "isComplete":
      return service.isCompleteSync(a[0] as string);
    case "setWorkingDirectory":
      return service.setWorkingDirectorySync(a[0] as string);
    case "restore":
      for (const { cell, code } of a[0] as RestoreCell[]) {
        service.compileSync(code, { cell, reportOnly: true });
        service.commitSync(cell);
      }
      return undefined;
    default:
      throw new Error(`unknown compiler method ${String(request.method)}`);
  }
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
    response = { id: request.id, result: handle(request) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    response = { id: request.id, error: { message: error.message, stack: error.stack } };
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
