/**
 * Executes a notebook's code cells in order through a Glassbox kernel over the real Jupyter protocol
 * (kernel/protocol/client.ts). Stops at the first error unless told to go on; a cell that runs past
 * its time limit is interrupted (and the kernel restarted if the interrupt does not take).
 */
import { rmSync } from "node:fs";
import { launchKernel, type RunningKernel } from "../protocol/client";
import type { Message } from "../protocol/wire";
import { firstLine, sourceText, type CodeCell, type Notebook } from "./notebook";
import { OutputCollector } from "./outputs";

export interface CellFailure {
  /** 1-based index among all cells of the notebook (what an editor shows). */
  index: number;
  firstLine: string;
  ename: string;
  evalue: string;
  traceback: string[];
  timedOut: boolean;
}

export interface ExecuteOptions {
  cwd: string;
  /** JavaScript for notebooks written for the glassbox-js kernelspec: cells are not blocked by types. */
  language?: "typescript" | "javascript";
  env?: NodeJS.ProcessEnv;
  /** Per-cell limit in seconds; 0 or undefined for none. */
  timeout?: number;
  allowErrors?: boolean;
  /** Runs the kernel from this CLI script (default: the one next to the running bundle). */
  cli?: string;
  onCellStart?: (index: number, total: number, cell: CodeCell) => void;
  onCellEnd?: (index: number, total: number, cell: CodeCell, ms: number, failure?: CellFailure) => void;
  onLog?: (text: string) => void;
}

export interface ExecuteResult {
  failures: CellFailure[];
  /** Code cells executed (including the failing one). */
  executed: number;
  /** Code cells not run because an earlier one failed. */
  skipped: number;
  ms: number;
}

/** The error that explains the cell's failure: the runner's timeout over the kernel's interrupt. */
function errorOf(cell: CodeCell): { ename: string; evalue: string; traceback: string[] } | undefined {
  const errors = cell.outputs.filter((o) => o.output_type === "error");
  return errors.find((o) => o.ename === "CellTimeoutError") ?? errors[0];
}

/** Resolves when the kernel process ends (a crash, the OOM killer): no reply will come after that. */
const exits = new WeakMap<RunningKernel, Promise<"exited">>();
function exitOf(kernel: RunningKernel): Promise<"exited"> {
  let exited = exits.get(kernel);
  if (!exited) {
    const child = kernel.process;
    exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r("exited") : child.once("exit", () => r("exited"))));
    exits.set(kernel, exited);
  }
  return exited;
}

const INTERRUPT_GRACE_MS = 5000;
const WARM_UP_LIMIT_MS = 120_000;

