/**
 * tf.Tensor → application/vnd.glassbox.tensor.v1+json (schema: docs/mime/tensor.v1.md),
 * with text/plain always and image/png when the suggested view is a picture, so a notebook
 * opened without the extension still shows something useful.
 */
import type * as tfjs from "@tensorflow/tfjs";
import { NON_FINITE_RGB, viridis } from "./colormap";
import type { DisplayPayload, Formatter } from "./mime";
import { TENSOR_MIME, type ImageLayout, type PreviewValue, type TensorPayloadV1, type TensorStats, type TensorView } from "./payloads";
import { Raster } from "./raster";
import { formatNumber as formatLocalNumber, t } from "../i18n";

export { TENSOR_MIME } from "./payloads";
export type { ImageLayout, PreviewValue, TensorPayloadV1, TensorStats, TensorView } from "./payloads";

export interface TensorFormatOptions {
  /** Most elements carried in `data`; larger tensors are strided down to fit. */
  maxDataElements: number;
  edgeItems: number;
  /** Summarize the preview when the tensor has more elements than this (numpy's default). */
  threshold: number;
}

export const tensorFormatDefaults: TensorFormatOptions = { maxDataElements: 1 << 18, edgeItems: 3, threshold: 1000 };

type Numeric = Float32Array | Int32Array | Uint8Array;

// ---------- statistics ----------

export function tensorStats(values: ArrayLike<number>): TensorStats {
  let min = Infinity, max = -Infinity, sum = 0, finite = 0, zeros = 0, nan = 0, posInf = 0, negInf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) nan++;
    else if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
    else {
      finite++;
      if (v === 0) zeros++;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
  }
  if (finite === 0) return { min: null, max: null, mean: null, std: null, finite, zeros, nan, posInf, negInf };
  const mean = sum / finite;
  let sq = 0; // second pass: numerically stabler than E[x²]−E[x]²
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) sq += (v - mean) * (v - mean);
  }
  return { min, max, mean, std: Math.sqrt(sq / finite), finite, zeros, nan, posInf, negInf };
}

/** Fixed bins over the finite values; integer data with a small range gets one bin per integer. */
export function histogram(values: ArrayLike<number>, stats: TensorStats, integer: boolean, maxBins = 30): { edges: number[]; counts: number[] } | null {
  if (stats.min === null || stats.max === null) return null;
  const { min, max } = stats;
  let lo: number, width: number, bins: number;
  if (integer && max - min + 1 <= 50) {
    lo = min - 0.5; width = 1; bins = max - min + 1;
  } else if (min === max) {
    lo = min - 0.5; width = 1; bins = 1;
  } else {
    bins = Math.max(1, Math.min(maxBins, Math.ceil(Math.sqrt(stats.finite))));
    lo = min; width = (max - min) / bins;
  }
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts };
}

// ---------- preview (numpy-style summarization) ----------

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = s; s *= shape[i]; }
  return strides;
}

function previewCell(v: number | string | boolean, dtype: string): PreviewValue {
  if (dtype === "bool") return v === 1 || v === true;
  if (typeof v === "number" && !Number.isFinite(v)) return v !== v ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return v;
}

export function previewValues(get: (flat: number) => number | string | boolean, shape: readonly number[], dtype: string, summarize: boolean, edgeItems: number): PreviewValue {
  const strides = rowMajorStrides(shape);
  const walk = (axis: number, offset: number): PreviewValue => {
    if (axis === shape.length) return previewCell(get(offset), dtype);
    const n = shape[axis];
    const out: PreviewValue[] = [];
    const elide = summarize && n > 2 * edgeItems;
    for (let i = 0; i < n; i++) {
      if (elide && i === edgeItems) { out.push(null); i = n - edgeItems - 1; continue; }
      out.push(walk(axis + 1, offset + i * strides[axis]));
    }
    return out;
  };
  return walk(0, 0);
}

function formatNumber(v: number, integer: boolean): string {
  if (!Number.isFinite(v)) return v !== v ? "nan" : v > 0 ? "inf" : "-inf";
  if (integer) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-4)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

