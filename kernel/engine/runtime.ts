/**
 * The cell engine on the main thread: compiles each cell (TypeScript, in the compiler process),
 * runs it in V8's REPL mode, and reports results, displays and errors for the cell it belongs to.
 */
import { readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import type * as tfjs from "@tensorflow/tfjs";
import type { CellLanguage, EngineEvent, EngineNotice, EngineRequest, ExecuteCall, InterruptReason } from "../protocol/engine-link";
import type { JSONObject } from "../protocol/wire";
import { toDisplay } from "../display/mime";
import { chooseBackend, describeBackend, plannedBackend, type BackendCandidate, type BackendChoice } from "./backends";
import { CommRegistry } from "./comms";
import type { CellCompiler, CellDiagnostic, CompiledCell, CompletionResult } from "./compiler/types";
import { createDisplayApi } from "./display-api";
import { describeMemory, type MemoryFigures, type MemoryLimit } from "../memory";
import { CellRegistry, describeThrown, formatError, KernelMessageError, type ErrorContent } from "./errors";
import { disconnectInspector, evaluate, lexicalNames, lexicalValue } from "./evaluate";
import { parseMagics, runMagic, type MagicHost } from "./magics";
import { kernelRoot, ModuleLoader, packageName } from "./modules";
import { installNodeApi } from "../node-api";
import { Output, type CellContext } from "./output";
import { typeErrorHint } from "./type-hints";
import { formatBytes, formatDuration, formatNumber, t } from "../i18n";

export interface EngineOptions {
  cwd: string;
  /** The language of the cells: TypeScript is type-checked; JavaScript only has to parse. */
  language: CellLanguage;
  version: string;
  post: (event: EngineEvent) => void;
  compiler: CellCompiler;
  tf: typeof tfjs;
  backends: BackendCandidate[];
  /** The process's resident-memory limit, which the protocol worker enforces; shown by %memory and MemoryError. */
  memoryLimit: MemoryLimit;
  /** GLASSBOX_BACKEND: a backend to try first. */
  preferredBackend?: string;
  /** Ends the protocol worker cleanly (its sockets closed) before the process exits. */
  onShutdown: () => Promise<unknown>;
  /** Hooks for the rich display layer and other parts that add globals (explain, training curves…). */
  extend?: (engine: Engine) => void;
}

type TypecheckMode = "on" | "report" | "off";

const INTERRUPT_NAMES: Record<InterruptReason, string> = { user: "KeyboardInterrupt", timeout: "TimeoutError", memory: "MemoryError" };

/** The error an interrupt raises in the cell: its name, and what happened in the learner's language. */
function interruptError(reason: InterruptReason): [string, string] {
  return [INTERRUPT_NAMES[reason], t(`interrupt.${reason}`)];
}

export class Engine {
  readonly output: Output;
  readonly cells = new CellRegistry();
  readonly comms: CommRegistry;
  readonly loader: ModuleLoader;
  readonly log: (line: string) => void;
  private readonly tf: typeof tfjs;
  private backend!: BackendChoice;
  /** Backend loading can take over a second (libtorch); the kernel answers meanwhile and cells wait for it. */
  private backendReady!: Promise<BackendChoice>;
  private typecheck: TypecheckMode = "on";
  private silentCount = 0;
  /** What the previous (non-silent) cell added or freed, for %memory. */
  private previousCellChange = { numTensors: 0, numBytes: 0 };
  /** tfjs memory when the previous and the latest non-silent cells started (%vars and the Variables view show what a cell changed). */
  cellStartMemory: [previous: { numTensors: number; numBytes: number }, latest: { numTensors: number; numBytes: number }] = [{ numTensors: 0, numBytes: 0 }, { numTensors: 0, numBytes: 0 }];
  private running: { parent: string; stop: (reason: InterruptReason) => void; onStop: Set<() => void> } | null = null;
  private pendingInput: { resolve: (value: string) => void; reject: (e: Error) => void } | null = null;
  /** Set when the protocol worker is about to terminate stuck code (see Output.suspendTracking). */
  private terminating = false;
  private readonly terminatedHooks = new Set<() => void>();

  constructor(private readonly options: EngineOptions) {
    this.tf = options.tf;
    this.output = new Output((parent, msgType, content, metadata) => options.post({ type: "iopub", parent, msgType, content, metadata }));
    this.log = this.output.captureProcessStreams();
    this.comms = new CommRegistry((msgType, content, metadata, buffers) => options.post({ type: "iopub", parent: this.output.parent(), msgType, content, metadata, buffers }));
    this.loader = new ModuleLoader(options.cwd, options.tf, (text) => this.output.stream("stderr", text));
  }

  /** Run after JavaScript of a cell was terminated (tfjs state that the dead code left half-done). */
  onTerminated(fn: () => void): () => void {
    this.terminatedHooks.add(fn);
    return () => this.terminatedHooks.delete(fn);
  }

  /** Things that must stop when the running cell is interrupted (training loops, timers…). */
  onInterrupt(stop: () => void): () => void {
    const running = this.running;
    running?.onStop.add(stop);
    return () => running?.onStop.delete(stop);
  }

  async init(): Promise<void> {
    // tf.node first: the module hooks re-export every name tf has when they are installed.
    installNodeApi(this.tf, () => this.options.cwd);
    this.loader.install();
    this.backendReady = chooseBackend(this.tf, this.options.backends, this.options.preferredBackend).then((choice) => (this.backend = choice));
    const { display, clearOutput, input } = createDisplayApi(this.output, {
      ask: (parent, prompt, password) =>
        new Promise<string>((resolve, reject) => {
          this.pendingInput = { resolve, reject };
          this.options.post({ type: "input_request", parent, prompt, password });
        }),
    });
    Object.assign(globalThis, {
      tf: this.tf,
      display,
      clearOutput,
      input,
      comms: this.comms,
      require: this.loader.require,
      __glassbox: { import: this.loader.import },
    });
    // A cell must not end the kernel (and everything defined in it) by accident.
    process.exit = ((code?: number) => {
      throw new KernelMessageError(
        "KernelExit",
        t("kernel.exit", { code: code ?? "" }),
      );
    }) as typeof process.exit;
    (globalThis as Record<symbol, unknown>)[Symbol.for("glassbox.beforeTerminate")] = () => {
      this.terminating = true;
      this.output.suspendTracking();
    };
    this.options.extend?.(this);
    this.installSafetyNets();
    const tsVersion = (JSON.parse(readFileSync(require.resolve("typescript/package.json", { paths: [kernelRoot()] }), "utf8")) as { version: string }).version;
    const planned = plannedBackend(this.options.backends, this.options.preferredBackend);
    const chosen = await Promise.race([this.backendReady, new Promise<null>((r) => setTimeout(() => r(null), planned ? BANNER_PATIENCE_MS : 60_000))]);
    this.options.post({
      type: "ready",
      banner: `Glassbox ${this.options.version}: ${this.options.language === "javascript" ? "JavaScript" : `TypeScript ${tsVersion}`} on TensorFlow.js ${this.tf.version.tfjs}\n${chosen ? describeBackend(chosen) : t("backend.loading", { planned: planned ?? "" })}`,
      backend: chosen?.name ?? planned ?? "",
      typescriptVersion: tsVersion,
      language: this.options.language,
      heapLimit: getHeapStatistics().heap_size_limit,
    });
  }

  /** Errors nobody awaited still belong to a cell: show them there instead of killing the kernel. */
  private installSafetyNets(): void {
    const report = (label: string, error: unknown) => {
      const { traceback } = formatError(error, this.cells);
      this.output.stream("stderr", `${label}\n${traceback.join("\n")}\n`);
    };
    // Emscripten (inside the wasm backend) installs handlers that rethrow and kill the process; the kernel owns these events.
    process.removeAllListeners("uncaughtException");
    process.removeAllListeners("unhandledRejection");
    process.on("uncaughtException", (error) => report("Uncaught exception (from a timer or callback):", error));
    process.on("unhandledRejection", (reason) => report("Unhandled promise rejection (a promise nobody awaited failed):", reason));
  }

  handle(message: EngineRequest | EngineNotice): void {
    switch (message.type) {
      case "execute":
        // execute() reports every failure itself; this catch is the last line, so a reply always goes out.
        void this.execute(message)
          .catch((e: unknown) => ({ status: "error", ename: "KernelError", evalue: `The kernel failed while finishing this cell: ${describeThrown(e)}`, traceback: [] }))
          .then((content) => this.reply(message.id, content));
        return;
      case "complete":
        void this.answer(message.id, () => this.complete(message.code, message.cursorPos), { matches: [], cursor_start: message.cursorPos, cursor_end: message.cursorPos, metadata: {} });
        return;
      case "inspect":
        void this.answer(message.id, () => this.options.compiler.inspect(message.code, message.cursorPos, message.detailLevel), { found: false, data: {} });
        return;
      case "is_complete":
        void this.answer(message.id, () => this.options.compiler.isComplete(message.code), { status: "unknown" });
        return;
      case "comm_info":
        this.reply(message.id, { comms: this.comms.info(message.targetName) });
        return;
      case "comm_open":
        this.guard(message.id, () => this.comms.opened(message.commId, message.targetName, message.data));
        return;
      case "comm_msg":
        this.guard(message.id, () => this.comms.message(message.commId, message.data, message.buffers));
        return;
      case "comm_close":
        this.guard(message.id, () => this.comms.closed(message.commId, message.data));
        return;
      case "interrupt":
        this.options.post({ type: "interrupt_ack" });
        if (this.terminating) {
          this.terminating = false;
          this.output.resumeTracking();
          for (const fn of [...this.terminatedHooks]) {
            try {
              fn();
            } catch (e) {
              this.log(`cleanup after termination failed: ${describeThrown(e)}`);
            }
          }
        }
        this.running?.stop(message.reason);
        return;
      case "input_reply":
        if (message.error !== undefined) this.pendingInput?.reject(new KernelMessageError("InputError", t("input.frontEndFailed", { error: message.error })));
        else this.pendingInput?.resolve(message.value);
        this.pendingInput = null;
        return;
      case "shutdown":
        this.output.flush();
        disconnectInspector();
        void this.options.onShutdown().finally(() => realExit(0));
        return;
    }
  }

  /** Runs a comm handler as part of the request that triggered it, so its output has that parent. */
  private guard(parent: string, fn: () => void): void {
    this.output.run({ parent, executionCount: 0, allowStdin: false }, () => {
      try {
        fn();
      } catch (e) {
        this.output.stream("stderr", formatError(e, this.cells).traceback.join("\n") + "\n");
      }
      this.output.flush();
    });
    this.reply(parent, {});
  }

  private reply(id: string, content: object): void {
    this.options.post({ type: "reply", id, content: content as JSONObject });
  }

  private async answer(id: string, fn: () => Promise<object>, fallback: object): Promise<void> {
    try {
      this.reply(id, await fn());
    } catch (e) {
      this.log(`request failed: ${(e as Error).stack ?? e}`);
      this.reply(id, fallback);
    }
  }

  /**
   * Completion from the TypeScript service; while it is still warming up (its first seconds), from the
   * live objects instead, so the first Tab after start answers at once.
   */
  private async complete(code: string, cursorPos: number): Promise<object> {
    // While the service is cold it answers nothing at once rather than parse the libraries ahead of
    // the cells waiting behind this request; it is asked to wait only when the live objects know nothing.
    const typed = this.options.compiler.complete(code, cursorPos, { ifWarm: true });
    const waited = await Promise.race([typed, new Promise<null>((r) => setTimeout(() => r(null), COMPLETION_PATIENCE_MS))]);
    if (waited && waited.matches.length) return waited;
    const live = runtimeCompletions(code, cursorPos);
    if (live?.matches.length) return live;
    const answered = await typed;
    return answered.matches.length ? answered : this.options.compiler.complete(code, cursorPos);
  }

  private magicHost(): MagicHost {
    return {
      cwd: () => this.options.cwd,
      write: (name, text) => this.output.stream(name, text),
      backendReport: () => describeBackend(this.backend),
      waitForBackend: () => this.backendReady.then(() => undefined),
      switchBackend: async (name) => {
        const known = [...new Set(this.options.backends.map((c) => c.name))];
        if (!known.includes(name)) {
          throw new KernelMessageError("BackendError", t("backend.noSuchBackend", { name, current: this.backend.label, known: known.join(", ") }));
        }
        const candidate = this.options.backends.filter((c) => c.name === name);
        const choice = await chooseBackend(this.tf, candidate, undefined, { fallBack: false });
        if (choice.name !== name) {
          // chooseBackend only calls setBackend on success, so the previous backend still runs.
          throw new KernelMessageError("BackendError", `${t("backend.switchFailed", { name, current: this.backend.label })}\n${describeBackend(choice)}`);
        }
        this.backend = choice;
        return describeBackend(this.backend);
      },
      memoryReport: () => {
        const { numTensors, numBytes } = this.previousCellChange;
        const sign = (n: number) => (n >= 0 ? `+${formatNumber(n)}` : formatNumber(n));
        const report = `${describeMemory(this.memoryFigures())}\n${t("memory.previousCell", { tensors: sign(numTensors), bytes: sign(numBytes) })}`;
        // The native backend adds what libtorch holds on its device (and, on a GPU, the whole device's use).
        const device = this.tf.memory() as { device?: string; numBytesInDevice?: number; deviceBytesUsed?: number; deviceBytesTotal?: number };
        if (device.numBytesInDevice === undefined) return report;
        const gpu = device.deviceBytesTotal ? t("memory.deviceGpu", { used: formatBytes(device.deviceBytesUsed ?? 0), total: formatBytes(device.deviceBytesTotal) }) : "";
        return `${report}\n${t("memory.device", { device: device.device ?? "device", bytes: formatBytes(device.numBytesInDevice) })}${gpu}`;
      },
      setTypecheck: (mode) => (this.typecheck = mode),
      typecheckMode: () => this.typecheck,
    };
  }

  /** The same figures for %memory and a MemoryError. */
  memoryFigures(): MemoryFigures {
    const { rss, heapUsed } = process.memoryUsage();
    const { numTensors, numBytes } = this.tf.memory();
    return { resident: rss, jsHeap: heapUsed, tensors: numBytes, numTensors, limit: this.options.memoryLimit };
  }

  private async execute(call: ExecuteCall): Promise<JSONObject> {
    const cell: CellContext = { parent: call.id, executionCount: call.executionCount, allowStdin: call.allowStdin };
    let stop!: (reason: InterruptReason) => void;
    const stopped = new Promise<never>((_, reject) => {
      stop = (reason) => {
        const [ename, text] = interruptError(reason);
        // A memory stop says what holds the memory, measured now, while the cell's values are still alive.
        reject(new KernelMessageError(ename, reason === "memory" ? `${text}\n${describeMemory(this.memoryFigures())}` : text));
      };
    });
    stopped.catch(() => undefined);
    const running = { parent: call.id, stop: (reason: InterruptReason) => undefined as void, onStop: new Set<() => void>() };
    running.stop = (reason) => {
      for (const fn of running.onStop) {
        try {
          fn();
        } catch (e) {
          this.log(`a stop handler failed: ${describeThrown(e)}`);
        }
      }
      this.pendingInput?.reject(new KernelMessageError(...interruptError(reason)));
      this.pendingInput = null;
      stop(reason);
    };
    this.running = running;
    if (!call.silent) {
      const { numTensors, numBytes } = this.tf.memory();
      this.cellStartMemory = [this.cellStartMemory[1], { numTensors, numBytes }];
    }
    const started = performance.now();
    const atStart = this.tf.memory();
    try {
      return await this.output.run(cell, async () => {
        const previous = this.backend;
        const help = /^\s*([\w$.]+)\?\s*$/.exec(call.code);
        const parsed = parseMagics(call.code);
        // Type-checked while the backend finishes loading (the first cell after start waits for
        // both); a cell with magics compiles after them, since they may change how (%typecheck).
        const early = !help && parsed.magics.length === 0 && parsed.code.trim() ? this.compile(parsed.code, call) : undefined;
        early?.catch(() => undefined);
        await Promise.race([this.backendReady, stopped]);
        if (!previous && this.backend.label !== plannedBackend(this.options.backends, this.options.preferredBackend)) {
          this.output.stream("stderr", `${describeBackend(this.backend)}\n`);
        }
        if (help) return { status: "ok", user_expressions: {}, payload: [await this.page(help[1])] };
        for (const magic of parsed.magics) await Promise.race([runMagic(magic, this.magicHost()), stopped]);
        if (parsed.code.trim()) {
          const value = await this.runCode(parsed.code, call, stopped, early);
          const shown = value === undefined || call.silent ? undefined : toDisplay(value);
          if (shown) this.output.message("execute_result", { execution_count: call.executionCount, data: shown.data, metadata: shown.metadata });
        }
        if (parsed.timeCell) this.output.stream("stdout", `${t("time.wall", { duration: formatDuration(performance.now() - started) })}\n`);
        return { status: "ok", user_expressions: await this.userExpressions(call.userExpressions), payload: [] };
      });
    } catch (e) {
      const error: ErrorContent = formatError(e, this.cells);
      this.output.message("error", { ...error }, call.id);
      return { status: "error", ...error };
    } finally {
      this.running = null;
      this.output.flush();
      const { numTensors, numBytes } = this.tf.memory();
      if (!call.silent) this.previousCellChange = { numTensors: numTensors - atStart.numTensors, numBytes: numBytes - atStart.numBytes };
    }
  }

  private compile(code: string, call: ExecuteCall): Promise<CompiledCell> {
    return this.options.compiler.compile(code, { cell: call.executionCount, reportOnly: this.typecheck !== "on", javascript: this.options.language === "javascript" || this.typecheck === "off" });
  }

  private async runCode(code: string, call: ExecuteCall, stopped: Promise<never>, compiling?: Promise<CompiledCell>): Promise<unknown> {
    const ext = this.options.language === "javascript" ? "js" : "ts";
    const fileName = call.silent ? `cell-s${++this.silentCount}.${ext}` : `cell-${call.executionCount}.${ext}`;
    const label = call.silent ? "Cell (silent)" : `Cell In[${call.executionCount}]`;
    const compiled = await Promise.race([compiling ?? this.compile(code, call), stopped]);
    this.cells.add(fileName, label, code, compiled.sourceMap);
    if (this.typecheck !== "off" && compiled.diagnostics.length) {
      const report = formatDiagnostics(label, code, compiled.diagnostics, !compiled.ok);
      const missing = compiled.ok ? undefined : missingPackage(compiled.diagnostics);
      if (missing) {
        throw new KernelMessageError(
          "ModuleNotFoundError",
          `${label}, line ${missing.line}: cannot find the package "${missing.name}". Install it next to the notebook with: %install ${missing.name}\n\n${report}`,
        );
      }
      if (!compiled.ok) throw new KernelMessageError("TypeScriptError", report);
      this.output.stream("stderr", report + "\n");
    }
    const outcome = await Promise.race([evaluate(compiled.js, fileName), stopped]);
    // Not awaited: the compiler process handles requests in order, so the next compile and completion
    // see this commit anyway, and the reply need not wait for it (after an unchecked cell the commit
    // builds the whole program, seconds on a cold start).
    void this.options.compiler.commit(call.executionCount).catch((e) => this.log(`commit failed: ${e}`));
    if ("terminated" in outcome) {
      await stopped; // The interrupt that terminated the script rejects this with its reason.
      throw new KernelMessageError(...interruptError("user"));
    }
    if (!outcome.ok) throw outcome.error;
    const value = outcome.value;
    // A cell that ends in a promise shows what it resolves to, as users expect of a notebook.
    if (value && typeof (value as PromiseLike<unknown>).then === "function") return Promise.race([value as PromiseLike<unknown>, stopped]);
    return value;
  }

  /** `name?` shows the documentation of `name` in the front end's pager, as IPython does. */
  private async page(name: string): Promise<JSONObject> {
    const found = await this.options.compiler.inspect(name, [...name].length, 1);
    if (!found.found) throw new KernelMessageError("NameError", t("kernel.unknownName", { name }));
    return { source: "page", data: found.data, start: 0 };
  }

  private async userExpressions(expressions: Record<string, string>): Promise<JSONObject> {
    const out: JSONObject = {};
    for (const [name, expression] of Object.entries(expressions ?? {})) {
      const outcome = await evaluate(String(expression), `user-expression-${name}`);
      if (outcome.ok) out[name] = { status: "ok", ...(toDisplay(outcome.value) ?? { data: {}, metadata: {} }) };
      else {
        const error = formatError("error" in outcome ? outcome.error : new Error("terminated"), this.cells);
        out[name] = { status: "error", ...error };
      }
    }
    return out;
  }
}

/** The process's own exit, kept before cells get a guarded one. */
const realExit = process.exit.bind(process);

/** How long kernel_info waits for the backend before naming the planned one instead (libtorch takes over a second). */
const BANNER_PATIENCE_MS = 30;

/** How long completion waits for the TypeScript service before answering from live objects. */
const COMPLETION_PATIENCE_MS = 150;

/**
 * Property names of the live object before the cursor (`tf.lay` → layers), or global names and the
 * cells' `let`/`const`/`class` bindings; in the shape of the TypeScript service's answers.
 */
export function runtimeCompletions(code: string, cursorPos: number): CompletionResult | undefined {
  const chars = [...code];
  const before = chars.slice(0, cursorPos).join("");
  const m = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\.?([\w$]*)$/.exec(before);
  if (!m) return undefined;
  const dotted = before.endsWith(".") || m[0].includes(".");
  const path = dotted ? (before.endsWith(".") ? m[0].slice(0, -1) : m[1].split(".").slice(0, -1).join(".")) : "";
  const prefix = before.endsWith(".") ? "" : dotted ? m[1].split(".").pop()! + m[2] : m[1] + m[2];
  const keys = path ? path.split(".") : [];
  let target: unknown = globalThis;
  if (keys.length && !(keys[0] in globalThis)) {
    const binding = lexicalValue(keys[0]);
    if (!binding.found) return undefined;
    target = binding.value;
    keys.shift();
  }
  for (const key of keys) {
    if (target === null || target === undefined) return undefined;
    // Reading plain properties only: no calls, so completion never runs the user's code.
    const descriptor = Object.getOwnPropertyDescriptor(target as object, key) ?? Object.getOwnPropertyDescriptor(Object.getPrototypeOf(target) ?? {}, key);
    if (!descriptor || descriptor.get) return undefined;
    target = descriptor.value;
  }
  const names = new Set<string>();
  // Objects and functions have properties; a primitive has its wrapper's (`"hi".toUpp`).
  for (let o: unknown = target === null || target === undefined ? target : Object(target); o !== null && o !== undefined && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) if (name.startsWith(prefix) && !name.startsWith("__")) names.add(name);
  }
  const lexical = new Set(path ? [] : lexicalNames().filter((name) => name.startsWith(prefix)));
  for (const name of lexical) names.add(name);
  const start = cursorPos - [...prefix].length;
  const matches = [...names].sort();
  const kind = (name: string): string => {
    const value = lexical.has(name) ? lexicalValue(name).value : Object.getOwnPropertyDescriptor(target as object, name)?.value;
    return typeof value === "function" ? (/^class\b/.test(Function.prototype.toString.call(value)) ? "class" : "function") : "instance";
  };
  // `_jupyter_types_experimental` as the TypeScript service gives it, so front ends show the same list.
  const types = matches.map((text) => ({ start, end: cursorPos, text, type: kind(text) }));
  return { matches, cursor_start: start, cursor_end: cursorPos, metadata: { _jupyter_types_experimental: types } };
}

