/**
 * Shapley values of the coalition game v(S) = E_b[f(x_S, b_S̄)]: exact enumeration of all 2^M
 * coalitions in one batched job, the closed form for linear models, and antithetic permutation
 * sampling (exact for models with at most pairwise interactions).
 */
import * as tf from "@tensorflow/tfjs";
import { gradients, scores } from "./batching";
import { begin, completenessGap, type CommonOptions } from "./common";
import { Explanation } from "./explanation";
import { groupsOf, referenceOf, type FeatureOptions, type ReferenceOptions } from "./features";
import { explainRows } from "./game";
import type { Model } from "./model";
import { createRng, DEFAULT_SEED } from "./random";

export interface ShapleyOptions extends CommonOptions, FeatureOptions, ReferenceOptions {}

export interface ExactShapleyOptions extends ShapleyOptions {
  /** Refuse jobs above this many model evaluations, 2^M × background rows × input rows (default 5,000,000). */
  maxEvaluations?: number;
}

/** |S|!(M−|S|−1)!/M! for |S| = 0..M−1. */
export function shapleyWeights(m: number): Float64Array {
  const w = new Float64Array(m);
  // Computed as 1 / (M · C(M−1, s)) to stay exact in float64 for large M.
  let binom = 1;
  for (let s = 0; s < m; s++) {
    w[s] = 1 / (m * binom);
    binom = (binom * (m - 1 - s)) / (s + 1);
  }
  return w;
}

export async function exactShapleyImpl(model: Model, input: tf.Tensor, options: ExactShapleyOptions = {}): Promise<Explanation> {
  const method = "exactShapley";
  const s = begin(method, model, input, options, false);
  const groups = groupsOf(input, options, method);
  const reference = referenceOf(input, options, method);
  const m = groups.count;
  const evaluations = 2 ** m * reference.count * input.shape[0];
  const limit = options.maxEvaluations ?? 5_000_000;
  if (evaluations > limit) {
    throw new Error(
      `${method}: ${m} features × ${reference.count} reference rows × ${input.shape[0]} input rows need 2^${m} × ${reference.count} × ${input.shape[0]} = ${evaluations.toLocaleString("en")} model evaluations, ` +
        `more than maxEvaluations (${limit.toLocaleString("en")}). Raise maxEvaluations, use fewer background rows, group features with featureMask, or use kernelShap / permutationShap.`,
    );
  }
  const weights = shapleyWeights(m);
  return explainRows(method, input, s, groups, reference, (game) => {
    const v = game.enumerate();
    const phi = new Float64Array(m);
    for (let c = 0; c < v.length; c++) {
      let size = 0;
      for (let i = 0; i < m; i++) size += (c >>> i) & 1;
      for (let i = 0; i < m; i++) if (!((c >>> i) & 1)) phi[i] += weights[size] * (v[c | (1 << i)] - v[c]);
    }
    return { phi, base: v[0] };
  }, () => ({ details: { coalitions: 2 ** m } }));
}

export interface PermutationShapOptions extends ShapleyOptions {
  /** Random permutations; each is walked forwards and backwards (default 10). */
  samples?: number;
  seed?: number;
}

export async function permutationShapImpl(model: Model, input: tf.Tensor, options: PermutationShapOptions = {}): Promise<Explanation> {
  const method = "permutationShap";
  const s = begin(method, model, input, options, false);
  const groups = groupsOf(input, options, method);
  const reference = referenceOf(input, options, method);
  const samples = options.samples ?? 10;
  const seed = options.seed ?? DEFAULT_SEED;
  const m = groups.count;
  return explainRows(method, input, s, groups, reference, (game, r) => {
    const rng = createRng(seed + r * 7919);
    const orders: number[][] = [];
    for (let p = 0; p < samples; p++) {
      const order = rng.permutation(m);
      orders.push(order, [...order].reverse());
    }
    // All prefix coalitions of all walks, valued in one cached batch.
    const masks: Uint8Array[] = [];
    for (const order of orders) {
      const mask = new Uint8Array(m);
      masks.push(mask.slice());
      for (const i of order) {
        mask[i] = 1;
        masks.push(mask.slice());
      }
    }
    const v = game.values(masks);
    const phi = new Float64Array(m);
    orders.forEach((order, o) => {
      const at = o * (m + 1);
      order.forEach((i, k) => (phi[i] += v[at + k + 1] - v[at + k]));
    });
    for (let i = 0; i < m; i++) phi[i] /= orders.length;
    return { phi, base: v[0] };
  }, () => ({ seed, details: { samples, walks: 2 * samples } }));
}

export async function linearShapImpl(model: Model, input: tf.Tensor, options: ShapleyOptions = {}): Promise<Explanation> {
  const method = "linearShap";
  const s = begin(method, model, input, options, true);
  const n = input.shape[0];
  const bg = options.background ?? (options.baseline instanceof tf.Tensor ? options.baseline.reshape([-1, ...s.rowShape]) : tf.fill([1, ...s.rowShape], options.baseline ?? 0));
  const mean = tf.mean(bg, 0, true);
  // For f(x) = w·x + c the gradient is w everywhere; take it at E[x].
  const meanRows = tf.tile(mean, [n, ...s.rowShape.map(() => 1)]);
  const grad = gradients(s.f, meanRows, s.targets, s.rows, s.meter);
  const attributions = tf.tidy(() => tf.mul(grad, tf.sub(input, mean)));
  const atMean = Array.from(scores(s.f, meanRows, s.targets, s.rows, s.meter));
  const base = s.targets.map((t) => {
    const v = scores(s.f, bg, new Array<number>(bg.shape[0]).fill(t), s.rows, s.meter);
    return v.reduce((p, q) => p + q, 0) / v.length;
  });
  const sums = tf.tidy(() => Array.from(tf.sum(attributions.reshape([n, -1]), 1).dataSync()));
  const gap = completenessGap(sums, s.prediction, base);
  tf.dispose([grad, mean, meanRows]);
  if (bg !== options.background) bg.dispose();
  // The closed form is only right for linear models: say so instead of returning wrong values.
  for (let r = 0; r < n; r++) {
    const scale = Math.max(Math.abs(s.prediction[r] - base[r]), Math.abs(s.prediction[r]), 1e-6);
    const bad = Math.max(Math.abs(gap[r]), Math.abs(atMean[r] - base[r]));
    if (bad > 1e-3 * scale) {
      attributions.dispose();
      throw new Error(`${method}: the model is not linear in its input (row ${r}: Σφ misses f(x) − E[f] by ${bad.toPrecision(3)}); use exactShapley, kernelShap or permutationShap.`);
    }
  }
  return new Explanation({
    method, modality: s.modality, input, attributions, targets: s.targets, prediction: s.prediction, baseValue: base, gap,
    evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(), tokens: options.tokens,
    details: { reference: options.background ? `background (${bg.shape[0]} rows)` : "baseline" }, display: options.display,
  });
}