/** Runs `nb` in place: code cells get their outputs and execution counts. */
export async function executeNotebook(nb: Notebook, options: ExecuteOptions): Promise<ExecuteResult> {
  const started = Date.now();
  const collector = new OutputCollector();
  const launch = async (): Promise<RunningKernel> => {
    const args = options.language === "javascript" ? ["--language", "javascript"] : undefined;
    const kernel = await launchKernel({ cwd: options.cwd, env: options.env, cli: options.cli, onLog: options.onLog, args });
    // Output that arrives after its cell finished (timers, unawaited promises) goes to its own cell.
    kernel.client.onUnsolicited = (msg: Message) => collector.handle(msg);
    // A silent warm-up cell: the kernel's first cell pays for compiler and backend start-up, which
    // must not count against the first real cell's --timeout. Silent cells leave no history or count.
    let limit: NodeJS.Timeout | undefined;
    await Promise.race([
      kernel.client.execute("void 0", {}, { silent: true, store_history: false }),
      new Promise((r) => (limit = setTimeout(r, WARM_UP_LIMIT_MS))), // a stuck warm-up is the first cell's timeout to catch
    ]);
    clearTimeout(limit);
    return kernel;
  };
  let kernel = await launch();
  // Ctrl-C ends the run; the kernel must not outlive it.
  const onSigint = () => {
    kernel.process.kill("SIGKILL");
    rmSync(kernel.connectionFile, { force: true });
    process.stderr.write("\nglassbox run: interrupted (Ctrl-C); the kernel was stopped and no output was written.\n");
    process.exit(130);
  };
  process.once("SIGINT", onSigint);
  const result: ExecuteResult = { failures: [], executed: 0, skipped: 0, ms: 0 };
  const codeCells = nb.cells.map((c, i) => ({ c, i })).filter((x): x is { c: CodeCell; i: number } => x.c.cell_type === "code");
  try {
    for (let k = 0; k < codeCells.length; k++) {
      const { c: cell, i } = codeCells[k];
      if (result.failures.length && !options.allowErrors) {
        result.skipped = codeCells.length - k;
        break;
      }
      collector.begin(cell);
      options.onCellStart?.(i + 1, nb.cells.length, cell);
      const t0 = Date.now();
      const code = sourceText(cell.source);
      const reply = kernel.client.execute(code, { onIopub: (msg) => collector.handle(msg, cell) }, { stop_on_error: !options.allowErrors });
      let timedOut = false;
      let outcome: Message | "timeout" | "exited";
      if (options.timeout && options.timeout > 0) {
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), options.timeout! * 1000)));
        outcome = await Promise.race([reply, limit, exitOf(kernel)]);
        clearTimeout(timer);
      } else {
        outcome = await Promise.race([reply, exitOf(kernel)]);
      }
      if (outcome === "exited") {
        collector.end(cell); // the death is reported below
      } else if (outcome === "timeout") {
        timedOut = true;
        // Not awaited: the request settles only when the kernel goes idle, which a stuck cell never lets it do.
        void kernel.client.request("control", "interrupt_request").catch(() => undefined);
        let grace: NodeJS.Timeout | undefined;
        const settled = await Promise.race([reply.then(() => true), new Promise<false>((r) => (grace = setTimeout(() => r(false), INTERRUPT_GRACE_MS)))]);
        clearTimeout(grace);
        if (!settled) {
          // The interrupt did not stop the cell (a synchronous loop): only a new kernel helps.
          options.onLog?.(`glassbox run: the kernel did not stop after an interrupt; restarting it.\n`);
          kernel.process.kill("SIGKILL");
          await kernel.shutdown().catch(() => undefined);
          kernel = await launch();
        }
        const secs = options.timeout!;
        collector.push(cell, {
          output_type: "error",
          ename: "CellTimeoutError",
          evalue: `This cell did not finish within ${secs} s (--timeout ${secs}) and was interrupted${settled ? "" : "; the kernel was restarted, so earlier variables are gone"}.`,
          traceback: [
            `CellTimeoutError: This cell did not finish within ${secs} s (--timeout ${secs}) and was interrupted${settled ? "" : "; the kernel was restarted, so earlier variables are gone"}.`,
            `Make it faster (e.g. less data in GLASSBOX_QUICK=1 mode), or raise the limit: glassbox run ... --timeout ${secs * 4}`,
          ],
        });
        collector.end(cell);
      } else {
        collector.end(cell, outcome);
        const status = (outcome.content as { status?: string }).status;
        if (status === "error" && !errorOf(cell)) {
          // The kernel reported an error in the reply only; show it in the notebook too.
          const c = outcome.content as { ename?: string; evalue?: string; traceback?: string[] };
          collector.push(cell, { output_type: "error", ename: c.ename ?? "Error", evalue: c.evalue ?? "", traceback: c.traceback ?? [] });
        }
      }
      result.executed++;
      const err = errorOf(cell);
      const failure: CellFailure | undefined = err
        ? { index: i + 1, firstLine: firstLine(cell.source), ename: err.ename, evalue: err.evalue, traceback: err.traceback, timedOut }
        : undefined;
      if (failure) result.failures.push(failure);
      options.onCellEnd?.(i + 1, nb.cells.length, cell, Date.now() - t0, failure);
      if (kernel.process.exitCode !== null || kernel.process.signalCode !== null) {
        // The kernel died (out of memory, a native crash): the rest cannot run in it.
        const f: CellFailure = failure ?? {
          index: i + 1,
          firstLine: firstLine(cell.source),
          ename: "KernelDied",
          evalue: `The kernel exited (${kernel.process.signalCode ?? `code ${kernel.process.exitCode}`}) while running this cell.`,
          traceback: [],
          timedOut: false,
        };
        if (!failure) {
          collector.push(cell, { output_type: "error", ename: f.ename, evalue: f.evalue, traceback: [`${f.ename}: ${f.evalue}`] });
          result.failures.push(f);
        }
        if (!options.allowErrors || k === codeCells.length - 1) {
          result.skipped = codeCells.length - k - 1;
          break;
        }
        await kernel.shutdown().catch(() => undefined); // closes the dead kernel's sockets
        kernel = await launch();
      }
    }
  } finally {
    process.off("SIGINT", onSigint);
    await kernel.shutdown().catch(() => undefined);
  }
  const info = (kernel.kernelInfo.content as { language_info?: Record<string, unknown> }).language_info;
  if (info) nb.metadata.language_info = info;
  result.ms = Date.now() - started;
  return result;
}
