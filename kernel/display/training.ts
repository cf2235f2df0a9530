/**
 * Live training curves: application/vnd.glassbox.training.v1+json (docs/mime/training.v1.md).
 * A TrainingMonitor shows its run once under a display id and then replaces it in place,
 * throttled so a fast loop cannot flood the frontend; the final update adds a PNG of the curves
 * and a text summary, so the finished cell reads well without the extension.
 */
import type { DisplayPayload } from "./mime";
import { TRAINING_MIME, type MetricInfo, type RunStatus, type Series, type Split, type TrainingPayloadV1 } from "./payloads";
import { Raster } from "./raster";
import type { Rgb } from "./colormap";
import type { DisplaySink } from "./sink";
import { formatNumber, t } from "../i18n";

export { TRAINING_MIME } from "./payloads";
export type { Goal, MetricInfo, RunStatus, Series, Split, TrainingPayloadV1 } from "./payloads";

export interface MonitorOptions {
  title?: string;
  runId?: string;
  /** Overrides for inferred metric metadata, by key. */
  metrics?: Array<Partial<MetricInfo> & { key: string }>;
  /** Only these metric keys (and their val_ twins) are recorded; default: all. */
  only?: string[];
  epochs?: number;
  batchesPerEpoch?: number;
  /** Minimum time between updates; 100 ms keeps to at most ~10 updates per second. */
  minIntervalMs?: number;
  /** Longest series carried per update (default 1000); longer ones are bucket-averaged. */
  maxPoints?: number;
}

const MAX_WORDS = /(^|_)(acc|accuracy|auc|precision|recall|f1|r2|iou)(_|$)/i;
const MIN_WORDS = /(loss|error|mse|mae|mape|msle|crossentropy|hinge|kld|poisson|cosine)/i;

/** Metadata from Keras naming (val_ prefix, known metric names); `options.metrics` overrides it. */
export function inferMetric(key: string): MetricInfo {
  const split: Split = key.startsWith("val_") ? "val" : "train";
  const group = split === "val" ? key.slice(4) : key;
  const info: MetricInfo = { key, group, split };
  if (MAX_WORDS.test(group)) { info.goal = "max"; if (!/r2/i.test(group)) info.domain = [0, 1]; }
  else if (MIN_WORDS.test(group)) info.goal = "min";
  return info;
}

