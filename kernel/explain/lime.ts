/**
 * LIME: a weighted linear surrogate over binary "feature present" variables, fitted to the model on
 * perturbed copies of the row (features off take the reference values). The kernel, the ridge
 * penalty and the surrogate's R² are all visible; with the Shapley kernel it is KernelSHAP.
 */
import type * as tf from "@tensorflow/tfjs";
import { begin } from "./common";
import type { Explanation } from "./explanation";
import { groupsOf, referenceOf } from "./features";
import { explainRows } from "./game";
import { constrainedShapleyFit, shapleyKernel } from "./kernel-shap";
import type { Model } from "./model";
import { createRng, DEFAULT_SEED } from "./random";
import { weightedLeastSquares } from "./regression";
import type { ShapleyOptions } from "./shapley";

export interface LimeOptions extends ShapleyOptions {
  /** Perturbed samples; when 2^M fits, every coalition is used once instead (default 1000). */
  samples?: number;
  /** "exponential": exp(−d²/width²) with d = fraction of features off, square-rooted; "shapley": KernelSHAP's kernel with efficiency. */
  kernel?: "exponential" | "shapley";
  /** Width of the exponential kernel (default 0.75). */
  kernelWidth?: number;
  /** Ridge penalty on the coefficients (default 0: no hidden regularisation). */
  alpha?: number;
  seed?: number;
}

export async function limeImpl(model: Model, input: tf.Tensor, options: LimeOptions = {}): Promise<Explanation> {
  const method = "lime";
  const s = begin(method, model, input, options, false);
  const groups = groupsOf(input, options, method);
  const reference = referenceOf(input, options, method);
  const m = groups.count;
  const samples = options.samples ?? 1000;
  const seed = options.seed ?? DEFAULT_SEED;
  const kernel = options.kernel ?? "exponential";
  const width = options.kernelWidth ?? 0.75;
  const alpha = options.alpha ?? 0;
  const intercepts: number[] = [];
  const r2s: number[] = [];
  let exhaustive = false;
  return explainRows(method, input, s, groups, reference, (game, r) => {
    const rng = createRng(seed + r * 7919);
    const masks: Uint8Array[] = [];
    exhaustive = 2 ** m <= samples;
    if (exhaustive) for (let c = 0; c < 2 ** m; c++) masks.push(Uint8Array.from({ length: m }, (_, i) => (c >>> i) & 1));
    else {
      masks.push(new Uint8Array(m).fill(1)); // the row itself anchors the fit
      for (let j = 1; j < samples; j++) masks.push(Uint8Array.from({ length: m }, () => (rng.next() < 0.5 ? 1 : 0)));
    }
    const values = game.values(masks);
    const ends = game.values([new Uint8Array(m), new Uint8Array(m).fill(1)]);
    const on = masks.map((z) => z.reduce((p, q) => p + q, 0));
    let phi: Float64Array;
    let intercept: number;
    let weights: number[];
    if (kernel === "shapley") {
      const inner = masks.map((_, j) => j).filter((j) => on[j] > 0 && on[j] < m);
      weights = masks.map((_, j) => (on[j] > 0 && on[j] < m ? shapleyKernel(m, on[j]) : 0));
      phi = constrainedShapleyFit(inner.map((j) => masks[j]), inner.map((j) => weights[j]), Float64Array.from(inner.map((j) => values[j])), ends[0], ends[1], m, method);
      intercept = ends[0];
    } else if (kernel === "exponential") {
      weights = on.map((k) => Math.exp(-((m - k) / m) / (width * width)));
      // Columns: the M indicators, then the (unpenalised) intercept.
      const x = new Float64Array(masks.length * (m + 1));
      masks.forEach((z, j) => {
        for (let i = 0; i < m; i++) x[j * (m + 1) + i] = z[i];
        x[j * (m + 1) + m] = 1;
      });
      const beta = weightedLeastSquares(x, values, Float64Array.from(weights), m + 1, alpha, 1);
      if (!beta) throw new Error(`${method}: the ${masks.length} samples do not determine ${m} coefficients; raise samples or set alpha > 0.`);
      phi = beta.subarray(0, m);
      intercept = beta[m];
    } else {
      throw new Error(`${method}: unknown kernel '${kernel as string}'; use "exponential" or "shapley".`);
    }
    intercepts.push(intercept);
    r2s.push(weightedR2(masks, values, weights, phi, intercept));
    return { phi, base: ends[0] };
  }, () => ({ seed, details: { samples, exhaustive, kernel, kernelWidth: kernel === "exponential" ? width : null, alpha, intercept: intercepts, r2: r2s } }));
}

/** R² of the surrogate under the kernel weights: how much of the model's local behaviour it explains. */
function weightedR2(masks: Uint8Array[], y: Float64Array, w: number[], phi: Float64Array, intercept: number): number {
  let sw = 0;
  let mean = 0;
  masks.forEach((_, j) => {
    sw += w[j];
    mean += w[j] * y[j];
  });
  if (sw === 0) return Number.NaN;
  mean /= sw;
  let ssr = 0;
  let sst = 0;
  masks.forEach((z, j) => {
    let pred = intercept;
    for (let i = 0; i < z.length; i++) pred += z[i] * phi[i];
    ssr += w[j] * (y[j] - pred) ** 2;
    sst += w[j] * (y[j] - mean) ** 2;
  });
  return sst > 0 ? 1 - ssr / sst : 1;
}
