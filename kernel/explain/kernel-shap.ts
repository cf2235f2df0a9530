/**
 * KernelSHAP: Shapley values as the weighted least-squares fit of v over coalitions with the Shapley
 * kernel, efficiency as a hard constraint. All 2^M − 2 coalitions are used when the budget allows
 * (the result is then exact); otherwise whole subset sizes are enumerated while affordable and the
 * rest is sampled in complementary pairs. No feature selection or L1 penalty, ever.
 */
import type * as tf from "@tensorflow/tfjs";
import { begin } from "./common";
import type { Explanation } from "./explanation";
import { groupsOf, referenceOf } from "./features";
import { explainRows, type CoalitionGame } from "./game";
import type { Model } from "./model";
import { createRng, DEFAULT_SEED, type Rng } from "./random";
import { weightedLeastSquares } from "./regression";
import type { ShapleyOptions } from "./shapley";

export interface KernelShapOptions extends ShapleyOptions {
  /** Coalitions to evaluate besides the empty and full ones (default 2M + 2048). */
  samples?: number;
  seed?: number;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Shapley kernel weight of one coalition of size k out of m: (m−1) / (C(m,k)·k·(m−k)). */
export function shapleyKernel(m: number, k: number): number {
  return (m - 1) / (binomial(m, k) * k * (m - k));
}

/** Coalitions and regression weights: enumerate what the budget affords, sample the rest in pairs. */
export function kernelCoalitions(m: number, budget: number, rng: Rng): { masks: Uint8Array[]; weights: number[]; enumerated: boolean } {
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  if (m < 2) return { masks, weights, enumerated: true };
  if (2 ** m - 2 <= budget) {
    for (let c = 1; c < 2 ** m - 1; c++) {
      const mask = Uint8Array.from({ length: m }, (_, i) => (c >>> i) & 1);
      let k = 0;
      for (const b of mask) k += b;
      masks.push(mask);
      weights.push(shapleyKernel(m, k));
    }
    return { masks, weights, enumerated: true };
  }
  // Kernel mass of each size k (all C(m,k) coalitions together), normalised to 1.
  const mass = Array.from({ length: m }, (_, k) => (k === 0 ? 0 : (m - 1) / (k * (m - k))));
  const total = mass.reduce((p, q) => p + q, 0);
  for (let k = 1; k < m; k++) mass[k] /= total;
  let left = budget;
  let massLeft = 1;
  const done = new Set<number>();
  for (let k = 1; k <= Math.floor(m / 2); k++) {
    const sizes = k === m - k ? [k] : [k, m - k];
    const count = sizes.reduce((p, q) => p + binomial(m, q), 0);
    const share = sizes.reduce((p, q) => p + mass[q], 0);
    if (count > left * (share / massLeft)) break;
    for (const size of sizes) {
      for (const subset of subsetsOfSize(m, size)) {
        masks.push(subset);
        weights.push(mass[size] / binomial(m, size));
      }
      done.add(size);
    }
    left -= count;
    massLeft -= share;
  }
  const open = Array.from({ length: m - 1 }, (_, i) => i + 1).filter((k) => !done.has(k));
  const draws = Math.floor(left / 2);
  if (open.length > 0 && draws > 0) {
    const openMass = open.map((k) => mass[k]);
    const openTotal = openMass.reduce((p, q) => p + q, 0);
    const each = massLeft / (2 * draws);
    const seen = new Map<string, number>();
    const add = (mask: Uint8Array) => {
      const key = mask.join("");
      const at = seen.get(key);
      if (at !== undefined) weights[at] += each;
      else {
        seen.set(key, masks.length);
        masks.push(mask);
        weights.push(each);
      }
    };
    for (let d = 0; d < draws; d++) {
      let u = rng.next() * openTotal;
      let k = open[open.length - 1];
      for (let j = 0; j < open.length; j++) {
        u -= openMass[j];
        if (u <= 0) {
          k = open[j];
          break;
        }
      }
      const mask = new Uint8Array(m);
      for (const i of rng.permutation(m).slice(0, k)) mask[i] = 1;
      add(mask);
      add(mask.map((b) => 1 - b)); // the complement: paired sampling halves the variance
    }
  }
  return { masks, weights, enumerated: false };
}

function* subsetsOfSize(m: number, k: number): Generator<Uint8Array> {
  const idx = Array.from({ length: k }, (_, i) => i);
  while (true) {
    const mask = new Uint8Array(m);
    for (const i of idx) mask[i] = 1;
    yield mask;
    let i = k - 1;
    while (i >= 0 && idx[i] === m - k + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}

/**
 * φ minimising Σ w (v(z) − v(∅) − z·φ)² subject to Σφ = v(N) − v(∅), by eliminating the last
 * feature; shared with LIME's Shapley-kernel mode.
 */
export function constrainedShapleyFit(masks: Uint8Array[], weights: number[], values: Float64Array, empty: number, full: number, m: number, method: string): Float64Array {
  const delta = full - empty;
  if (m === 1) return Float64Array.of(delta);
  const p = m - 1;
  const x = new Float64Array(masks.length * p);
  const y = new Float64Array(masks.length);
  masks.forEach((z, j) => {
    for (let i = 0; i < p; i++) x[j * p + i] = z[i] - z[m - 1];
    y[j] = values[j] - empty - z[m - 1] * delta;
  });
  const beta = weightedLeastSquares(x, y, Float64Array.from(weights), p);
  if (!beta) throw new Error(`${method}: the coalitions sampled do not determine all ${m} values; raise samples.`);
  const phi = new Float64Array(m);
  let sum = 0;
  for (let i = 0; i < p; i++) {
    phi[i] = beta[i];
    sum += beta[i];
  }
  phi[m - 1] = delta - sum;
  return phi;
}

export function shapleyFromGame(game: CoalitionGame, masks: Uint8Array[], weights: number[], method: string): { phi: Float64Array; base: number } {
  const m = game.features;
  const ends = game.values([new Uint8Array(m), new Uint8Array(m).fill(1)]);
  const values = game.values(masks);
  return { phi: constrainedShapleyFit(masks, weights, values, ends[0], ends[1], m, method), base: ends[0] };
}

export async function kernelShapImpl(model: Model, input: tf.Tensor, options: KernelShapOptions = {}): Promise<Explanation> {
  const method = "kernelShap";
  const s = begin(method, model, input, options, false);
  const groups = groupsOf(input, options, method);
  const reference = referenceOf(input, options, method);
  const m = groups.count;
  const samples = options.samples ?? 2 * m + 2048;
  const seed = options.seed ?? DEFAULT_SEED;
  let enumeratedAll = true;
  let coalitions = 0;
  return explainRows(method, input, s, groups, reference, (game, r) => {
    const plan = kernelCoalitions(m, samples, createRng(seed + r * 7919));
    enumeratedAll &&= plan.enumerated;
    coalitions = plan.masks.length + 2;
    return shapleyFromGame(game, plan.masks, plan.weights, method);
  }, () => ({ seed, details: { samples, coalitions, exact: enumeratedAll } }));
}