/** numpy-like nested text: columns aligned, `...` for elided runs, blank lines between 2-D blocks. */
export function previewText(values: PreviewValue, dtype: string): string {
  const integer = dtype === "int32";
  const cells: string[] = [];
  const cell = (v: PreviewValue): string => {
    if (v === null) return "...";
    if (typeof v === "string") return dtype === "string" ? JSON.stringify(v) : v === "NaN" ? "nan" : v === "Infinity" ? "inf" : v === "-Infinity" ? "-inf" : v;
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return formatNumber(v, integer);
    return "";
  };
  const collect = (v: PreviewValue): void => { if (Array.isArray(v)) v.forEach(collect); else cells.push(cell(v)); };
  collect(values);
  const width = Math.max(0, ...cells.map((c) => c.length));
  const depthOf = (v: PreviewValue): number => (Array.isArray(v) ? 1 + (v.length ? Math.max(...v.map(depthOf)) : 0) : 0);
  const render = (v: PreviewValue, indent: number): string => {
    if (!Array.isArray(v)) return cell(v).padStart(width);
    const depth = depthOf(v);
    if (depth <= 1) return "[" + v.map((x) => (x === null ? "...".padStart(width) : render(x, indent + 1))).join(", ") + "]";
    const sep = ",\n" + "\n".repeat(Math.max(0, depth - 2)) + " ".repeat(indent + 1);
    return "[" + v.map((x) => (x === null ? "..." : render(x, indent + 1))).join(sep) + "]";
  };
  return render(values, 0);
}

// ---------- downsampled data ----------

/** Per-axis strides so the sampled tensor has at most `cap` elements; the longest axis gives first. */
export function sampleStrides(shape: readonly number[], cap: number): number[] {
  const strides = shape.map(() => 1);
  const len = (i: number) => Math.ceil(shape[i] / strides[i]);
  const count = () => shape.reduce((p, _, i) => p * len(i), 1);
  while (count() > cap) {
    let axis = 0;
    for (let i = 1; i < shape.length; i++) if (len(i) > len(axis)) axis = i;
    if (len(axis) <= 1) break;
    // Jump close to the needed stride at once, so huge tensors don't loop per unit.
    const need = Math.max(strides[axis] + 1, Math.floor(strides[axis] * Math.pow(count() / cap, 1 / shape.filter((_, i) => len(i) > 1).length)));
    strides[axis] = Math.min(need, shape[axis]);
  }
  return strides;
}

function gather(values: Numeric, shape: readonly number[], strides: readonly number[]): { out: Numeric; shape: number[] } {
  const outShape = shape.map((n, i) => Math.ceil(n / strides[i]));
  const size = outShape.reduce((p, n) => p * n, 1);
  const out = new (values.constructor as new (n: number) => Numeric)(size);
  const src = rowMajorStrides(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < size; k++) {
    let off = 0;
    for (let a = 0; a < shape.length; a++) off += idx[a] * strides[a] * src[a];
    out[k] = values[off];
    for (let a = shape.length - 1; a >= 0; a--) { if (++idx[a] < outShape[a]) break; idx[a] = 0; }
  }
  return { out, shape: outShape };
}

