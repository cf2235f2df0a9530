/**
 * Training runs compared in one live output: application/vnd.glassbox.runs.v1+json
 * (docs/mime/runs.v1.md). `display.runs()` makes a board; each `board.run(hparams)` gives fit
 * callbacks (or `log(epoch, metrics)` for custom loops) that add that run's per-epoch metrics;
 * `sweep(grid, trainFn)` trains every combination of a small grid one after another on a board.
 * Updates are throttled like training curves; a PNG and a text table come whenever no run is running.
 */
import type * as tfjs from "@tensorflow/tfjs";
import { DRAWS_CURVES } from "./fit";
import { figurePng } from "./figure-png";
import { JUPYTER_DISPLAY, type DisplayPayload } from "./mime";
import { currentSink, type DisplaySink } from "./sink";
import { RUNS_MIME, type HParams, type RunRecord, type RunsPayloadV1 } from "./payloads";
import { inferMetric, type RunStatus } from "./training";

export { RUNS_MIME } from "./payloads";
export type { HParams, RunRecord, RunsPayloadV1 } from "./payloads";

export interface Run {
  readonly id: string;
  readonly hparams: HParams;
  /** Fit callbacks: `model.fit(x, y, { epochs, callbacks: run.callbacks })` (no separate live chart). */
  readonly callbacks: tfjs.CustomCallbackArgs;
  /** One epoch's metrics, for custom loops (epoch is 1-based; defaults to the next). */
  log(epoch: number | undefined, metrics: Record<string, number>): void;
  done(status?: Exclude<RunStatus, "running">): void;
}

export interface RunsOptions { title?: string; minIntervalMs?: number; sink?: DisplaySink }

const fmt = (v: number) => { const a = Math.abs(v); return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4))); };
export const hparamText = (h: HParams) => Object.entries(h).map(([k, v]) => `${k}=${v}`).join(" ");

let boardCounter = 0;

export class RunsBoard {
  readonly id = `runs-${Date.now().toString(36)}-${++boardCounter}`;
  private readonly title: string;
  private readonly sink: DisplaySink;
  private readonly minIntervalMs: number;
  private readonly records: Array<RunRecord & { startedAt: number }> = [];
  private readonly metricOrder: string[] = [];
  private status: RunsPayloadV1["status"] = "done";
  private seq = 0;
  private shown = false;
  private lastEmit = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RunsOptions = {}) {
    this.title = options.title ?? "runs";
    this.sink = currentSink(options.sink);
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.emit();
  }

  /** The finished and running runs, in the order they started. */
  get runs(): readonly RunRecord[] { return this.records; }

  /** Starts a run with these hyperparameters (shown in the legend and the table). */
  run(hparams: HParams = {}, label?: string): Run {
    const record: RunRecord & { startedAt: number } = { id: `${this.id}-${this.records.length + 1}`, label: label ?? (hparamText(hparams) || `run ${this.records.length + 1}`), hparams: { ...hparams }, status: "running", elapsedMs: 0, epochs: { epoch: [], values: {} }, best: {}, startedAt: Date.now() };
    this.records.push(record);
    this.status = "running";
    this.emit();
    const log = (epoch: number | undefined, metrics: Record<string, unknown>) => {
      if (record.status !== "running") return;
      const e = epoch ?? (record.epochs.epoch.at(-1) ?? 0) + 1;
      const n = record.epochs.epoch.length;
      record.epochs.epoch.push(e);
      for (const [key, v] of Object.entries(metrics)) {
        if (typeof v !== "number" || key === "batch" || key === "size") continue;
        if (!this.metricOrder.includes(key)) this.metricOrder.push(key);
        const column = (record.epochs.values[key] ??= new Array<number | null>(n).fill(null));
        column.push(Number.isFinite(v) ? Number(v.toPrecision(7)) : null);
        if (Number.isFinite(v)) {
          const goal = inferMetric(key).goal;
          const best = record.best[key];
          if (!best || !goal || (goal === "min" ? v < best.value : v > best.value)) record.best[key] = { value: Number(v.toPrecision(7)), epoch: e };
        }
      }
      for (const column of Object.values(record.epochs.values)) if (column.length === n) column.push(null);
      record.elapsedMs = Date.now() - record.startedAt;
      this.requestUpdate();
    };
    const done = (status: Exclude<RunStatus, "running"> = "completed") => {
      if (record.status !== "running") return;
      record.status = status;
      record.elapsedMs = Date.now() - record.startedAt;
      if (!this.records.some((r) => r.status === "running") && this.status === "running") this.status = "done";
      this.emit();
    };
    const callbacks = {
      [DRAWS_CURVES]: true,
      onEpochEnd: async (epoch: number, logs?: tfjs.Logs) => log(epoch + 1, logs ?? {}),
      onTrainEnd: async () => done(),
    } as tfjs.CustomCallbackArgs;
    return { id: record.id, hparams: record.hparams, callbacks, log, done };
  }

  /** Marks the board (and any run still running) stopped, e.g. after an interrupt. */
  stop(): void {
    for (const r of this.records) if (r.status === "running") { r.status = "stopped"; r.elapsedMs = Date.now() - r.startedAt; }
    this.status = "stopped";
    this.emit();
  }

  payload(): DisplayPayload {
    const state = this.state();
    const data: Record<string, unknown> = { [RUNS_MIME]: state, "text/plain": runsText(state) };
    if (state.status !== "running") data["image/png"] = runsPng(state);
    return { data, metadata: {} };
  }

  state(): RunsPayloadV1 {
    const hparams = [...new Set(this.records.flatMap((r) => Object.keys(r.hparams)))];
    return {
      version: 1, boardId: this.id, title: this.title, seq: ++this.seq, status: this.status,
      metrics: this.metricOrder.map((key) => { const m = inferMetric(key); return { key, group: m.group, split: m.split, ...(m.goal ? { goal: m.goal } : {}) }; }),
      hparams,
      runs: this.records.map(({ startedAt: _, ...r }) => ({ ...r, epochs: { epoch: [...r.epochs.epoch], values: Object.fromEntries(Object.entries(r.epochs.values).map(([k, v]) => [k, [...v]])) }, best: { ...r.best } })),
    };
  }

  private requestUpdate(): void {
    const now = Date.now();
    if (now - this.lastEmit >= this.minIntervalMs) { this.emit(); return; }
    this.timer ??= setTimeout(() => { this.timer = undefined; this.requestUpdate(); }, this.minIntervalMs - (now - this.lastEmit));
  }

  private emit(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.lastEmit = Date.now();
    const payload = this.payload();
    if (this.shown) this.sink.update(payload, this.id);
    else { this.sink.show(payload, this.id); this.shown = true; }
  }

  /** The board as a cell's last value: it is already shown above. */
  [JUPYTER_DISPLAY](): null { return null; }
}

