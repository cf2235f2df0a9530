/**
 * Perturbation maps: occlusion (slide a window of reference values over the input; each element gets
 * the mean drop in f over the windows covering it) and feature ablation (remove one feature group
 * at a time). All perturbed copies go through the model in budget-sized batches.
 */
import * as tf from "@tensorflow/tfjs";
import { evaluateRows } from "./batching";
import { begin, type CommonOptions } from "./common";
import { Explanation } from "./explanation";
import { groupsOf, referenceOf, type FeatureOptions, type ReferenceOptions } from "./features";
import { explainRows } from "./game";
import type { Model } from "./model";

export interface OcclusionOptions extends CommonOptions {
  /** Window shape over one row's axes, e.g. [4, 4, 3] for images (default: a quarter of each spatial axis, all channels). */
  window?: number[];
  /** Step between windows per axis (default: the window, no overlap). Windows are cut at the border. */
  strides?: number[];
  /** What an occluded element becomes: a number, or one row (default 0). */
  baseline?: number | tf.Tensor;
}

export async function occlusionImpl(model: Model, input: tf.Tensor, options: OcclusionOptions = {}): Promise<Explanation> {
  const method = "occlusion";
  const s = begin(method, model, input, options, false);
  const shape = s.rowShape;
  const window = options.window ?? shape.map((d, i) => (input.rank === 4 && i === 2 ? d : Math.max(1, Math.ceil(d / 4))));
  const strides = options.strides ?? window;
  if (window.length !== shape.length || strides.length !== shape.length) {
    throw new Error(`${method}: window [${window}] and strides [${strides}] need one entry per row axis (row shape [${shape}]).`);
  }
  const reference = referenceOf(input, { baseline: options.baseline }, method);
  // Window start positions per axis, then their cartesian product.
  const starts = shape.map((d, a) => Array.from({ length: Math.ceil(d / strides[a]) }, (_, k) => k * strides[a]).filter((p) => p < d));
  let positions: number[][] = [[]];
  for (const axis of starts) positions = positions.flatMap((p) => axis.map((q) => [...p, q]));
  const axisStride = shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));
  const covered = (pos: number[], flat: number): boolean => {
    for (let a = 0; a < shape.length; a++) {
      const c = Math.floor(flat / axisStride[a]) % shape[a];
      if (c < pos[a] || c >= pos[a] + window[a]) return false;
    }
    return true;
  };
  const n = input.shape[0];
  const d = s.rowSize;
  const x = input.dataSync();
  const out = new Float32Array(n * d);
  const counts = new Float32Array(d);
  for (const pos of positions) for (let i = 0; i < d; i++) if (covered(pos, i)) counts[i]++;
  for (let r = 0; r < n; r++) {
    const ref = reference.rows(r);
    const row = x.subarray(r * d, (r + 1) * d);
    evaluateRows(s.f, shape, positions.length, s.targets[r], s.rows, s.meter,
      (start, count, buffer) => {
        for (let j = 0; j < count; j++) {
          const pos = positions[start + j];
          for (let i = 0; i < d; i++) buffer[j * d + i] = covered(pos, i) ? ref[i] : row[i];
        }
      },
      (start, scores) => {
        scores.forEach((score, j) => {
          const drop = s.prediction[r] - score;
          const pos = positions[start + j];
          for (let i = 0; i < d; i++) if (covered(pos, i)) out[r * d + i] += drop / counts[i];
        });
      });
  }
  return new Explanation({
    method, modality: s.modality, input, attributions: tf.tensor(out, input.shape), targets: s.targets, prediction: s.prediction,
    baseValue: null, gap: null, evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(), tokens: options.tokens,
    details: { window, strides, windows: positions.length, reference: reference.describe }, display: options.display,
  });
}

export interface FeatureAblationOptions extends CommonOptions, FeatureOptions, ReferenceOptions {}

export async function featureAblationImpl(model: Model, input: tf.Tensor, options: FeatureAblationOptions = {}): Promise<Explanation> {
  const method = "featureAblation";
  const s = begin(method, model, input, options, false);
  const groups = groupsOf(input, options, method);
  const reference = referenceOf(input, options, method);
  const m = groups.count;
  return explainRows(method, input, s, groups, reference, (game) => {
    // Full row, each feature removed alone, and all removed (for the base value and the gap).
    const masks = [new Uint8Array(m).fill(1), new Uint8Array(m)];
    for (let g = 0; g < m; g++) {
      const mask = new Uint8Array(m).fill(1);
      mask[g] = 0;
      masks.push(mask);
    }
    const v = game.values(masks);
    return { phi: Array.from({ length: m }, (_, g) => v[0] - v[g + 2]), base: v[1] };
  }, () => ({}));
}
