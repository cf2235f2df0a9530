// Training bench, two models on every TensorFlow.js backend available here and on PyTorch, on the
// same samples, printing samples/s, the ratio to PyTorch and each run's peak memory. Each run is its
// own process.
// - the digits tutorial's CNN (batch 64, adam, sparse categorical cross-entropy) on `mnist` samples;
// - a seq2seq LSTM encoder/decoder with dot attention and masked padding (batch 128, adam;
//   bench/seq2seq.ts), on native and PyTorch only (the JavaScript backends take minutes per batch).
//
//   npx tsx bench/train.ts [--models cnn,seq2seq] [--samples 3200] [--seq2seq-samples 2560]
//                          [--wasm-samples 256] [--cpu-samples 64] [--backends native,wasm,cpu]
//                          [--repeat 5] [--batch N] [--device cpu|cuda] [--digits FILE]
//
// native and PyTorch train on --samples, each --repeat times, alternating, keeping the best run (on a
// shared machine the best run is the one least disturbed by others); wasm and cpu, being slow, once
// on fewer samples. Besides wall-clock samples/s the table gives samples per CPU-second (all threads
// of the process), which other processes on the machine disturb far less.
// GLASSBOX_NATIVE_THREADS sets the thread count of both the native backend and PyTorch (default 1).
// --batch overrides both models' batch size; --device runs PyTorch on that device (the native
// backend's device is GLASSBOX_DEVICE's); bench/gpu-check.sh uses both, and --digits (samples
// written by writeDigits, for machines without the `mnist` package).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SEQ2SEQ, seq2seqData, writeSeq2seq } from "./seq2seq";
import { loadDigits, readDigits, writeDigits } from "./train-data";
import type { WorkerResult } from "./train-worker";

// Debian's, which has python3-torch; bench/gpu-check.sh points it at the machine's CUDA PyTorch.
const PYTHON = process.env.GLASSBOX_BENCH_PYTHON ?? "/usr/bin/python3";

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

/** One model's runs: its data file, sample counts and batch size. */
interface Workload {
  kind: "cnn" | "seq2seq";
  title: string;
  dataPath: string;
  count(backend: string): number;
  batch: number;
  backends: string[];
}

// From sources the worker runs through tsx; bench/gpu/pack.mjs bundles both as plain JavaScript.
const WORKER = existsSync(join(__dirname, "train-worker.js")) ? [join(__dirname, "train-worker.js")] : ["--import", "tsx", join(__dirname, "train-worker.ts")];

function runTfjs(backend: string, w: Workload, threads: number): WorkerResult {
  const run = spawnSync(process.execPath, [...WORKER, backend, w.dataPath, String(w.count(backend)), w.kind, String(w.batch)], {
    env: { ...process.env, GLASSBOX_NATIVE_THREADS: String(threads) },
    encoding: "utf8",
    maxBuffer: 16 << 20,
  });
  return parse(backend, run.stdout ?? "", run.stderr ?? "", run.status);
}

function runTorch(w: Workload, threads: number, device: string): WorkerResult {
  // OpenBLAS and OpenMP size their own pools from the core count unless told; PyTorch's
  // set_num_threads does not reach OpenBLAS. Same thread count as the native backend, for a fair race.
  const limits = { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const args = [join(__dirname, "train-torch.py"), w.dataPath, String(w.count("pytorch")), String(threads), w.kind, String(w.batch), device];
  const run = spawnSync(PYTHON, args, {
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

function bench(w: Workload, repeat: number, threads: number, device: string): void {
  console.log(`\n${w.title}; ${threads} thread(s) for native and PyTorch, PyTorch on ${device}\n`);
  const best = new Map<string, WorkerResult>();
  const keep = (result: WorkerResult, key: string) => {
    console.log(`  ${result.backend}: ${result.samplesPerSec?.toFixed(1) ?? result.skipped} samples/s`);
    const previous = best.get(key);
    if (previous?.samplesPerSec === undefined || (result.samplesPerSec ?? 0) > previous.samplesPerSec) best.set(key, result);
  };
  for (let round = 0; round < repeat; round++) {
    keep(runTorch(w, threads, device), "pytorch");
    for (const backend of w.backends) {
      // The slow backends run once; only the fast ones are worth repeating.
      if (round > 0 && backend !== "native") continue;
      keep(runTfjs(backend, w, threads), backend);
    }
  }
  const torch = best.get("pytorch") as WorkerResult;
  const results = w.backends.map((backend) => best.get(backend) as WorkerResult);
  console.log(`\n${table([...results, torch], torch.skipped === undefined ? torch : undefined)}`);
  const native = best.get("native");
  if (native?.samplesPerSec !== undefined && torch.samplesPerSec !== undefined) {
    console.log(`\nRESULT ${w.kind}: native ${(native.samplesPerSec / torch.samplesPerSec).toFixed(3)}x PyTorch (${threads} thread(s) each)`);
  }
}

function main(): void {
  const models = option("models", "cnn,seq2seq").split(",").filter(Boolean);
  const samples = Number(option("samples", "3200"));
  const seq2seqSamples = Number(option("seq2seq-samples", "2560"));
  const wasmSamples = Number(option("wasm-samples", "256"));
  const cpuSamples = Number(option("cpu-samples", "64"));
  const backends = option("backends", "native,wasm,cpu").split(",").filter(Boolean);
  const repeat = Math.max(1, Number(option("repeat", "5")));
  const batch = process.argv.includes("--batch") ? Number(option("batch", "0")) : undefined;
  const device = option("device", "cpu");
  const threads = Number.parseInt(process.env.GLASSBOX_NATIVE_THREADS ?? "1", 10) || 1;

  const files: string[] = [];
  try {
    if (models.includes("cnn")) {
      const cnnBatch = batch ?? 64;
      const wantedCount = Math.max(samples, wasmSamples, cpuSamples);
      const digitsFile = option("digits", "");
      const digits = digitsFile === "" ? loadDigits(wantedCount) : readDigits(readFileSync(digitsFile), wantedCount);
      const dataPath = join(tmpdir(), `glassbox-bench-digits-${process.pid}.bin`);
      writeDigits(dataPath, digits);
      files.push(dataPath);
      const wanted: Record<string, number> = { wasm: wasmSamples, cpu: cpuSamples };
      bench({
        kind: "cnn", title: `digits CNN, batch ${cnnBatch}, adam`, dataPath, batch: cnnBatch, backends,
        count: (backend) => Math.min(digits.count, wanted[backend] ?? samples),
      }, repeat, threads, device);
    }
    if (models.includes("seq2seq")) {
      const s2sBatch = batch ?? SEQ2SEQ.batch;
      const dataPath = join(tmpdir(), `glassbox-bench-seq2seq-${process.pid}.bin`);
      writeSeq2seq(dataPath, seq2seqData(seq2seqSamples));
      files.push(dataPath);
      const { units, embedding, vocab, srcLength, tgtLength } = SEQ2SEQ;
      bench({
        kind: "seq2seq", dataPath, batch: s2sBatch, backends: backends.filter((b) => b === "native"),
        title: `seq2seq LSTM encoder/decoder + dot attention (units ${units}, embedding ${embedding}, vocab ${vocab}, ` +
          `${srcLength}→${tgtLength} steps, masked padding), batch ${s2sBatch}, adam`,
        count: () => seq2seqSamples,
      }, repeat, threads, device);
    }
  } finally {
    files.forEach((f) => rmSync(f, { force: true }));
  }
}

main();
