// Controlled decisions against plain prediction, in the same run: what do five rules cost?
//   npx tsx bench/control.ts [--backend native|cpu] [--rows 10000] [--repeat 15]
// `predict` is what a notebook does without control: rows → tensor → model.predict → scores.
// `decide` is control(model, { rules }).decide(rows, { groups }) with five rules (clamp, per-group
// threshold, never, always, custom), returning a Decision per row. Medians of alternating runs.
// Also shown, not part of the target: decide with the audit file and the drift monitor on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  const predict = () => Float64Array.from(tf.tidy(() => (model.predict(prepare(tf.tensor2d(rows))) as tf.Tensor).dataSync()));
  const timings = { predict: [] as number[], decide: [] as number[], full: [] as number[] };
  let hits = 0;
  for (let i = 0; i < REPEAT + 2; i++) {
    let t = performance.now();
    const scores = predict();
    const p = performance.now() - t;
    t = performance.now();
    const d = await ctl.decide(rows, { groups });
    const c = performance.now() - t;
    t = performance.now();
    await full.decide(rows, { groups });
    const f = performance.now() - t;
    if (i < 2) continue; // warm-up
    timings.predict.push(p);
    timings.decide.push(c);
    timings.full.push(f);
    hits = d.reduce((n, x) => n + x.fired.length, 0);
    if (scores.length !== d.length) throw new Error("row count mismatch");
  }
  rmSync(dir, { recursive: true, force: true });
  const [p, c, f] = [median(timings.predict), median(timings.decide), median(timings.full)];
  const threads = backend === "native" ? `${Number.parseInt(process.env.GLASSBOX_NATIVE_THREADS ?? "", 10) || 1} (GLASSBOX_NATIVE_THREADS)` : "1 (JavaScript)";
  const load = (await import("node:os")).loadavg()[0].toFixed(1);
  console.log(`control: ${ROWS} rows, 5 features, MLP 5-32-1, five rules (${hits} rule hits per run); backend ${backend}, threads ${threads}; medians of ${REPEAT}; load average ${load}`);
  console.log(`  predict                           ${p.toFixed(2)} ms`);
  console.log(`  decide (five rules)               ${c.toFixed(2)} ms   ratio ${(c / p).toFixed(3)}  (target ≤ ${TARGET})  ${c / p <= TARGET ? "OK" : "OVER"}`);
  console.log(`  decide + audit file + monitor     ${f.toFixed(2)} ms   ratio ${(f / p).toFixed(3)}  (not a target)`);
}

void main();
