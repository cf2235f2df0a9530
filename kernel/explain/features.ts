/**
 * What the perturbation methods switch on and off: feature groups over the elements of one row
 * (columns of a table, tokens of a sequence, patches of an image), and the reference values a
 * switched-off feature takes (a baseline, or each row of a background set).
 */
import * as tf from "@tensorflow/tfjs";
import { slic } from "./segments";

import type { Modality } from "../display/payloads";

export type { Modality };

export interface FeatureOptions {
  /**
   * Group id (0..M-1) of each element of one row, shaped like a row (or flat). Elements of a group
   * are switched together. Default: columns for [N, F], positions for [N, T, E], a grid of patches
   * for [N, H, W, C].
   */
  featureMask?: tf.Tensor | number[];
  /** Patch size [height, width] of the default image grid (default: the image cut into 4 × 4 patches). */
  grid?: [number, number];
  /** Image features: grid patches (default) or SLIC superpixels of the image (one image per call). */
  segmentation?: "grid" | "superpixels";
  /** About how many superpixels to make (default 16). */
  segments?: number;
  /** Names of the features (groups), for plots and text. */
  featureNames?: string[];
  /** Tokens of a text row, one per position; makes the modality "text". */
  tokens?: string[];
  /** Overrides the modality guessed from the input rank. */
  modality?: Modality;
}

export interface ReferenceOptions {
  /** Value(s) a removed feature takes: a number, one row, or one row per input row. Default 0. */
  baseline?: number | tf.Tensor;
  /** Rows [B, ...] whose values removed features take in turn; the value of a coalition is the mean over them. */
  background?: tf.Tensor;
}

export function modalityOf(input: tf.Tensor, options: FeatureOptions): Modality {
  if (options.modality) return options.modality;
  if (options.tokens) return "text";
  if (input.rank === 4 || input.rank === 3 && options.grid) return "image";
  return input.rank === 3 ? "text" : "tabular";
}

export interface Groups {
  /** Group id of each flat element of a row. */
  ids: Int32Array;
  count: number;
  names: string[];
}

export function groupsOf(input: tf.Tensor, options: FeatureOptions, method: string): Groups {
  const rowShape = input.shape.slice(1);
  const size = rowShape.reduce((p, d) => p * d, 1);
  let ids: Int32Array;
  if (options.featureMask !== undefined) {
    const flat = options.featureMask instanceof tf.Tensor ? Array.from(options.featureMask.dataSync()) : options.featureMask.flat(Infinity as 1) as number[];
    if (flat.length !== size) throw new Error(`${method}: featureMask has ${flat.length} entries but one input row has ${size} elements (shape [${rowShape}]).`);
    ids = Int32Array.from(flat);
    const distinct = [...new Set(ids)].sort((a, b) => a - b);
    if (distinct.some((id, i) => id !== i)) throw new Error(`${method}: featureMask ids must be 0..M-1 with none missing; got ${distinct.slice(0, 12).join(", ")}${distinct.length > 12 ? ", …" : ""}.`);
  } else if (options.segmentation === "superpixels") {
    if (input.rank !== 4) throw new Error(`${method}: superpixels need images [N, height, width, channels]; the input has shape [${input.shape}].`);
    if (input.shape[0] !== 1) throw new Error(`${method}: superpixels are computed per image; explain one image at a time (input.slice(i, 1)) or use the grid.`);
    const [h, w, c] = rowShape;
    const segment = slic(input.dataSync(), h, w, c, options.segments ?? 16);
    ids = new Int32Array(size);
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) ids[p * c + k] = segment[p];
  } else if (input.rank === 2) {
    ids = Int32Array.from({ length: size }, (_, i) => i);
  } else if (input.rank === 3 && !options.grid) {
    const [t, e] = rowShape;
    ids = Int32Array.from({ length: size }, (_, i) => Math.floor(i / e) % t);
  } else if (input.rank === 4 || input.rank === 3) {
    const [h, w] = rowShape;
    const c = input.rank === 4 ? rowShape[2] : 1;
    const [ph, pw] = options.grid ?? [Math.ceil(h / 4), Math.ceil(w / 4)];
    const cols = Math.ceil(w / pw);
    ids = new Int32Array(size);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) ids[(y * w + x) * c + k] = Math.floor(y / ph) * cols + Math.floor(x / pw);
  } else {
    throw new Error(`${method}: no default feature groups for inputs of rank ${input.rank}; pass featureMask.`);
  }
  let count = 0;
  for (const id of ids) count = Math.max(count, id + 1);
  const kind = options.segmentation === "superpixels" ? "segment" : "patch";
  const names = options.featureNames ?? options.tokens ?? Array.from({ length: count }, (_, i) => (input.rank === 2 ? `x${i}` : input.rank === 3 && !options.grid ? `t${i}` : `${kind} ${i}`));
  if (names.length !== count) throw new Error(`${method}: got ${names.length} feature names for ${count} features.`);
  return { ids, count, names };
}

/** Reference rows per input row: background rows (shared) or a baseline row (per input row). */
export interface Reference {
  kind: "baseline" | "background";
  /** rows(r): the reference rows for input row r, flat, B × D. */
  rows(r: number): Float32Array;
  /** Number of reference rows B. */
  count: number;
  /** For display: "zeros", "baseline", or "background (B rows)". */
  describe: string;
}

export function referenceOf(input: tf.Tensor, options: ReferenceOptions, method: string): Reference {
  const rowShape = input.shape.slice(1);
  const d = rowShape.reduce((p, x) => p * x, 1);
  const n = input.shape[0];
  if (options.background !== undefined) {
    const bg = options.background;
    if (options.baseline !== undefined) throw new Error(`${method}: give either baseline or background, not both.`);
    if (bg.rank !== input.rank || bg.shape.slice(1).some((s, i) => s !== rowShape[i])) {
      throw new Error(`${method}: background has shape [${bg.shape}]; it must be rows shaped like the input rows, [B, ${rowShape}].`);
    }
    const data = bg.dataSync() as Float32Array;
    const rows = Float32Array.from(data);
    return { kind: "background", rows: () => rows, count: bg.shape[0], describe: `background (${bg.shape[0]} rows)` };
  }
  const b = options.baseline ?? 0;
  if (typeof b === "number") {
    const row = new Float32Array(d).fill(b);
    return { kind: "baseline", rows: () => row, count: 1, describe: b === 0 ? "zeros" : `baseline ${b}` };
  }
  const data = Float32Array.from(b.dataSync());
  if (data.length === d) return { kind: "baseline", rows: () => data, count: 1, describe: "baseline" };
  if (data.length === d * n) return { kind: "baseline", rows: (r) => data.subarray(r * d, (r + 1) * d), count: 1, describe: "baseline (per row)" };
  throw new Error(`${method}: baseline has shape [${b.shape}]; give a number, one row [${rowShape}], or one per input row [${n}, ${rowShape}].`);
}

/** The baseline as a tensor shaped like the input (gradient methods need a tensor path). */
export function baselineTensor(input: tf.Tensor, baseline: number | tf.Tensor | undefined, method: string): tf.Tensor {
  const b = baseline ?? 0;
  if (typeof b === "number") return tf.fill(input.shape, b);
  const rowShape = input.shape.slice(1);
  const d = rowShape.reduce((p, x) => p * x, 1);
  if (b.size === d) return tf.tidy(() => tf.broadcastTo(b.reshape([1, ...rowShape]), input.shape));
  if (b.size === d * input.shape[0]) return b.reshape(input.shape);
  throw new Error(`${method}: baseline has shape [${b.shape}]; give a number, one row [${rowShape}], or one per input row [${input.shape}].`);
}
