/**
 * One notebook's conversation with a Glassbox kernel, independent of VS Code so that it can be
 * tested against the real kernel with node's test runner. The VS Code controller is a thin adapter:
 * it gives each cell an OutputWriter and turns the neutral outputs below into NotebookCellOutputs.
 *
 * What lives here: starting the kernel (through the project's launchKernel), running cells one at a
 * time in the order they were queued, interrupt over the control channel (SIGINT as a fallback),
 * restart, stdin prompts, and the mapping of every iopub message to outputs, including
 * update_display_data (replace the outputs showing that display id, wherever they are) and
 * clear_output with `wait`.
 */
import type { LaunchOptions, RunningKernel } from "../kernel/protocol/client";
import { OutputReducer, type CellOutput, type MimeBundle } from "../kernel/outputs/reducer";
import type { Message } from "../kernel/protocol/wire";

export type { CellOutput, MimeBundle } from "../kernel/outputs/reducer";

/** Where a cell's outputs go. Outputs are identified by CellOutput.id. */
export interface OutputWriter {
  append(output: CellOutput): void;
  /** Replaces the content of an output already shown (same id): a stream that grew, an updated display. */
  replace(output: CellOutput): void;
  clear(): void;
}

export type ExecutionStatus = "ok" | "error" | "aborted";

export interface ExecutionResult {
  status: ExecutionStatus;
  executionCount: number | null;
}

export type KernelState = "not-started" | "starting" | "idle" | "busy" | "restarting" | "dead" | "stopped";

export interface KernelSummary {
  /** e.g. "tensorflow", "wasm", "cpu"; undefined when the kernel does not say. */
  backend?: string;
  implementation?: string;
  version?: string;
  banner?: string;
  language?: string;
}

export type Launcher = (options: LaunchOptions) => Promise<RunningKernel>;

export interface SessionOptions {
  /** Starts the kernel; the controller passes launchKernel with the extension's executable and CLI. */
  launch: Launcher;
  /** Read at every (re)start, so a fixed setting (e.g. the Node.js path) takes effect on restart. */
  launchOptions?: LaunchOptions | (() => LaunchOptions);
  /** Asks the user for a line of input; undefined (cancelled) sends an empty reply. */
  onInput?: (prompt: string, password: boolean) => Promise<string | undefined>;
  onLog?: (text: string) => void;
  onState?: (state: KernelState) => void;
  /** How long an interrupt_request may go unanswered before the kernel gets SIGINT. */
  interruptTimeoutMs?: number;
}

/** A kernel that failed to start; `message` says what happened and what to do, `log` holds its output. */
export class KernelStartError extends Error {
  constructor(
    readonly reason: string,
    readonly log: string,
    readonly hint: string,
  ) {
    super(`Glassbox could not start its kernel: ${reason}\n${hint}${log ? `\n\nKernel log (last lines):\n${log}` : ""}`);
    this.name = "KernelStartError";
  }
}

interface QueueItem {
  code: string;
  writer: OutputWriter;
  resolve: (result: ExecutionResult) => void;
  reject: (error: unknown) => void;
  onStart?: () => void;
  cancelled: boolean;
}

