// One TensorFlow.js backend's run of the training bench, in its own process so that its peak
// memory is its own. Prints one line: BENCH {json}. Started by bench/train.ts.
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend } from "../kernel/backends/native/index";
import { readDigits } from "./train-data";
import { BATCH, digitsModel } from "./train-model";

export interface WorkerResult {
  backend: string;
  samples?: number;
  samplesPerSec?: number;
  /** Samples per second of CPU time (all threads): steadier than wall time on a busy machine. */
  samplesPerCpuSec?: number;
  peakRssMiB?: number;
  loss?: number;
  skipped?: string;
}

function report(result: WorkerResult): void {
  console.log(`BENCH ${JSON.stringify(result)}`);
}

async function prepare(backend: string): Promise<string | undefined> {
  if (backend === "native") {
    const registered = registerNativeBackend(tf);
    if (!registered.ok) return registered.reason;
  } else if (backend === "wasm") {
    await import("@tensorflow/tfjs-backend-wasm");
    try {
      const { registerWasmTrainingKernels } = await import("../kernel/backends/wasm/gradients");
      registerWasmTrainingKernels(tf);
    } catch {
      // Without the gradient kernels wasm cannot train convolutions; the run below reports that.
    }
  }
  if (!(await tf.setBackend(backend))) return `the ${backend} backend did not initialise`;
  await tf.ready();
  return undefined;
}

async function main(): Promise<void> {
  const [backend, dataPath, countArg] = process.argv.slice(2);
  if (backend === undefined || dataPath === undefined || countArg === undefined) {
    throw new Error("usage: train-worker.ts <backend> <digits file> <sample count>");
  }
  const count = Number(countArg);
  const skipped = await prepare(backend);
  if (skipped !== undefined) return report({ backend, skipped });

  const digits = readDigits(readFileSync(dataPath), count);
  const xs = tf.tensor4d(digits.images, [count, 28, 28, 1]);
  const ys = tf.tensor1d(Float32Array.from(digits.labels));
  const model = digitsModel();
  try {
    // One batch first: the first call of every kernel pays one-off setup that is not throughput.
    await model.fit(xs.slice(0, BATCH), ys.slice(0, BATCH), { batchSize: BATCH, epochs: 1, verbose: 0 });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return report({ backend, skipped: `cannot train: ${message}` });
  }
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const history = await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  report({
    backend,
    samples: count,
    samplesPerSec: count / seconds,
    samplesPerCpuSec: count / cpuSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    loss: Number(history.history.loss?.[0]),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
