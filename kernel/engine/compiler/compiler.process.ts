// The compiler process: type checking never blocks the protocol thread or user code, and a crash
// or runaway check never takes the kernel with it. Serves the CellCompiler methods over the IPC
// channel its kernel opened; exits when that channel closes.
//
// One bundle (TypeScript inside), started two ways:
//   - from a start-up snapshot (snapshot.ts), where the libraries are already parsed and bound:
//     `node --build-snapshot` runs this file, which builds a service and sets `serve` as the main
//     function of the snapshot;
//   - as a plain script, parsing the libraries during its warm-up.
import { join } from "node:path";
import v8 from "node:v8";
import ts from "typescript";
import { typescriptLocale } from "../../i18n";
import { findKernelRoot } from "../../root";
import type { CompilerCalls, CompilerHandlers, CompilerMethod, CompilerRequest, CompilerResponse } from "./protocol";
import { CellCompilerService } from "./service";

const kernelRoot = findKernelRoot(__dirname);
// TypeScript is bundled into this file, but its libraries (lib.*.d.ts) and message catalogues are
// in the typescript package: it finds both beside the file it believes it runs from.
if (kernelRoot) {
  const typescriptFile = join(kernelRoot, "node_modules", "typescript", "lib", "typescript.js");
  ts.sys.getExecutingFilePath = () => typescriptFile;
}

/** The folder a snapshot is built in: no notebook's, so that none of its files are taken for the libraries'. */
const SNAPSHOT_FOLDER = join(kernelRoot ?? __dirname, "node_modules", ".cache", "glassbox", "snapshot-notebook");

if (v8.startupSnapshot?.isBuildingSnapshot()) {
  const service = new CellCompilerService({ workingDirectory: SNAPSHOT_FOLDER, kernelRoot });
  // Parse and bind everything a typed cell is checked against. (Completion is warmed after the
  // start: it keeps native handles that a snapshot cannot hold.)
  service.compileSync("const __glassbox_warm__ = tf.sequential();\n__glassbox_warm__.fit;\nMath.sqrt(2);\nprocess.cwd();\n", { cell: -1, reportOnly: true });
  v8.startupSnapshot.setDeserializeMainFunction(() => serve(service, true));
} else {
  serve(new CellCompilerService({ workingDirectory: process.cwd(), kernelRoot }), false);
}

function serve(service: CellCompilerService, fromSnapshot: boolean): void {
  // TypeScript's own diagnostics in the learner's language (its shipped catalogues, as tsc --locale).
  const locale = typescriptLocale();
  if (locale) ts.validateLocaleAndSetLanguage(locale, ts.sys);
  if (!process.send) throw new Error("compiler.process must be started with an IPC channel");
  const send = process.send.bind(process);
  // The kernel is gone: so is its compiler.
  process.on("disconnect", () => process.exit(0));
  if (fromSnapshot) service.setWorkingDirectorySync(process.cwd());

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

  process.on("message", (request: CompilerRequest) => {
    clearTimeout(prepareTimer);
    let response: CompilerResponse;
    try {
      response = { id: request.id, method: request.method, result: handle(request.method, request.args) } as CompilerResponse;
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      response = { id: request.id, method: request.method, error: { message: error.message, stack: error.stack } };
    }
    send(response);
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
}
