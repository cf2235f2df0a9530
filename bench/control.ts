// Controlled decisions against plain prediction, in the same run: what do five rules cost?
//   npx tsx bench/control.ts [--backend native|cpu] [--rows 10000] [--repeat 15]
// `predict` is what a notebook does without control: rows → tensor → model.predict → scores.
// `decide` is control(model, { rules }).decide(rows, { groups }) with five rules (clamp, per-group
// threshold, never, always, custom), returning a Decision per row. Medians of alternating runs, each
// after a full garbage collection; wall and CPU time (the target is judged on CPU time, which a
// loaded machine disturbs less).
// Also shown, not part of the target: decide with the audit file and the drift monitor on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend } from "../kernel/backends/native/index";
import { control, type ControlOptions, type Rule } from "../kernel/control";
import { FEATURES, makeApplicants } from "../samples/credit-risk";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(arg("rows", "10000"));
const REPEAT = Number(arg("repeat", "15"));
const TARGET = 1.2;

async function pickBackend(): Promise<string> {
  const wanted = arg("backend", "native");
  if (wanted === "native") {
    const r = registerNativeBackend(tf);
    if (r.ok && (await tf.setBackend("native"))) return "native";
    console.log(`native backend unavailable (${r.ok ? "did not initialise" : r.reason}); using cpu`);
  }
  await tf.setBackend("cpu");
  return "cpu";
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const backend = await pickBackend();
  const data = makeApplicants(ROWS, 7);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 32, activation: "relu", kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
      tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
    ],
  });
  const { mean, variance } = tf.moments(tf.tensor2d(data.features), 0);
  const sd = variance.sqrt();
  const prepare = (x: tf.Tensor2D) => x.sub(mean).div(sd);
  const rules: Rule[] = [
    { kind: "clamp", name: "score-range", severity: "correct", min: 0.01, max: 0.99 },
    { kind: "threshold", name: "group-thresholds", severity: "correct", thresholds: { A: 0.5, B: 0.55 } },
    { kind: "never", name: "no-approve-over-indebted", severity: "correct", decision: "approve", when: (x) => x.debt_to_income > 0.6 },
    { kind: "always", name: "decline-many-late", severity: "block", decision: "decline", when: (x) => x.late_payments >= 6 },
    { kind: "custom", name: "big-loan", severity: "flag", check: (x) => x.loan_k > x.income_k, message: "loan above yearly income" },
  ];
  const options: ControlOptions = { features: FEATURES, prepare, rules, decision: { above: "decline", below: "approve", blocked: "refer" } };
  const ctl = control(model, options);
  const dir = mkdtempSync(join(tmpdir(), "glassbox-bench-control-"));
  const full = control(model, { ...options, audit: join(dir, "audit.jsonl"), monitor: { reference: data.features.slice(0, 2000), referenceGroups: data.group.slice(0, 2000) } });
  const rows = data.features;
  const groups = data.group;
  // The rules alone: the same rules over a "model" that returns precomputed scores.
  const fixed = Float64Array.from(tf.tidy(() => (model.predict(prepare(tf.tensor2d(rows, [rows.length, FEATURES.length]))) as tf.Tensor).dataSync()));
  const rulesOnly = control(() => fixed, options);

  const predict = () => Float64Array.from(tf.tidy(() => (model.predict(prepare(tf.tensor2d(rows, [rows.length, FEATURES.length]))) as tf.Tensor).dataSync()));
  // Wall time, and CPU time of the process (all threads): on a loaded machine the CPU time is the steadier measure.
  type Sample = { wall: number; cpu: number };
  const timings = { predict: [] as Sample[], decide: [] as Sample[], full: [] as Sample[], rules: [] as Sample[] };
  // A full collection before each measured call, so no call pays for the garbage of the one before.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const measure = async (fn: () => unknown): Promise<Sample> => {
    gc();
    const t = performance.now();
    const u = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(u);
    return { wall: performance.now() - t, cpu: (d.user + d.system) / 1000 };
  };
  let hits = 0;
  for (let i = 0; i < REPEAT + 2; i++) {
    let scores = new Float64Array(0);
    const p = await measure(() => (scores = predict()));
    let d: { fired: unknown[] }[] = [];
    const c = await measure(async () => (d = await ctl.decide(rows, { groups })));
    const f = await measure(() => full.decide(rows, { groups }));
    const o = await measure(() => rulesOnly.decide(rows, { groups }));
    if (i < 2) continue; // warm-up
    timings.rules.push(o);
    timings.predict.push(p);
    timings.decide.push(c);
    timings.full.push(f);
    hits = d.reduce((n, x) => n + x.fired.length, 0);
    if (scores.length !== d.length) throw new Error("row count mismatch");
  }
  rmSync(dir, { recursive: true, force: true });
  const wall = (k: keyof typeof timings) => median(timings[k].map((s) => s.wall));
  const cpu = (k: keyof typeof timings) => median(timings[k].map((s) => s.cpu));
  const threads = backend === "native" ? `${Number.parseInt(process.env.GLASSBOX_NATIVE_THREADS ?? "", 10) || 1} (GLASSBOX_NATIVE_THREADS)` : "1 (JavaScript)";
  const load = (await import("node:os")).loadavg()[0].toFixed(1);
  console.log(`control: ${ROWS} rows, 5 features, MLP 5-32-1, five rules (${hits} rule hits per run); backend ${backend}, threads ${threads}; medians of ${REPEAT}; load average ${load}`);
  const line = (label: string, k: keyof typeof timings, note: string) => {
    const [w, c] = [wall(k), cpu(k)];
    const ratio = k === "predict" ? "" : `   ratio wall ${(w / wall("predict")).toFixed(3)}, CPU ${(c / cpu("predict")).toFixed(3)}  ${note}`;
    console.log(`  ${label.padEnd(32)} wall ${w.toFixed(2).padStart(8)} ms, CPU ${c.toFixed(2).padStart(8)} ms${ratio}`);
  };
  line("predict", "predict", "");
  const r = cpu("decide") / cpu("predict");
  line("decide (five rules)", "decide", `(target ≤ ${TARGET} on CPU time: ${r <= TARGET ? "OK" : "OVER"})`);
  line("decide + audit file + monitor", "full", "(not a target)");
  line("control alone (scores given)", "rules", "(what decide adds to the model call)");
}

void main();
