/**
 * The result every method returns: attributions plus the diagnostics that say how far from exact
 * they are, and a display form (the explanation MIME bundle) for when it is a cell's value.
 * The JSON schema is documented in docs/mime/explanation.v1.md.
 */
import * as tf from "@tensorflow/tfjs";
import type { Modality } from "./features";
import { EXPLANATION_MIME, type ExplanationPayloadV1 } from "../display/payloads";
import { pngBase64 } from "../display/png";
import { barsPng, imagePng } from "./picture";

export { EXPLANATION_MIME } from "../display/payloads";
/** Rows of a batch that the display carries (all rows stay in `attributions`). */
const MAX_DISPLAY_ROWS = 8;

export interface DisplayHints {
  /** Which attributions to show: signed, only positive, only negative, or magnitudes. */
  sign?: "all" | "positive" | "negative" | "absolute";
  /** Image overlay: heatmap blended over the image, or the image masked by attribution strength. */
  overlay?: "blended" | "masked" | "heatmap";
  /** Percentile of |attribution| that maps to the end of the colour scale (default 99). */
  clipPercentile?: number;
  /** shap: red = raises the score, blue = lowers it; captum: green = raises, red = lowers. */
  colorConvention?: "shap" | "captum";
  /** Features shown in bar/waterfall plots before the rest are summed into one bar (default 10). */
  maxDisplay?: number;
}

export interface ExplanationInit {
  method: string;
  modality: Modality;
  input: tf.Tensor;
  attributions: tf.Tensor;
  targets: number[];
  prediction: number[];
  baseValue: number[] | null;
  gap: number[] | null;
  evaluations: number;
  batches: number;
  ms: number;
  seed?: number;
  /** Per-row attribution of each feature group, for methods that switch features on and off. */
  features?: { names: string[]; values: number[][] };
  tokens?: string[];
  /** Method settings and extra results (steps, rule, samples, reference, layer, intercept, r2…). */
  details?: Record<string, unknown>;
  display?: DisplayHints;
}

export class Explanation {
  /** Method name, e.g. "integratedGradients". */
  readonly method: string;
  readonly modality: Modality;
  /** Attributions shaped like the input, or like the layer map [N, h, w] for Grad-CAM. */
  readonly attributions: tf.Tensor;
  /** The explained output index of each row. */
  readonly target: number[];
  /** f(x): the target score of each row. */
  readonly prediction: number[];
  /** f(baseline), or E[f(background)], per row; null where the method has no reference point. */
  readonly baseValue: number[] | null;
  /**
   * Per row: Σ attributions − (f(x) − baseValue). Zero for an exact additive explanation; null
   * where the method makes no completeness claim (saliency, Grad-CAM, guided backprop, occlusion).
   */
  readonly gap: number[] | null;
  /** Input rows the model evaluated (forward or forward + backward), over `batches` model calls. */
  readonly evaluations: number;
  readonly batches: number;
  /** Wall time in milliseconds. */
  readonly ms: number;
  /** The seed of the sampling methods (undefined for deterministic ones). */
  readonly seed: number | undefined;
  /** Per-feature attributions (names, and values per row) for methods that work on feature groups. */
  readonly features: { names: string[]; values: number[][] } | undefined;
  readonly details: Record<string, unknown>;
  readonly display: DisplayHints;
  readonly input: tf.Tensor;
  readonly tokens: string[] | undefined;

  constructor(init: ExplanationInit) {
    this.method = init.method;
    this.modality = init.modality;
    this.input = tf.keep(init.input.clone());
    this.attributions = tf.keep(init.attributions);
    this.target = init.targets;
    this.prediction = init.prediction;
    this.baseValue = init.baseValue;
    this.gap = init.gap;
    this.evaluations = init.evaluations;
    this.batches = init.batches;
    this.ms = init.ms;
    this.seed = init.seed;
    this.features = init.features;
    this.tokens = init.tokens;
    this.details = init.details ?? {};
    this.display = init.display ?? {};
  }