let runCounter = 0;
function newRunId(): string {
  return `run-${Date.now().toString(36)}-${(++runCounter).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

class SeriesBuffer {
  readonly step: number[] = [];
  readonly time: number[] = [];
  readonly values = new Map<string, Array<number | null>>();
  readonly extra: number[] = [];

  push(step: number, time: number, metrics: Record<string, number>, extra = 0): void {
    const n = this.step.length;
    this.step.push(step);
    this.time.push(time);
    this.extra.push(extra);
    for (const [key, v] of Object.entries(metrics)) {
      let column = this.values.get(key);
      if (!column) { column = new Array<number | null>(n).fill(null); this.values.set(key, column); }
      // 7 significant digits is float32's precision, and halves the JSON of every update.
      column.push(Number.isFinite(v) ? Number(v.toPrecision(7)) : null);
    }
    for (const column of this.values.values()) if (column.length === n) column.push(null);
  }

  /** Bucket means keep the shape of a long curve at a bounded size; the step is each bucket's last. */
  snapshot(maxPoints: number): Series & { extra: number[] } {
    const n = this.step.length;
    const bucket = Math.max(1, Math.ceil(n / maxPoints));
    const pick = (arr: number[]) => (bucket === 1 ? arr.slice() : bucketLast(arr, bucket));
    const values: Record<string, Array<number | null>> = {};
    for (const [key, column] of this.values) values[key] = bucket === 1 ? column.slice() : bucketMean(column, bucket);
    return {
      step: pick(this.step), time: pick(this.time), values, extra: pick(this.extra),
      ...(bucket > 1 ? { aggregated: { method: "mean" as const, bucket, rawLength: n } } : {}),
    };
  }
}

function withoutExtra({ extra: _, ...series }: Series & { extra: number[] }): Series {
  return series;
}

/** Epoch points carry the global step they ended at, so validation can be drawn on the batch axis. */
function asEpochSeries({ extra, ...series }: Series & { extra: number[] }): Series & { batchStep: number[] } {
  return { ...series, batchStep: extra };
}

function bucketLast(arr: number[], bucket: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < arr.length; i += bucket) out.push(arr[Math.min(arr.length, i + bucket) - 1]);
  return out;
}

function bucketMean(arr: Array<number | null>, bucket: number): Array<number | null> {
  const out: Array<number | null> = [];
  for (let i = 0; i < arr.length; i += bucket) {
    let sum = 0, count = 0;
    for (let j = i; j < Math.min(arr.length, i + bucket); j++) { const v = arr[j]; if (v !== null) { sum += v; count++; } }
    out.push(count ? sum / count : null);
  }
  return out;
}

export class TrainingMonitor {
  readonly runId: string;
  private readonly title: string;
  private readonly sink: DisplaySink;
  private readonly minIntervalMs: number;
  private readonly maxPoints: number;
  private readonly overrides: Map<string, Partial<MetricInfo>>;
  private readonly only?: Set<string>;
  private readonly metricOrder: string[] = [];
  private readonly batches = new SeriesBuffer();
  private readonly epochs = new SeriesBuffer();
  private readonly startedAt = Date.now();
  private progress: { epoch: number; epochs?: number; batch: number; batchesPerEpoch?: number; step: number };
  private status: RunStatus = "running";
  private seq = 0;
  private shown = false;
  private lastEmit = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Number of payloads sent (show + updates); for callers that report on the run. */
  emitted = 0;

  constructor(sink: DisplaySink, options: MonitorOptions = {}) {
    this.sink = sink;
    this.runId = options.runId ?? newRunId();
    this.title = options.title ?? "training";
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.maxPoints = options.maxPoints ?? 1000;
    this.overrides = new Map((options.metrics ?? []).map((m) => [m.key, m]));
    if (options.only) this.only = new Set(options.only.flatMap((k) => [k, `val_${k}`]));
    this.progress = { epoch: 0, epochs: options.epochs, batch: 0, batchesPerEpoch: options.batchesPerEpoch, step: 0 };
  }

  get finished(): boolean { return this.status !== "running"; }

  /** Shows the (empty) run now instead of at the first logged value. */
  start(): void { if (!this.shown) this.emit(); }

  setProgress(progress: Partial<{ epoch: number; epochs: number; batch: number; batchesPerEpoch: number }>): void {
    Object.assign(this.progress, progress);
  }

  /** Logs one batch (a step of a custom loop); `step` defaults to the next global step. */
  batch(metrics: Record<string, unknown>, step?: number): void {
    if (this.finished) return;
    const clean = this.clean(metrics);
    this.progress.step = step ?? this.progress.step + 1;
    this.progress.batch += 1;
    this.batches.push(this.progress.step, Date.now() - this.startedAt, clean);
    this.requestUpdate();
  }

  /** Logs the end of an epoch (1-based `epoch` defaults to the next one), e.g. with val_ metrics. */
  epoch(metrics: Record<string, unknown>, epoch?: number): void {
    if (this.finished) return;
    const clean = this.clean(metrics);
    this.progress.epoch = epoch ?? this.progress.epoch + 1;
    this.epochs.push(this.progress.epoch, Date.now() - this.startedAt, clean, this.progress.step);
    this.progress.batch = 0;
    this.requestUpdate();
  }

  /** Ends the run: cancels any pending throttled update and sends the final one (with PNG + summary). */
  done(status: Exclude<RunStatus, "running"> = "completed"): void {
    if (this.finished) return;
    this.status = status;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.emit();
  }

  payload(): DisplayPayload {
    const state = this.state();
    const data: Record<string, unknown> = { [TRAINING_MIME]: state, "text/plain": state.summary ?? progressLine(state) };
    if (this.finished) data["image/png"] = curvesPng(state);
    return { data, metadata: {} };
  }

  state(): TrainingPayloadV1 {
    const now = Date.now();
    const elapsedMs = now - this.startedAt;
    const p = this.progress;
    let fraction: number | undefined;
    if (p.epochs) fraction = p.batchesPerEpoch ? Math.min(1, (Math.max(0, p.epoch) * p.batchesPerEpoch + (p.epoch < p.epochs ? p.batch : 0)) / (p.epochs * p.batchesPerEpoch)) : Math.min(1, p.epoch / p.epochs);
    if (this.status === "completed") fraction = 1;
    const state: TrainingPayloadV1 = {
      version: 1, runId: this.runId, title: this.title, status: this.status, seq: ++this.seq,
      startedAt: this.startedAt, updatedAt: now,
      metrics: this.metricOrder.map((key) => ({ ...inferMetric(key), ...this.overrides.get(key), key })),
      series: { batch: withoutExtra(this.batches.snapshot(this.maxPoints)), epoch: asEpochSeries(this.epochs.snapshot(this.maxPoints)) },
      progress: { ...p, elapsedMs, ...(fraction !== undefined ? { fraction } : {}), ...(fraction && fraction < 1 && this.status === "running" ? { etaMs: Math.round((elapsedMs * (1 - fraction)) / fraction) } : {}) },
    };
    if (this.finished) state.summary = summaryText(state, this.batches, this.epochs);
    return state;
  }

  private clean(metrics: Record<string, unknown>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, v] of Object.entries(metrics)) {
      // tfjs batch logs carry `batch` and `size` next to the metrics.
      if (key === "batch" || key === "size" || typeof v !== "number") continue;
      if (this.only && !this.only.has(key)) continue;
      if (!this.metricOrder.includes(key)) this.metricOrder.push(key);
      out[key] = v;
    }
    return out;
  }

  private requestUpdate(): void {
    const now = Date.now();
    if (now - this.lastEmit >= this.minIntervalMs) { this.emit(); return; }
    // Trailing update, so the latest values show even if no further log comes for a while.
    // Timers count from the event loop's cached clock, which lags Date.now() in a busy loop, so
    // they can fire early: the callback re-checks and re-arms instead of emitting blindly.
    this.timer ??= setTimeout(() => { this.timer = undefined; if (!this.finished) this.requestUpdate(); }, this.minIntervalMs - (now - this.lastEmit));
  }

  private emit(): void {
    if (this.timer && !this.finished) { clearTimeout(this.timer); this.timer = undefined; }
    const payload = this.payload();
    // The throttle counts from the send: the first payload may pay for loading the message catalogue.
    this.lastEmit = Date.now();
    if (this.shown) this.sink.update(payload, this.runId);
    else { this.sink.show(payload, this.runId); this.shown = true; }
    this.emitted++;
  }
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

function lastValue(column: Array<number | null> | undefined): number | undefined {
  if (!column) return undefined;
  for (let i = column.length - 1; i >= 0; i--) { const v = column[i]; if (v !== null) return v; }
  return undefined;
}

function progressLine(s: TrainingPayloadV1): string {
  const p = s.progress;
  const where = p.epochs ? t("training.epochOf", { epoch: p.epoch, epochs: p.epochs }) : p.epoch ? t("training.epochAt", { epoch: p.epoch }) : t("training.stepAt", { step: p.step });
  const values = s.metrics.map((m) => {
    const v = lastValue(s.series.epoch.values[m.key]) ?? lastValue(s.series.batch.values[m.key]);
    return v === undefined ? "" : `${m.key}=${fmt(v)}`;
  }).filter(Boolean);
  const time = formatNumber(p.elapsedMs / 1000, { style: "unit", unit: "second", unitDisplay: "narrow", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return t("training.progress", { title: s.title, status: t(`training.status.${s.status}`), where, values: values.length ? " · " + values.join(" ") : "", time });
}

/** The final line: last values plus the best value of each metric that has a goal, from the raw series. */
function summaryText(s: TrainingPayloadV1, batches: SeriesBuffer, epochs: SeriesBuffer): string {
  const best: string[] = [];
  for (const m of s.metrics) {
    if (!m.goal) continue;
    const useEpochs = epochs.values.get(m.key)?.some((v) => v !== null);
    const buf = useEpochs ? epochs : batches;
    const column = buf.values.get(m.key) ?? [];
    let bi = -1;
    column.forEach((v, i) => { if (v !== null && (bi < 0 || (m.goal === "min" ? v < column[bi]! : v > column[bi]!))) bi = i; });
    if (bi >= 0) best.push(t("training.best", { metric: m.key, value: fmt(column[bi]!), where: t(useEpochs ? "training.epochAt" : "training.stepAt", useEpochs ? { epoch: buf.step[bi] } : { step: buf.step[bi] }) }));
  }
  return progressLine(s) + (best.length ? `\n${best.join(" · ")}` : "");
}

// ---------- PNG of the final curves ----------

const TRAIN_RGB: Rgb = [31, 119, 180];
const VAL_RGB: Rgb = [255, 127, 14];
const INK: Rgb = [60, 60, 60];
const GRID: Rgb = [225, 225, 225];

/** One small chart per metric group: per-epoch series when there are ≥2 epochs, else per-batch. */
export function curvesPng(s: TrainingPayloadV1): string {
  const groups = [...new Set(s.metrics.map((m) => m.group))];
  const cols = Math.min(2, Math.max(1, groups.length));
  const rows = Math.max(1, Math.ceil(groups.length / cols));
  const pw = 400, ph = 240;
  const r = new Raster(cols * pw, rows * ph);
  groups.forEach((group, gi) => {
    const ox = (gi % cols) * pw, oy = Math.floor(gi / cols) * ph;
    const metrics = s.metrics.filter((m) => m.group === group);
    const useEpochs = s.series.epoch.step.length >= 2;
    const series = useEpochs ? s.series.epoch : s.series.batch;
    const lines = metrics.map((m) => ({ m, ys: series.values[m.key] ?? [] })).filter((l) => l.ys.some((v) => v !== null));
    const all = lines.flatMap((l) => l.ys.filter((v): v is number => v !== null));
    const x0 = ox + 64, y0 = oy + 30, w = pw - 84, h = ph - 60;
    r.text(x0, oy + 6, group, INK, 3);
    let lx = x0 + Raster.textWidth(group, 3) + 16;
    for (const l of lines) {
      const c = l.m.split === "val" ? VAL_RGB : TRAIN_RGB;
      r.rect(lx, oy + 11, 10, 3, c);
      lx += 14 + r.text(lx + 14, oy + 7, l.m.key, c, 2) + 10;
    }
    r.line(x0, y0 + h, x0 + w, y0 + h, INK);
    r.line(x0, y0, x0, y0 + h, INK);
    if (!all.length || !series.step.length) return;
    let lo = Math.min(...all), hi = Math.max(...all);
    if (lo === hi) { lo -= 0.5; hi += 0.5; }
    const xs = series.step, xlo = xs[0], xhi = xs[xs.length - 1] === xlo ? xlo + 1 : xs[xs.length - 1];
    for (let k = 1; k <= 3; k++) r.line(x0 + 1, y0 + (h * k) / 4, x0 + w, y0 + (h * k) / 4, GRID);
    r.text(ox + 4, y0, fmt(hi), INK, 2);
    r.text(ox + 4, y0 + h - 10, fmt(lo), INK, 2);
    r.text(x0, y0 + h + 6, String(xlo), INK, 2);
    const xr = String(xs[xs.length - 1]);
    r.text(x0 + w - Raster.textWidth(xr), y0 + h + 6, xr, INK, 2);
    const axisName = useEpochs ? "epoch" : "step";
    r.text(x0 + w / 2 - Raster.textWidth(axisName) / 2, y0 + h + 6, axisName, INK, 2);
    const px = (x: number) => x0 + ((x - xlo) / (xhi - xlo)) * w;
    const py = (y: number) => y0 + h - ((y - lo) / (hi - lo)) * h;
    for (const l of lines) {
      const c = l.m.split === "val" ? VAL_RGB : TRAIN_RGB;
      let prev: [number, number] | undefined;
      l.ys.forEach((v, i) => {
        if (v === null) { prev = undefined; return; }
        const pt: [number, number] = [px(xs[i]), py(v)];
        if (prev) r.line(prev[0], prev[1], pt[0], pt[1], c, 2);
        else r.rect(pt[0] - 1, pt[1] - 1, 3, 3, c);
        prev = pt;
      });
    }
  });
  return r.toPngBase64();
}
