// Small-op bench: the per-call cost of add, matMul, slice, concat, transpose and sum on 128x64
// float32 tensors through TensorFlow.js on the native backend (engine → backend → addon, result
// disposed), against PyTorch eager on the same shapes in the same run, with the same thread count.
// Prints microseconds per call, the ratios and their geometric mean (the target: within 4x).
//
//   npx tsx bench/ops.ts [--rounds 7] [--calls 2000]
//
// Each op runs --rounds rounds of --calls calls; the best round counts (a shared machine disturbs the
// others). GLASSBOX_NATIVE_THREADS sets the thread count of both sides (default 1). The cpu backend's
// figures are shown for reference.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend } from "../kernel/backends/native/index";

const PYTHON = process.env.GLASSBOX_BENCH_PYTHON ?? "/usr/bin/python3";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? (process.argv[at + 1] as string) : fallback;
}

type Op = () => tf.Tensor;

function ops(): Record<string, Op> {
  const a = tf.randomUniform([128, 64]);
  const b = tf.randomUniform([128, 64]);
  const w = tf.randomUniform([64, 64]);
  return {
    add: () => tf.add(a, b),
    matMul: () => tf.matMul(a, w),
    slice: () => tf.slice(a, [16, 8], [96, 48]),
    concat: () => tf.concat([a, b], 0),
    transpose: () => tf.transpose(a),
    sum: () => tf.sum(a),
  };
}

/** Microseconds per call (best round), each result disposed as a tidy program would. */
function time(op: Op, rounds: number, calls: number): number {
  for (let i = 0; i < calls; i++) op().dispose();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) op().dispose();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e3 / calls);
  }
  return best;
}

async function measure(backend: string, rounds: number, calls: number): Promise<Record<string, number> | string> {
  if (!(await tf.setBackend(backend))) return `the ${backend} backend did not initialise`;
  const out: Record<string, number> = {};
  for (const [name, op] of Object.entries(ops())) out[name] = time(op, rounds, calls);
  return out;
}

async function main(): Promise<void> {
  const rounds = Number(option("rounds", "7"));
  const calls = Number(option("calls", "2000"));
  const threads = Number.parseInt(process.env.GLASSBOX_NATIVE_THREADS ?? "1", 10) || 1;
  process.env.GLASSBOX_NATIVE_THREADS = String(threads);
  const registered = registerNativeBackend(tf);
  if (!registered.ok) throw new Error(`native backend unavailable: ${registered.reason}`);
  const native = await measure("native", rounds, calls);
  const cpu = await measure("cpu", rounds, Math.max(1, Math.floor(calls / 10)));
  if (typeof native === "string") throw new Error(native);

  const limits = { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const run = spawnSync(PYTHON, [join(__dirname, "ops-torch.py"), String(threads), String(rounds), String(calls)], {
    env: { ...process.env, ...limits }, encoding: "utf8",
  });
  const line = (run.stdout ?? "").split("\n").find((l) => l.startsWith("BENCH "));
  if (line === undefined) throw new Error(`PyTorch run failed: ${run.error?.message ?? run.stderr}`);
  const torch = JSON.parse(line.slice(6)) as { version: string; threads: number; us: Record<string, number> };

  console.log(`small ops on 128x64 float32, us per call (best of ${rounds} rounds of ${calls});`);
  console.log(`native backend: ${threads} thread(s); PyTorch ${torch.version} eager: ${torch.threads} thread(s)\n`);
  const rows = [["op", "native (us)", "PyTorch (us)", "native / PyTorch", "cpu backend (us)"]];
  const ratios: number[] = [];
  for (const name of Object.keys(native)) {
    const n = native[name] as number;
    const p = torch.us[name] as number;
    ratios.push(n / p);
    rows.push([name, n.toFixed(1), p.toFixed(1), (n / p).toFixed(1), typeof cpu === "string" ? "-" : (cpu[name] as number).toFixed(1)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const fmt = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  console.log([fmt(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(fmt)].join("\n"));
  const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  console.log(`\nRESULT ops: geometric mean native / PyTorch = ${geomean.toFixed(2)}x (target <= 4x)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