  /** Largest |gap| relative to |f(x) − baseValue| over the rows (NaN when there is no gap). */
  relativeGap(): number {
    if (!this.gap || !this.baseValue) return Number.NaN;
    let worst = 0;
    this.gap.forEach((g, r) => {
      const scale = Math.max(Math.abs(this.prediction[r] - (this.baseValue as number[])[r]), 1e-12);
      worst = Math.max(worst, Math.abs(g) / scale);
    });
    return worst;
  }

  /** Frees the tensors it holds. */
  dispose(): void {
    this.attributions.dispose();
    this.input.dispose();
  }

  /** The application/vnd.glassbox.explanation.v1+json document (see docs/mime/explanation.v1.md). */
  toJSON(): ExplanationPayloadV1 {
    const n = Math.min(this.input.shape[0], MAX_DISPLAY_ROWS);
    const rows = Array.from({ length: n }, (_, r) => ({
      target: this.target[r],
      prediction: this.prediction[r],
      baseValue: this.baseValue ? this.baseValue[r] : null,
      gap: this.gap ? this.gap[r] : null,
    }));
    const doc: ExplanationPayloadV1 = {
      version: 1,
      method: this.method,
      modality: this.modality,
      rowCount: this.input.shape[0],
      rows,
      display: {
        sign: "all",
        overlay: "blended",
        clipPercentile: 99,
        colorConvention: "shap",
        maxDisplay: 10,
        plots: this.modality === "image" ? ["overlay"] : this.modality === "text" ? ["tokens", "bar"] : this.baseValue ? ["waterfall", "bar", "force"] : ["bar"],
        ...this.display,
      },
      diagnostics: { evaluations: this.evaluations, batches: this.batches, ms: round(this.ms), seed: this.seed ?? null, ...this.details },
    };
    if (this.modality === "image") doc.image = this.imageDoc(n);
    else {
      const { names, values } = this.featureTable(n);
      if (this.modality === "text") doc.text = { tokens: Array.from({ length: n }, () => names), attributions: values.map((v) => v.map(round)) };
      else doc.features = { names, values: this.featureValues(n, names.length), attributions: values.map((v) => v.map(round)) };
    }
    return doc;
  }

  /** Per-row, per-feature attributions: the groups if any, else the input's elements. */
  featureTable(n: number): { names: string[]; values: number[][] } {
    if (this.features) return { names: this.features.names, values: this.features.values.slice(0, n) };
    const att = this.attributions;
    const per = att.size / att.shape[0];
    const flat = att.dataSync();
    // Sequences [N, T, E]: one value per position (summed over the embedding).
    if (att.rank === 3 && this.modality === "text") {
      const [t, e] = att.shape.slice(1) as [number, number];
      const values = Array.from({ length: n }, (_, r) => Array.from({ length: t }, (_, i) => sumRange(flat, r * per + i * e, e)));
      return { names: this.tokens ?? Array.from({ length: t }, (_, i) => `t${i}`), values };
    }
    const values = Array.from({ length: n }, (_, r) => Array.from(flat.subarray(r * per, (r + 1) * per)));
    return { names: Array.from({ length: per }, (_, i) => `x${i}`), values };
  }

  private featureValues(n: number, m: number): (number | null)[][] | null {
    if (this.input.rank !== 2 || this.input.shape[1] !== m) return null;
    const flat = this.input.dataSync();
    return Array.from({ length: n }, (_, r) => Array.from(flat.subarray(r * m, (r + 1) * m)).map(round));
  }