function toLittleEndianBase64(values: Numeric): string {
  const bytes = new Uint8Array(values.length * values.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  if (values instanceof Float32Array) for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  else if (values instanceof Int32Array) for (let i = 0; i < values.length; i++) view.setInt32(i * 4, values[i], true);
  else bytes.set(values);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

// ---------- view suggestion ----------

export function imageLayout(shape: readonly number[]): ImageLayout | undefined {
  const big = (n: number) => n >= 4;
  if (shape.length === 2 && big(shape[0]) && big(shape[1])) return "HW";
  if (shape.length === 3) {
    const [a, b, c] = shape;
    if ([1, 3, 4].includes(c) && big(a) && big(b)) return "HWC";
    if (c > 4 && a === b && big(a)) return "HWC"; // feature maps [H,W,C]: one tile per channel
    if (big(b) && big(c)) return "NHW";
  }
  if (shape.length === 4 && big(shape[1]) && big(shape[2])) return "NHWC";
  return undefined;
}

function valueRange(stats: TensorStats): [number, number] {
  const { min, max } = stats;
  if (min === null || max === null) return [0, 1];
  if (min >= 0 && max <= 1) return [0, 1];
  if (min >= 0 && max <= 255) return [0, 255];
  return [min, max];
}

function suggestView(shape: readonly number[], size: number, dtype: string, layout: ImageLayout | undefined): TensorPayloadV1["view"] {
  if (dtype === "string" || dtype === "complex64") return { default: "table", available: ["table"] };
  const available: TensorView[] = ["table"];
  if (shape.length >= 2) available.push("heatmap");
  if (layout) available.push("image");
  available.push("histogram");
  let view: TensorView;
  if (shape.length <= 1) view = size <= 1000 ? "table" : "histogram";
  else if (shape.length === 2) view = Math.min(shape[0], shape[1]) >= 8 ? "heatmap" : "table";
  else if (layout && layout !== "HW") view = "image";
  else view = size <= 200 ? "table" : "histogram";
  return { default: view, available, ...(layout ? { layout } : {}) };
}

// ---------- PNG fallback ----------

function heatmapPng(values: Numeric, shape: readonly number[], lo: number, hi: number): string {
  const h = shape[shape.length - 2], w = shape[shape.length - 1];
  const rgb = new Uint8Array(w * h * 3);
  const span = hi - lo || 1;
  for (let i = 0; i < w * h; i++) {
    const v = values[i];
    const c = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255))) : -1;
    if (c < 0) rgb.set(NON_FINITE_RGB, i * 3);
    else rgb.set(viridis.subarray(c * 3, c * 3 + 3), i * 3);
  }
  const scale = Math.max(1, Math.floor(320 / Math.max(w, h)));
  const r = new Raster(w * scale, h * scale);
  r.blit(rgb, w, h, 0, 0, scale);
  return r.toPngBase64();
}

/** Tiles (one per batch item, and per channel unless C is 1/3/4) laid out in a grid, at most 16. */
function imagePng(values: Numeric, shape: readonly number[], layout: ImageLayout, range: [number, number]): string {
  const full = layout === "HW" ? [1, shape[0], shape[1], 1] : layout === "HWC" ? [1, ...shape] : layout === "NHW" ? [...shape, 1] : [...shape];
  const [n, h, w, c] = full;
  const colour = c === 3 || c === 4;
  const tiles: Array<{ item: number; channel: number }> = [];
  for (let i = 0; i < n && tiles.length < 16; i++) {
    if (colour || c === 1) tiles.push({ item: i, channel: -1 });
    else for (let ch = 0; ch < c && tiles.length < 16; ch++) tiles.push({ item: i, channel: ch });
  }
  const cols = Math.ceil(Math.sqrt(tiles.length));
  const rows = Math.ceil(tiles.length / cols);
  const scale = Math.max(1, Math.floor(Math.min(256, 768 / cols) / Math.max(w, h)));
  const gap = 6;
  const r = new Raster(cols * (w * scale + gap) - gap, rows * (h * scale + gap) - gap);
  const span = range[1] - range[0] || 1;
  const byte = (v: number) => (Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(((v - range[0]) / span) * 255))) : 0);
  tiles.forEach((t, k) => {
    const rgb = new Uint8Array(w * h * 3);
    for (let p = 0; p < w * h; p++) {
      const base = (t.item * h * w + p) * c;
      if (colour) for (let ch = 0; ch < 3; ch++) rgb[p * 3 + ch] = byte(values[base + ch]);
      else rgb.fill(byte(values[base + Math.max(0, t.channel)]), p * 3, p * 3 + 3);
    }
    r.blit(rgb, w, h, (k % cols) * (w * scale + gap), Math.floor(k / cols) * (h * scale + gap), scale);
  });
  return r.toPngBase64();
}

// ---------- the formatter ----------

function summaryLine(t: { dtype: string; shape: number[]; size: number }, backend: string, stats: TensorStats | null, name?: string): string {
  const head = `Tensor${name ? ` ${name}` : ""} ${t.dtype}[${t.shape.join(",")}] ${backend}`;
  if (!stats) return `${head} n=${t.size}`;
  const f = (v: number | null) => (v === null ? "–" : formatNumber(v, t.dtype !== "float32"));
  const parts = [head, stats.min === null ? "no finite values" : `x∈[${f(stats.min)}, ${f(stats.max)}] μ=${f(Number(stats.mean?.toPrecision(4)))} σ=${f(Number(stats.std?.toPrecision(4)))}`];
  if (stats.zeros === t.size && t.size > 0) parts.push("all zeros");
  if (stats.nan) parts.push(`NaN×${stats.nan}`);
  if (stats.posInf) parts.push(`+Inf×${stats.posInf}`);
  if (stats.negInf) parts.push(`-Inf×${stats.negInf}`);
  return parts.join(" ");
}

