/**
 * Integrated Gradients (path integral of the gradient from a baseline, times x − baseline) and
 * GradientSHAP (its expectation over background rows with random path positions). All path points
 * of all rows go through the model in budget-sized batches.
 */
import * as tf from "@tensorflow/tfjs";
import { gradientRows, scores } from "./batching";
import { begin, completenessGap, rowSums, type CommonOptions } from "./common";
import { Explanation } from "./explanation";
import { baselineTensor } from "./features";
import type { Model } from "./model";
import { createRng, DEFAULT_SEED } from "./random";

export type QuadratureRule = "left" | "right" | "middle" | "trapezoid" | "gaussLegendre";

/** Positions α_k on [0, 1] and weights w_k (Σw = 1) of an n-point rule. */
export function quadrature(rule: QuadratureRule, n: number): { alphas: number[]; weights: number[] } {
  if (!Number.isInteger(n) || n < 1) throw new Error(`integratedGradients: steps must be a positive integer, got ${n}.`);
  const k = Array.from({ length: n }, (_, i) => i);
  switch (rule) {
    case "left":
      return { alphas: k.map((i) => i / n), weights: k.map(() => 1 / n) };
    case "right":
      return { alphas: k.map((i) => (i + 1) / n), weights: k.map(() => 1 / n) };
    case "middle":
      return { alphas: k.map((i) => (i + 0.5) / n), weights: k.map(() => 1 / n) };
    case "trapezoid": {
      // n points including both ends; the weights sum to 1 (Captum's sum to (n−1)/n, a known bug).
      if (n < 2) throw new Error("integratedGradients: the trapezoid rule needs steps ≥ 2.");
      return { alphas: k.map((i) => i / (n - 1)), weights: k.map((i) => (i === 0 || i === n - 1 ? 0.5 : 1) / (n - 1)) };
    }
    case "gaussLegendre":
      return gaussLegendre(n);
    default:
      throw new Error(`integratedGradients: unknown rule '${rule as string}'; use left, right, middle, trapezoid or gaussLegendre.`);
  }
}

/** Gauss–Legendre nodes by Newton's method on P_n, mapped from [−1, 1] to [0, 1]. */
function gaussLegendre(n: number): { alphas: number[]; weights: number[] } {
  const alphas: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let j = 2; j <= n; j++) [p0, p1] = [p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j];
      if (n === 1) [p0, p1] = [1, x];
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    alphas.push((1 - x) / 2);
    weights.push(1 / ((1 - x * x) * dp * dp));
  }
  return { alphas, weights };
}

export interface IntegratedGradientsOptions extends CommonOptions {
  /** Reference input: a number, one row, or one row per input row (default 0). */
  baseline?: number | tf.Tensor;
  /** Points on the path (default 50). */
  steps?: number;
  /** Quadrature rule (default "gaussLegendre"). */
  rule?: QuadratureRule;
}

export async function integratedGradientsImpl(model: Model, input: tf.Tensor, options: IntegratedGradientsOptions = {}): Promise<Explanation> {
  const method = "integratedGradients";
  const s = begin(method, model, input, options, true);
  const steps = options.steps ?? 50;
  const rule = options.rule ?? "gaussLegendre";
  const { alphas, weights } = quadrature(rule, steps);
  const n = input.shape[0];
  const d = s.rowSize;
  const baseline = baselineTensor(input, options.baseline, method);
  const x = input.dataSync();
  const b = baseline.dataSync();
  // Path point j is row r = ⌊j / steps⌋ at step k = j mod steps; Σ_k w_k ∇f accumulates per row.
  const sum = new Float64Array(n * d);
  gradientRows(s.f, s.rowShape, n * steps, (j) => s.targets[Math.floor(j / steps)], s.rows, s.meter,
    (start, count, buffer) => {
      for (let j = 0; j < count; j++) {
        const r = Math.floor((start + j) / steps);
        const a = alphas[(start + j) % steps];
        for (let i = 0; i < d; i++) buffer[j * d + i] = b[r * d + i] + a * (x[r * d + i] - b[r * d + i]);
      }
    },
    (start, grads) => {
      for (let j = 0; j < grads.length / d; j++) {
        const r = Math.floor((start + j) / steps);
        const w = weights[(start + j) % steps];
        for (let i = 0; i < d; i++) sum[r * d + i] += w * grads[j * d + i];
      }
    });
  const flat = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) flat[i] = sum[i] * (x[i] - b[i]);
  const attributions = tf.tensor(flat, input.shape);
  const base = Array.from(scores(s.f, baseline, s.targets, s.rows, s.meter));
  baseline.dispose();
  const gap = completenessGap(rowSums(attributions.dataSync(), n), s.prediction, base);
  return new Explanation({
    method, modality: s.modality, input, attributions, targets: s.targets, prediction: s.prediction, baseValue: base, gap,
    evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(), tokens: options.tokens,
    details: { steps, rule, reference: typeof options.baseline === "number" || options.baseline === undefined ? `baseline ${options.baseline ?? 0}` : "baseline" },
    display: options.display,
  });
}

