// Explanation benchmark: batched evaluation vs one evaluation per model call, on the cpu backend.
//   npx tsx bench/explain.ts          (about a minute)
//   npx tsx bench/explain.ts --full   (also runs 20-feature exact Shapley with all 100 background rows: ~10^8 evaluations)
// One-at-a-time timings that would take minutes are measured on a smaller background with
// batchSize 1 and scaled by the evaluation count (the cost per call is constant at batch size 1);
// such rows are marked "extrapolated".
import * as tf from "@tensorflow/tfjs";
import * as explain from "../kernel/explain";

const full = process.argv.includes("--full");

function mlp(inputs: number): tf.LayersModel {
  const init = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, inputShape: [inputs], activation: "relu", kernelInitializer: init(1), biasInitializer: init(2) }),
      tf.layers.dense({ units: 1, kernelInitializer: init(3), biasInitializer: init(4) }),
    ],
  });
}

interface Row {
  name: string;
  evaluations: number;
  batchedMs: number;
  batchedNote: string;
  singleMs: number;
  singleNote: string;
}
const rows: Row[] = [];

/**
 * Milliseconds per evaluation at one row per model call, measured with KernelSHAP at batchSize 1 on
 * 3 background rows after a warm-up (the cost of a call does not depend on which coalition it holds).
 */
async function perCallMs(model: tf.LayersModel, x: tf.Tensor, background: tf.Tensor): Promise<[number, number]> {
  const small = background.slice(0, 3);
  (await explain.kernelShap(model, x, { background: small, batchSize: 1, samples: 200 })).dispose();
  const e = await explain.kernelShap(model, x, { background: small, batchSize: 1, samples: 2 * x.shape[1]! + 2048 });
  e.dispose();
  return [e.ms / e.evaluations, e.evaluations];
}

async function shapley(features: number): Promise<void> {
  const model = mlp(features);
  const x = tf.randomNormal([1, features], 0, 1, "float32", 7);
  const background = tf.randomNormal([100, features], 0, 1, "float32", 8);

  // Exact Shapley: 2^M coalitions × 100 background rows.
  const exactEvals = 2 ** features * 100 + 1;
  const exact = (bg: tf.Tensor) => explain.exactShapley(model, x, { background: bg, maxEvaluations: 2e8 });
  (await exact(background.slice(0, 2))).dispose(); // warm-up
  let batchedMs: number;
  let batchedNote = "measured";
  if (features <= 12 || full) {
    const e = await exact(background);
    batchedMs = e.ms;
    console.log(`  exactShapley M=${features}: gap ${e.gap![0].toExponential(2)}, ${e.evaluations.toLocaleString("en")} evaluations in ${e.batches} calls`);
    e.dispose();
  } else {
    // All 2^M coalitions against 1 background row, scaled ×100: every coalition is still evaluated.
    const e = await exact(background.slice(0, 1));
    batchedMs = (e.ms / e.evaluations) * exactEvals;
    batchedNote = `extrapolated from all 2^${features} coalitions × 1 background row (${e.ms.toFixed(0)} ms); --full runs it`;
    e.dispose();
  }
  const [msPerCall, calls] = await perCallMs(model, x, background);
  const singleNote = `extrapolated: ${(msPerCall * 1000).toFixed(1)} µs per single-row call, measured over ${calls.toLocaleString("en")} calls`;
  rows.push({ name: `exactShapley   M=${features}, |bg|=100`, evaluations: exactEvals, batchedMs, batchedNote, singleMs: msPerCall * exactEvals, singleNote });

  // KernelSHAP with the default budget 2M + 2048 (all coalitions for M = 10: exact).
  const k = await explain.kernelShap(model, x, { background, seed: 1 });
  console.log(`  kernelShap   M=${features}: ${k.details.coalitions} coalitions, exact=${k.details.exact}, gap ${k.gap![0].toExponential(2)}`);
  rows.push({ name: `kernelShap     M=${features}, |bg|=100`, evaluations: k.evaluations, batchedMs: k.ms, batchedNote: "measured", singleMs: msPerCall * k.evaluations, singleNote });
  k.dispose();
}

async function integrated(): Promise<void> {
  const init = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.3, seed });
  const cnn = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 8, kernelSize: 3, inputShape: [28, 28, 1], activation: "relu", kernelInitializer: init(1), biasInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: "relu", kernelInitializer: init(3), biasInitializer: init(4) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, kernelInitializer: init(5), biasInitializer: init(6) }),
    ],
  });
  const x = tf.randomUniform([4, 28, 28, 1], 0, 1, "float32", 9);
  const run = (batchSize?: number) => explain.integratedGradients(cnn, x, { steps: 64, baseline: 0, batchSize, target: 3 });
  await run(); // warm-up
  const a = await run();
  const b = await run(1);
  const diff = Math.max(...Array.from(tf.sub(a.attributions, b.attributions).abs().dataSync()));
  console.log(`  integratedGradients: max |batched − single| = ${diff.toExponential(2)}, gaps ${a.gap!.map((g) => g.toExponential(1)).join(", ")}`);
  rows.push({ name: "integratedGradients 64 steps, 4×28×28 CNN", evaluations: a.evaluations, batchedMs: a.ms, batchedNote: "measured", singleMs: b.ms, singleNote: "measured" });
  a.dispose();
  b.dispose();
}

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  console.log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, node ${process.version}${full ? ", --full" : ""}`);
  await shapley(10);
  await shapley(20);
  await integrated();
  const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  console.log("\nmethod                                      evaluations     batched      one-at-a-time   speedup");
  for (const r of rows) {
    console.log(`${r.name.padEnd(42)} ${r.evaluations.toLocaleString("en").padStart(13)} ${fmt(r.batchedMs).padStart(11)} ${fmt(r.singleMs).padStart(15)} ${(r.singleMs / r.batchedMs).toFixed(1).padStart(8)}×`);
    if (r.batchedNote !== "measured") console.log(`${"".padEnd(44)}batched: ${r.batchedNote}`);
    if (r.singleNote !== "measured") console.log(`${"".padEnd(44)}one-at-a-time: ${r.singleNote}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