  /** Channel-summed attribution maps at input resolution, and the input images as PNG. */
  imageMaps(n: number): { height: number; width: number; channels: number; maps: Float32Array[]; pixels: (Uint8Array | null)[] } {
    const [h, w] = this.input.shape.slice(1) as [number, number];
    const channels = this.input.rank === 4 ? (this.input.shape[3] as number) : 1;
    const maps = tf.tidy(() => {
      let a = this.attributions;
      if (a.rank === 3 && (a.shape[1] !== h || a.shape[2] !== w)) {
        // A layer map (Grad-CAM): upsample to the image for the overlay.
        a = tf.image.resizeBilinear(a.expandDims(3) as tf.Tensor4D, [h, w]).squeeze([3]);
      }
      if (a.rank === 4) a = tf.sum(a, 3);
      const data = a.slice(0, n).dataSync() as Float32Array;
      return Array.from({ length: n }, (_, r) => data.slice(r * h * w, (r + 1) * h * w));
    });
    const img = this.input.dataSync();
    const pixels = Array.from({ length: n }, (_, r) => {
      if (channels !== 1 && channels !== 3) return null;
      const part = img.subarray(r * h * w * channels, (r + 1) * h * w * channels);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of part) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const bytes = new Uint8Array(part.length);
      for (let i = 0; i < part.length; i++) bytes[i] = hi > lo ? Math.round((255 * (part[i] - lo)) / (hi - lo)) : 0;
      return bytes;
    });
    return { height: h, width: w, channels, maps, pixels };
  }

  private imageDoc(n: number): ExplanationPayloadV1["image"] {
    const { height, width, channels, maps, pixels } = this.imageMaps(n);
    return {
      height,
      width,
      layerShape: this.attributions.rank === 3 && this.attributions.shape[1] !== height ? this.attributions.shape.slice(1) : null,
      pixels: pixels.map((p) => (p ? { mime: "image/png", base64: pngBase64(p, width, height, channels as 1 | 3) } : null)),
      attributions: maps.map((m) => Array.from(m, round)),
    };
  }

  /** Top-k features (or strongest pixels) of the first rows, as text. */
  toString(k = 10): string {
    const n = Math.min(this.input.shape[0], 3);
    const lines: string[] = [];
    for (let r = 0; r < n; r++) {
      const head = [`${this.method}`, `target ${this.target[r]}`, `f(x) = ${fmt(this.prediction[r])}`];
      if (this.baseValue) head.push(`base ${fmt(this.baseValue[r])}`);
      if (this.gap) head.push(`gap ${fmt(this.gap[r])}`);
      lines.push((this.input.shape[0] > 1 ? `row ${r}: ` : "") + head.join(" · "));
      if (this.modality === "image" && !this.features) {
        const { width, maps } = this.imageMaps(r + 1);
        const map = maps[r];
        const order = Array.from(map.keys()).sort((a, b) => Math.abs(map[b]) - Math.abs(map[a])).slice(0, k);
        for (const i of order) lines.push(`  ${sign(map[i])}  pixel (${Math.floor(i / width)}, ${i % width})`);
      } else {
        const { names, values } = this.featureTable(r + 1);
        const row = values[r];
        const inputs = this.featureValues(r + 1, names.length);
        const order = Array.from(row.keys()).sort((a, b) => Math.abs(row[b]) - Math.abs(row[a])).slice(0, k);
        for (const i of order) lines.push(`  ${sign(row[i])}  ${names[i]}${inputs ? ` = ${fmt(inputs[r][i] as number)}` : ""}`);
        if (row.length > k) lines.push(`  … ${row.length - k} more`);
      }
    }
    lines.push(`${this.evaluations} evaluations in ${this.batches} model calls, ${round(this.ms)} ms`);
    return lines.join("\n");
  }

  /** The MIME bundle a notebook shows: the explanation JSON, text, and a PNG fallback. */
  [Symbol.for("Jupyter.display")](): Record<string, unknown> {
    const doc = this.toJSON();
    const hints = doc.display as Required<DisplayHints>;
    const n = Math.min(this.input.shape[0], MAX_DISPLAY_ROWS);
    let png: string;
    if (this.modality === "image") {
      const { height, width, maps, pixels } = this.imageMaps(n);
      png = imagePng(maps, pixels, width, height, this.input.rank === 4 ? (this.input.shape[3] as number) : 1, hints);
    } else {
      png = barsPng(this.featureTable(n).values, hints);
    }
    return { [EXPLANATION_MIME]: doc, "text/plain": this.toString(), "image/png": png };
  }
}

function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : v;
}
function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v);
}
function sign(v: number): string {
  return ((v >= 0 ? "+" : "-") + fmt(Math.abs(v))).padStart(10);
}
function sumRange(a: ArrayLike<number>, start: number, count: number): number {
  let s = 0;
  for (let i = start; i < start + count; i++) s += a[i];
  return s;
}
