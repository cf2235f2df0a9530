// One TensorFlow.js backend's run of the training bench (the digits CNN or the seq2seq LSTM), in its
// own process so that its peak memory is its own. Prints one line: BENCH {json}. Started by
// bench/train.ts.
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend } from "../kernel/backends/native/index";
import { readSeq2seq, seq2seqModel, seq2seqTensors, SEQ2SEQ } from "./seq2seq";
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

interface Workload {
  model: tf.LayersModel;
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor;
  batch: number;
}

function workload(kind: string, bytes: Buffer, count: number, batch: number | undefined): Workload {
  if (kind === "seq2seq") {
    const { xs, ys } = seq2seqTensors(readSeq2seq(bytes, count));
    const model = seq2seqModel();
    model.compile({ optimizer: tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy" });
    return { model, xs, ys, batch: batch ?? SEQ2SEQ.batch };
  }
  const digits = readDigits(bytes, count);
  return {
    model: digitsModel(),
    xs: tf.tensor4d(digits.images, [count, 28, 28, 1]),
    ys: tf.tensor1d(Float32Array.from(digits.labels)),
    batch: batch ?? BATCH,
  };
}

const head = (t: tf.Tensor | tf.Tensor[], n: number) => (Array.isArray(t) ? t.map((x) => x.slice(0, n)) : t.slice(0, n));

async function main(): Promise<void> {
  const [backend, dataPath, countArg, kind = "cnn", batchArg] = process.argv.slice(2);
  if (backend === undefined || dataPath === undefined || countArg === undefined) {
    throw new Error("usage: train-worker.ts <backend> <data file> <sample count> [cnn|seq2seq] [batch]");
  }
  const count = Number(countArg);
  const skipped = await prepare(backend);
  if (skipped !== undefined) return report({ backend, skipped });

  const { model, xs, ys, batch } = workload(kind, readFileSync(dataPath), count, batchArg === undefined ? undefined : Number(batchArg));
  try {
    // One batch first: the first call of every kernel pays one-off setup that is not throughput.
    await model.fit(head(xs, batch), ys.slice(0, batch), { batchSize: batch, epochs: 1, verbose: 0 });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return report({ backend, skipped: `cannot train: ${message}` });
  }
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const history = await model.fit(xs, ys, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 });
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