export function formatTensor(tf: typeof tfjs, tensor: tfjs.Tensor, options: Partial<TensorFormatOptions> = {}): DisplayPayload {
  const opts = { ...tensorFormatDefaults, ...options };
  const { dtype, size } = tensor;
  const shape = tensor.shape.slice();
  const backend = tf.getBackend() ?? "unknown";
  const name = tensor instanceof tf.Variable ? tensor.name : undefined;
  const raw = tensor.dataSync() as unknown as Numeric | string[] | Uint8Array[];
  const summarize = size > opts.threshold;

  let stats: TensorStats | null = null;
  let hist: TensorPayloadV1["histogram"] = null;
  let data: TensorPayloadV1["data"] = null;
  let preview: PreviewValue;
  let png: string | undefined;
  let sampledValues: Numeric | undefined;

  if (dtype === "string") {
    const strings = (raw as Array<string | Uint8Array>).map((s) => (typeof s === "string" ? s : Buffer.from(s).toString("utf8")));
    preview = previewValues((i) => strings[i], shape, dtype, summarize, opts.edgeItems);
  } else if (dtype === "complex64") {
    const f = raw as Float32Array; // interleaved re, im
    preview = previewValues((i) => `${formatNumber(f[2 * i], false)}${f[2 * i + 1] < 0 ? "-" : "+"}${formatNumber(Math.abs(f[2 * i + 1]), false)}j`, shape, "string", summarize, opts.edgeItems);
  } else {
    const values = raw as Numeric;
    stats = tensorStats(values);
    hist = histogram(values, stats, dtype !== "float32");
    preview = previewValues((i) => values[i], shape, dtype, summarize, opts.edgeItems);
    const strides = sampleStrides(shape, opts.maxDataElements);
    const downsampled = strides.some((s) => s > 1);
    const sampled = downsampled ? gather(values, shape, strides) : { out: values, shape };
    sampledValues = sampled.out;
    data = {
      dtype: dtype === "bool" ? "uint8" : (dtype as "float32" | "int32"),
      shape: sampled.shape,
      strides,
      downsampled,
      ...(downsampled ? { note: t("tensor.downsampled", { stride: strides.join("×"), shape: sampled.shape.join(","), full: shape.join(","), size: formatLocalNumber(size) }) } : {}),
      encoding: "base64",
      byteOrder: "little",
      bytes: toLittleEndianBase64(sampled.out),
    };
  }

  const layout = stats ? imageLayout(shape) : undefined;
  const view = suggestView(shape, size, dtype, layout);
  if (stats && layout) view.valueRange = valueRange(stats);
  if (stats && data && sampledValues && stats.min !== null && stats.max !== null) {
    // Pictures are drawn from the (possibly downsampled) data, which bounds their cost.
    if (view.default === "heatmap") png = heatmapPng(sampledValues, data.shape, stats.min, stats.max);
    else if (view.default === "image" && layout) png = imagePng(sampledValues, data.shape, layout, view.valueRange ?? [stats.min, stats.max]);
  }

  const payload: TensorPayloadV1 = {
    version: 1, ...(name ? { name } : {}), dtype, shape, backend, size, stats, histogram: hist,
    preview: { edgeItems: opts.edgeItems, threshold: opts.threshold, summarized: summarize, values: preview },
    data, view,
  };
  const text = `${summaryLine({ dtype, shape, size }, backend, stats, name)}\n${previewText(preview, dtype === "complex64" ? "string" : dtype)}`;
  return { data: { [TENSOR_MIME]: payload, "text/plain": text, ...(png ? { "image/png": png } : {}) }, metadata: {} };
}

export function tensorFormatter(tf: typeof tfjs, options: () => Partial<TensorFormatOptions> = () => ({})): Formatter {
  return (value) => {
    if (!(value instanceof tf.Tensor)) return undefined;
    if (value.isDisposed) return { data: { "text/plain": `Tensor ${value.dtype}[${value.shape.join(",")}] (disposed)` }, metadata: {} };
    return formatTensor(tf, value, options());
  };
}
