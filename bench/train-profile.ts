// Where a digits-CNN training step's time goes on the native backend: wall time per batch of a plain
// model.fit, then a second fit with every kernel timed (the timing adds a little per call), listed by
// kernel and input shapes. The rest of the step (the tfjs engine, tape and optimizer bookkeeping in
// JavaScript, garbage collection) is the difference. Same model, batch and optimizer as bench:train.
//
//   npx tsx bench/train-profile.ts [--samples 1280]      (GLASSBOX_NATIVE_THREADS: threads, default 1)
import * as tf from "@tensorflow/tfjs";
import type { KernelConfig, NamedTensorInfoMap } from "@tensorflow/tfjs";
import { registerNativeBackend } from "../kernel/backends/native/index";
import { loadDigits } from "./train-data";
import { BATCH, digitsModel } from "./train-model";

async function main(): Promise<void> {
  const at = process.argv.indexOf("--samples");
  const samples = at >= 0 ? Number(process.argv[at + 1]) : 1280;
  process.env.GLASSBOX_NATIVE_THREADS ??= "1";
  const registered = registerNativeBackend(tf);
  if (!registered.ok) throw new Error(registered.reason);
  await tf.setBackend("native");
  const digits = loadDigits(samples);
  const xs = tf.tensor4d(digits.images, [digits.count, 28, 28, 1]);
  const ys = tf.tensor1d(Float32Array.from(digits.labels));
  const model = digitsModel();
  const batches = Math.ceil(digits.count / BATCH);
  const fit = async () => {
    const start = performance.now();
    await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
    return (performance.now() - start) / batches;
  };
  await model.fit(xs.slice(0, BATCH), ys.slice(0, BATCH), { batchSize: BATCH, epochs: 1, verbose: 0 });
  const plain = await fit();

  const times = new Map<string, { calls: number; ms: number }>();
  for (const config of tf.getKernelsForBackend("native") as KernelConfig[]) {
    const run = config.kernelFunc;
    config.kernelFunc = (args) => {
      const start = performance.now();
      const out = run(args);
      const inputs = Object.values(args.inputs as NamedTensorInfoMap).map((t) => (t === undefined || t === null ? "-" : t.shape.join("x") || "scalar"));
      const key = `${config.kernelName} ${inputs.join(", ")}`;
      const entry = times.get(key) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += performance.now() - start;
      times.set(key, entry);
      return out;
    };
  }
  const timed = await fit();
  const rows = [...times].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = rows.reduce((sum, [, e]) => sum + e.ms, 0) / batches;
  console.log(`digits CNN, batch ${BATCH}, adam, ${samples} samples, ${process.env.GLASSBOX_NATIVE_THREADS} thread(s)`);
  console.log(`untimed fit: ${plain.toFixed(2)} ms per batch (${((BATCH / plain) * 1000).toFixed(0)} samples/s)`);
  console.log(`timed fit: ${timed.toFixed(2)} ms per batch, of which kernels ${inKernels.toFixed(2)} ms, the rest ${(timed - inKernels).toFixed(2)} ms\n`);
  console.log("| kernel and input shapes | calls/batch | ms/batch |\n|---|---|---|");
  for (const [key, e] of rows) {
    if (e.ms / batches < 0.01) continue;
    console.log(`| ${key} | ${(e.calls / batches).toFixed(1)} | ${(e.ms / batches).toFixed(3)} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