/** The first package a cell imports that is not installed (TS2307 on a bare specifier), as npm names it. */
function missingPackage(diagnostics: CellDiagnostic[]): { name: string; line: number } | undefined {
  for (const d of diagnostics) {
    const m = d.code === 2307 ? /Cannot find module '([^']+)'/.exec(d.message) : null;
    if (m && !/^(\.|\/|node:)/.test(m[1])) return { name: packageName(m[1]), line: d.line };
  }
  return undefined;
}

function formatDiagnostics(label: string, code: string, diagnostics: CellDiagnostic[], stopped: boolean): string {
  const lines = code.split("\n");
  const out: string[] = [];
  for (const d of diagnostics) {
    const where = t("typecheck.location", { label, line: d.line, column: d.column });
    out.push(t("typecheck.diagnostic", { where, category: t(`typecheck.category.${d.category}`), code: d.code, message: d.message }));
    const text = lines[d.line - 1];
    if (text !== undefined) out.push(`  ${String(d.line).padStart(3)} | ${text}`, `      | ${" ".repeat(Math.max(0, d.column - 1))}^`);
    const hint = typeErrorHint(d.code, d.message);
    if (hint) out.push(t("typecheck.hint", { hint }));
  }
  out.push(stopped ? t("typecheck.stopped") : t("typecheck.reportMode"));
  return out.join("\n");
}


