/**
 * Starts a kernel: the protocol worker (sockets), the compiler process (TypeScript), and the engine
 * on this, the main thread, where user code runs.
 */
import { writeSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { readConnectionFile } from "./protocol/connection";
import type { CellLanguage, EngineNotice, EngineRequest } from "./protocol/engine-link";
import { defaultHistoryFile } from "./protocol/history";
import type { ProtocolWorkerData } from "./protocol/protocol.worker";
import { defaultCandidates } from "./engine/backends";
import { describeNative, registerNativeBackend } from "./backends/native";
import { addonBuilt, addonLikelyOnGpu, preloadAddon } from "./backends/native/addon";
import { registerWasmCpuFallbacks } from "./backends/wasm/cpu-fallback";
import { registerWasmTrainingKernels } from "./backends/wasm/gradients";
import type { CellCompiler } from "./engine/compiler/types";
import { Engine } from "./engine/runtime";
import { closeAbandonedScopes, guardTraining } from "./engine/training-guard";
import { memoryLimit, type MemoryLimit } from "./memory";
import { registerMagic } from "./engine/magics";
import { VariablesInspector } from "./engine/variables";
import { configureRichDisplay, installRichDisplay, RunsBoard, setInterruptHook, showFigure, sweep, tfvis, trainingCurves } from "./display";
import * as explain from "./explain";
import { control } from "./control";
import { check, expect } from "./course/checks";

export interface KernelOptions {
  connectionFile: string;
  version: string;
  kernelName?: string;
  /** "javascript" for the glassbox-js kernelspec: cells are never blocked by type errors. */
  language?: CellLanguage;
  /**
   * Starts the TypeScript compiler (a child process); called first thing, so that it deserializes
   * its snapshot (or parses the libraries) while the kernel loads.
   */
  startCompiler: () => CellCompiler;
}

/** Kept before the engine guards process.exit against cells. */
const exit = process.exit.bind(process);

export async function startKernel(options: KernelOptions): Promise<void> {
  const info = readConnectionFile(options.connectionFile);
  const compiler = options.startCompiler();
  // libtorch takes about half a second of a core to load (its operator registry): loaded in a
  // thread of its own from the start, while this thread loads TensorFlow.js.
  const preferred = process.env.GLASSBOX_BACKEND || undefined;
  const addonLoaded = !preferred || preferred === "native" ? preloadAddon() : Promise.resolve();
  const kernelName = options.kernelName ?? info.kernel_name ?? "glassbox";
  const limit = chosenMemoryLimit();
  const data: ProtocolWorkerData = { info, kernelName, version: options.version, historyFile: defaultHistoryFile(kernelName), verbose: false, memoryLimit: limit.bytes };
  const worker = new Worker(join(__dirname, "protocol.worker.js"), { workerData: data, stderr: true, stdout: true });
  // The worker's output is the kernel's log: write it to the real stderr, past the cell capture.
  worker.stderr.on("data", (chunk: Buffer) => writeSync(2, chunk));
  worker.stdout.on("data", (chunk: Buffer) => writeSync(2, chunk));
  worker.on("error", (e) => {
    writeSync(2, `[glassbox] the protocol worker failed: ${e.stack ?? e}\n`);
    exit(1);
  });
  let shuttingDown = false;
  worker.on("exit", (code) => {
    if (!shuttingDown) exit(code);
  });
  // Loaded while the worker binds its sockets. TensorFlow.js greets Node users on stdout at import;
  // that belongs in the kernel log, not in a cell.
  const tf = await quietly(() => require("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs"));

  const engine = new Engine({
    cwd: process.cwd(),
    language: options.language ?? "typescript",
    version: options.version,
    memoryLimit: limit,
    post: (event) => worker.postMessage(event),
    onShutdown: async () => {
      shuttingDown = true;
      await Promise.race([worker.terminate(), new Promise((r) => setTimeout(r, 1000))]);
    },
    compiler,
    tf,
    backends: defaultCandidates({
      native: {
        load: async (tf) => {
          await addonLoaded;
          const registration = registerNativeBackend(tf);
          return registration.ok ? null : registration.reason;
        },
        likely: addonBuilt,
        describe: describeNative,
        gpu: addonLikelyOnGpu,
      },
      wasmTraining: (tf) => {
        registerWasmTrainingKernels(tf);
        registerWasmCpuFallbacks(tf);
      },
    }),
    preferredBackend: preferred,
    extend: (engine) => {
      installRichDisplay(tf, () => engine.output.sink());
      guardTraining(tf, engine);
      engine.onTerminated(() => closeAbandonedScopes(tf));
      const display = (globalThis as { display?: Record<string, unknown> }).display!;
      display.training = trainingCurves;
      display.configure = configureRichDisplay;
      display.plot = (figure: unknown, options?: { id?: string }) => showFigure(engine.output.sink(), figure, options?.id);
      display.runs = (options?: ConstructorParameters<typeof RunsBoard>[0]) => new RunsBoard(options);
      setInterruptHook((stop) => engine.onInterrupt(stop));
      Object.assign(globalThis, { explain, tfvis, sweep, control, check, expect });
      // After every kernel global exists, so that only the notebook's own bindings are listed.
      // The view asks between cells (the change the latest cell made); %vars runs inside a cell (the previous one's).
      const variables = new VariablesInspector(tf, (during) => engine.cellStartMemory[during ? 0 : 1]);
      (globalThis as unknown as { __glassbox: Record<string, unknown> }).__glassbox.variables = () => variables.message();
      registerMagic("vars", () => engine.output.sink().show(variables.report()));
    },
  });
  worker.on("message", (message: EngineRequest | EngineNotice) => engine.handle(message));
  // Clients in signal mode (and Ctrl-C in a terminal) interrupt the running cell, as interrupt_request does.
  process.on("SIGINT", () => engine.handle({ type: "interrupt", reason: "user" }));
  await engine.init();
}

/** GLASSBOX_MEMORY_LIMIT, or the default when it is unset or unreadable (said in the kernel log). */
function chosenMemoryLimit(): MemoryLimit {
  try {
    return memoryLimit();
  } catch (e) {
    writeSync(2, `[glassbox] ${(e as Error).message} Using the default instead.\n`);
    return memoryLimit({});
  }
}

async function quietly<T>(load: () => T): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown) => {
    writeSync(2, String(chunk));
    return true;
  }) as typeof process.stdout.write;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => writeSync(2, args.join(" ") + "\n");
  try {
    return load();
  } finally {
    process.stdout.write = write;
    console.warn = warn;
  }
}