/** Reads the tensor backend and versions from a kernel_info_reply. */
export function summarizeKernelInfo(reply: Message | undefined): KernelSummary {
  const content = (reply?.content ?? {}) as {
    banner?: string;
    implementation?: string;
    implementation_version?: string;
    language_info?: { name?: string };
    glassbox?: { backend?: string; tensor_backend?: string };
  };
  let backend = content.glassbox?.backend ?? content.glassbox?.tensor_backend;
  if (!backend && content.banner) {
    const m = /backend\s*[:=]\s*["'`]?([\w.-]+)/i.exec(content.banner);
    if (m) backend = m[1];
  }
  return {
    backend,
    implementation: content.implementation,
    version: content.implementation_version,
    banner: content.banner,
    language: content.language_info?.name,
  };
}

export class KernelSession {
  private kernel?: RunningKernel;
  private starting?: Promise<RunningKernel>;
  private readonly queue: QueueItem[] = [];
  private running?: QueueItem;
  private pumping = false;
  /** Jupyter's output semantics (streams, clear_output, display updates across cells), per writer. */
  private readonly outputs = new OutputReducer<OutputWriter>((event) => {
    if (event.kind === "append") event.cell.append(event.output);
    else if (event.kind === "replace") event.cell.replace(event.output);
    else event.cell.clear();
  }, { controlChars: true });
  private log = "";
  private _state: KernelState = "not-started";
  /** Bumped on every (re)start so that late events of an old kernel are ignored. */
  private generation = 0;
  summary: KernelSummary = {};

  constructor(private readonly options: SessionOptions) {}

  get state(): KernelState {
    return this._state;
  }

  /** The kernel's log (stdout and stderr), last 50 kB. */
  get kernelLog(): string {
    return this.log;
  }

  get process(): RunningKernel["process"] | undefined {
    return this.kernel?.process;
  }

  private setState(state: KernelState): void {
    if (this._state === state) return;
    this._state = state;
    this.options.onState?.(state);
  }

  private appendLog(text: string): void {
    this.log = (this.log + text).slice(-50_000);
    this.options.onLog?.(text);
  }

  /**
   * Evaluates expressions in the running kernel (a silent execute_request's user_expressions):
   * no execution count, no outputs, the cell queue untouched. Undefined when no kernel runs.
   */
  async peek(expressions: Record<string, string>): Promise<Record<string, { status: string; data?: MimeBundle; evalue?: string }> | undefined> {
    const kernel = this.kernel;
    if (!kernel || this._state === "dead" || this._state === "restarting" || this._state === "starting") return undefined;
    const reply = await kernel.client.execute("", {}, { silent: true, store_history: false, user_expressions: expressions, stop_on_error: false });
    return (reply.content as { user_expressions?: Record<string, { status: string; data?: MimeBundle; evalue?: string }> }).user_expressions;
  }

  /** Starts the kernel if it is not running; resolves once it has answered kernel_info. */
  async start(): Promise<KernelSummary> {
    await this.ensureKernel();
    return this.summary;
  }

  private ensureKernel(): Promise<RunningKernel> {
    if (this.kernel && this._state !== "dead") return Promise.resolve(this.kernel);
    if (!this.starting) {
      this.starting = this.launch().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async launch(): Promise<RunningKernel> {
    const generation = ++this.generation;
    if (this._state !== "restarting") this.setState("starting");
    const configured = this.options.launchOptions;
    const base = (typeof configured === "function" ? configured() : configured) ?? {};
    let kernel: RunningKernel;
    try {
      kernel = await this.options.launch({
        ...base,
        onLog: (text) => {
          this.appendLog(text);
          base.onLog?.(text);
        },
      });
    } catch (e) {
      this.setState("dead");
      throw toStartError(e, this.log);
    }
    if (generation !== this.generation) {
      // A restart or dispose happened while this kernel was starting.
      await kernel.shutdown().catch(() => undefined);
      throw new Error("The kernel start was superseded by a restart.");
    }
    this.kernel = kernel;
    this.summary = summarizeKernelInfo(kernel.kernelInfo);
    kernel.client.onUnsolicited = (msg) => this.onUnsolicited(msg);
    kernel.process.once("exit", (code, signal) => {
      if (this.kernel !== kernel) return; // an old kernel we shut down on purpose
      this.appendLog(`\n[glassbox] The kernel process exited (${signal ?? `code ${code}`}).\n`);
      this.kernel = undefined;
      kernel.client.close(); // resolves the running request as aborted
      this.setState("dead");
    });
    this.setState("idle");
    return kernel;
  }

  /**
   * Queues a cell; cells run one at a time in queue order. Resolves when the cell has finished
   * (or was aborted because an earlier cell failed, the kernel was interrupted or restarted).
   * Rejects with KernelStartError when the kernel cannot start.
   */
  execute(code: string, writer: OutputWriter, onStart?: () => void): Promise<ExecutionResult> & { cancel(): void } {
    let item!: QueueItem;
    const promise = new Promise<ExecutionResult>((resolve, reject) => {
      item = { code, writer, resolve, reject, onStart, cancelled: false };
    }) as Promise<ExecutionResult> & { cancel(): void };
    promise.cancel = () => {
      if (this.running === item) void this.interrupt();
      else if (!item.cancelled) {
        item.cancelled = true;
        const i = this.queue.indexOf(item);
        if (i >= 0) this.queue.splice(i, 1);
        item.resolve({ status: "aborted", executionCount: null });
      }
    };
    this.queue.push(item);
    void this.pump();
    return promise;
  }

  /** Runs the queue, one cell at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length) {
        let kernel: RunningKernel;
        try {
          kernel = await this.ensureKernel();
        } catch (e) {
          // Every waiting cell learns why (one error object, so the editor can report it once).
          for (const waiting of this.queue.splice(0)) {
            waiting.cancelled = true;
            waiting.reject(e);
          }
          return;
        }
        const item = this.queue.shift()!;
        if (item.cancelled) continue;
        let result: ExecutionResult;
        try {
          result = await this.run(kernel, item);
        } catch (e) {
          item.reject(e);
          this.abortQueue();
          continue;
        }
        item.resolve(result);
        // Jupyter's stop_on_error: a failed or interrupted cell aborts the cells queued after it.
        if (result.status !== "ok") this.abortQueue();
      }
    } finally {
      this.pumping = false;
    }
  }

  private abortQueue(): void {
    for (const item of this.queue.splice(0)) {
      item.cancelled = true;
      item.resolve({ status: "aborted", executionCount: null });
    }
  }

  private async run(kernel: RunningKernel, item: QueueItem): Promise<ExecutionResult> {
    // A re-run replaces the cell's outputs: forget the display ids they carried.
    this.outputs.begin(item.writer);
    this.running = item;
    item.onStart?.();
    let executionCount: number | null = null;
    try {
      const reply = await kernel.client.execute(
        item.code,
        {
          onIopub: (msg) => this.onIopub(msg, item.writer),
          onInput: async (prompt, password) => (await this.options.onInput?.(prompt, password)) ?? "",
        },
        // The session enforces stop_on_error itself: only one cell is at the kernel at a time.
        { allow_stdin: !!this.options.onInput, stop_on_error: true },
      );
      const content = reply.content as { status?: string; execution_count?: number; ename?: string; evalue?: string };
      executionCount = typeof content.execution_count === "number" ? content.execution_count : null;
      if (content.status === "ok") return { status: "ok", executionCount };
      // The client settles a request with a KernelDied error reply when the kernel process exits
      // mid-cell (or "aborted" when the session closed it first): say so in the cell.
      const died = content.status === "error" ? content.ename === "KernelDied" : this._state === "dead" && this.kernel === undefined;
      if (content.status === "error" && !died) return { status: "error", executionCount };
      if (died) {
        this.outputs.push(item.writer, {
          type: "error",
          ename: "KernelDied",
          evalue: "The kernel process exited while this cell was running. Run the cell again to start a new kernel; Glassbox: Show Kernel Log has the details.",
          traceback: [],
        });
        return { status: "error", executionCount };
      }
      return { status: "aborted", executionCount };
    } finally {
      this.outputs.end(item.writer);
      this.running = undefined;
    }
  }

  private onIopub(msg: Message, writer: OutputWriter): void {
    if (msg.header.msg_type === "status") {
      const state = (msg.content as { execution_state?: string }).execution_state;
      this.setState(state === "busy" ? "busy" : state === "idle" ? "idle" : this._state);
      return;
    }
    this.outputs.handle(msg, writer);
  }

  /** Output that belongs to no running request: late async output, or display updates after a cell ended. */
  private onUnsolicited(msg: Message): void {
    const type = msg.header.msg_type;
    if (type === "status") {
      const s = (msg.content as { execution_state?: string }).execution_state;
      if (s === "busy" || s === "idle") this.setState(s);
      return;
    }
    if (type === "update_display_data") {
      this.outputs.handle(msg);
      return;
    }
    // Late output of a finished cell goes to that cell when its parent is known to the kernel only;
    // the client cannot map it, so it lands on the running cell if there is one, as Jupyter does.
    if (this.running && (type === "stream" || type === "display_data" || type === "error")) this.outputs.handle(msg, this.running.writer);
  }

  /**
   * Interrupts the running cell: interrupt_request on the control channel; if the kernel does not
   * answer in time, SIGINT (which the kernel honours too). Queued cells are aborted.
   */
  async interrupt(): Promise<void> {
    const kernel = this.kernel;
    this.abortQueue();
    if (!kernel) return;
    const timeout = this.options.interruptTimeoutMs ?? 3000;
    const answered = await Promise.race([
      kernel.client.request("control", "interrupt_request").then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), timeout)),
    ]);
    if (!answered && kernel.process.exitCode === null) {
      this.appendLog("\n[glassbox] The kernel did not answer interrupt_request; sending SIGINT.\n");
      kernel.process.kill("SIGINT");
    }
  }

  /** Stops the kernel (aborting running and queued cells) and starts a fresh one: all state is gone. */
  async restart(): Promise<KernelSummary> {
    this.setState("restarting");
    await this.stopKernel();
    this.setState("restarting");
    await this.ensureKernel();
    return this.summary;
  }

  private async stopKernel(): Promise<void> {
    this.generation += 1;
    this.abortQueue();
    const kernel = this.kernel;
    this.kernel = undefined;
    this.outputs.reset();
    if (kernel) await kernel.shutdown().catch(() => undefined); // also resolves the running cell as aborted
  }

  async dispose(): Promise<void> {
    await this.stopKernel();
    this.setState("stopped");
  }
}

function toStartError(e: unknown, log: string): KernelStartError {
  const message = e instanceof Error ? e.message : String(e);
  const firstLine = message.split("\n")[0];
  const tail = log.trim().split("\n").slice(-30).join("\n");
  let hint =
    "Open Glassbox: Show Kernel Log for the kernel's output, fix what it reports, then run the cell again (or use Glassbox: Restart Kernel).";
  if (/ENOENT|EACCES|could not be started/i.test(message)) {
    hint = "The program that runs the kernel was not found or cannot be executed. Check the setting glassbox.nodePath (leave it empty to use the editor's own Node.js), then run the cell again.";
  } else if (/did not answer kernel_info/i.test(message)) {
    hint =
      "The kernel started but never answered. Another program may be blocking local ports (127.0.0.1), or the machine is very busy. Open Glassbox: Show Kernel Log, then try Glassbox: Restart Kernel.";
  } else if (/Cannot find module|MODULE_NOT_FOUND|zeromq|NODE_MODULE_VERSION/i.test(message + log)) {
    hint =
      "A module the kernel needs could not be loaded (a broken or partial install). Reinstall the Glassbox extension; if you set glassbox.nodePath, use Node.js 20 or later.";
  }
  return new KernelStartError(firstLine, tail, hint);
}