/** A table of runs: hyperparameters, status, and the best value of each metric. */
export function runsText(s: RunsPayloadV1): string {
  const head = ["run", ...s.hparams, "status", "epochs", ...s.metrics.map((m) => `best ${m.key}`)];
  const rows = s.runs.map((r, i) => [String(i + 1), ...s.hparams.map((h) => String(r.hparams[h] ?? "")), r.status, String(r.epochs.epoch.length), ...s.metrics.map((m) => (r.best[m.key] ? fmt(r.best[m.key].value) : "–"))]);
  const w = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(w[j])).join("  ");
  return [`${s.title}: ${s.runs.length} run${s.runs.length === 1 ? "" : "s"} (${s.status})`, line(head), ...rows.map(line)].join("\n");
}

/** The first metric group (val_ over train when both), one line per run, drawn in the kernel. */
export function runsPng(s: RunsPayloadV1): string {
  const key = s.metrics.find((m) => m.split === "val")?.key ?? s.metrics[0]?.key;
  return figurePng({
    data: key ? s.runs.map((r) => ({ type: "scatter", mode: "lines+markers", name: r.label, x: r.epochs.epoch, y: r.epochs.values[key] ?? [] })) : [],
    layout: { title: { text: `${s.title}: ${key ?? "no metrics yet"}` }, xaxis: { title: { text: "epoch" } } },
  });
}

// ---------- sweep ----------

let onInterrupt: ((stop: () => void) => () => void) | undefined;

/** Set once by the kernel: registers a function to call when the running cell is interrupted. */
export function setInterruptHook(hook: (stop: () => void) => () => void): void {
  onInterrupt = hook;
}

/** Every combination of the grid's values, in order (the last key varies fastest). */
export function gridCombinations(grid: Record<string, ReadonlyArray<string | number | boolean>>): HParams[] {
  let combos: HParams[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    if (!Array.isArray(values) || !values.length) throw new TypeError(`sweep: grid.${key} must be a non-empty array of values, e.g. { ${key}: [0.01, 0.1] }.`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos;
}

export interface SweepOptions extends RunsOptions {
  /** A board to add the runs to (default: a new one). */
  runs?: RunsBoard;
}

/**
 * Trains every combination of `grid` one after another: `trainFn(hparams, run)` should pass
 * `run.callbacks` to model.fit (or call `run.log`). An interrupt stops the current run and the
 * sweep; the finished runs stay on the board.
 */
export async function sweep(grid: Record<string, ReadonlyArray<string | number | boolean>>, trainFn: (hparams: HParams, run: Run) => unknown, options: SweepOptions = {}): Promise<RunsBoard> {
  if (typeof trainFn !== "function") throw new TypeError("sweep(grid, trainFn): trainFn must be a function (hparams, run) => …, e.g. async ({ lr }, run) => model.fit(x, y, { callbacks: run.callbacks }).");
  const combos = gridCombinations(grid);
  const board = options.runs ?? new RunsBoard({ title: options.title ?? `sweep over ${Object.keys(grid).join(" × ")}`, ...options });
  let interrupted = false;
  const release = onInterrupt?.(() => { interrupted = true; board.stop(); }) ?? (() => undefined);
  try {
    for (const hparams of combos) {
      if (interrupted) break;
      const run = board.run(hparams);
      try {
        await trainFn(hparams, run);
      } catch (error) {
        run.done(interrupted ? "stopped" : "error");
        if (!interrupted) board.stop();
        throw error;
      }
      run.done(interrupted ? "stopped" : "completed");
    }
  } finally {
    release();
  }
  return board;
}