export interface GradientShapOptions extends CommonOptions {
  /** Background rows [B, ...]; path starts are drawn from them (default: a zero baseline). */
  background?: tf.Tensor;
  /** Draws (background row, path position) per input row (default 50). */
  samples?: number;
  /** Gaussian noise added to x, as a fraction of each row's value range (default 0). */
  noise?: number;
  seed?: number;
}

export async function gradientShapImpl(model: Model, input: tf.Tensor, options: GradientShapOptions = {}): Promise<Explanation> {
  const method = "gradientShap";
  const s = begin(method, model, input, options, true);
  const samples = options.samples ?? 50;
  const seed = options.seed ?? DEFAULT_SEED;
  const rng = createRng(seed);
  const n = input.shape[0];
  const d = s.rowSize;
  const bg = options.background ?? tf.zeros([1, ...s.rowShape]);
  if (bg.rank !== input.rank || bg.shape.slice(1).some((v, i) => v !== s.rowShape[i])) {
    throw new Error(`${method}: background has shape [${bg.shape}]; it must be rows shaped like the input rows, [B, ${s.rowShape}].`);
  }
  const bgData = bg.dataSync();
  const x = input.dataSync();
  const b = bg.shape[0];
  // Draws are fixed up front (background row, α, noise seed) so results do not depend on batching.
  const draws = Array.from({ length: n * samples }, () => ({ row: rng.int(b), alpha: rng.next(), seed: rng.int(2 ** 31) }));
  const sigmas = Array.from({ length: n }, (_, r) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d; i++) [lo, hi] = [Math.min(lo, x[r * d + i]), Math.max(hi, x[r * d + i])];
    return (options.noise ?? 0) * (hi > lo ? hi - lo : 1);
  });
  const delta = new Float32Array(d);
  const sum = new Float64Array(n * d);
  const fillDelta = (j: number) => {
    const r = Math.floor(j / samples);
    const { row, seed: noiseSeed } = draws[j];
    const noise = sigmas[r] > 0 ? createRng(noiseSeed) : null;
    for (let i = 0; i < d; i++) delta[i] = x[r * d + i] + (noise ? sigmas[r] * noise.normal() : 0) - bgData[row * d + i];
  };
  gradientRows(s.f, s.rowShape, n * samples, (j) => s.targets[Math.floor(j / samples)], s.rows, s.meter,
    (start, count, buffer) => {
      for (let j = 0; j < count; j++) {
        const { row, alpha } = draws[start + j];
        fillDelta(start + j);
        for (let i = 0; i < d; i++) buffer[j * d + i] = bgData[row * d + i] + alpha * delta[i];
      }
    },
    (start, grads) => {
      for (let j = 0; j < grads.length / d; j++) {
        const r = Math.floor((start + j) / samples);
        fillDelta(start + j);
        for (let i = 0; i < d; i++) sum[r * d + i] += (delta[i] * grads[j * d + i]) / samples;
      }
    });
  const attributions = tf.tensor(Float32Array.from(sum), input.shape);
  // Base value E[f(background)] per row's target.
  const base = s.targets.map((t) => {
    const v = scores(s.f, bg, new Array<number>(b).fill(t), s.rows, s.meter);
    return v.reduce((p, q) => p + q, 0) / b;
  });
  if (!options.background) bg.dispose();
  const gap = completenessGap(rowSums(attributions.dataSync(), n), s.prediction, base);
  return new Explanation({
    method, modality: s.modality, input, attributions, targets: s.targets, prediction: s.prediction, baseValue: base, gap,
    evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(), seed, tokens: options.tokens,
    details: { samples, noise: options.noise ?? 0, reference: options.background ? `background (${b} rows)` : "zeros" },
    display: options.display,
  });
}
