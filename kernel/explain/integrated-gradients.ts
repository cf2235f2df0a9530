/**
 * Integrated Gradients (path integral of the gradient from a baseline, times x − baseline) and
 * GradientSHAP (its expectation over background rows with random path positions). All path points
 * of all rows go through the model in budget-sized batches.
 */
import * as tf from "@tensorflow/tfjs";
import { gradients, scores } from "./batching";
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
  const baseline = baselineTensor(input, options.baseline, method);
  // Path points ordered row-major: row r, step k at r·steps + k.
  const path = tf.tidy(() => {
    const a = tf.tensor1d(alphas).reshape([1, steps, ...s.rowShape.map(() => 1)]);
    return tf.add(baseline.expandDims(1), tf.mul(a, tf.sub(input, baseline).expandDims(1))).reshape([n * steps, ...s.rowShape]);
  });
  const pathTargets = s.targets.flatMap((t) => new Array<number>(steps).fill(t));
  const grads = gradients(s.f, path, pathTargets, s.rows, s.meter);
  path.dispose();
  const attributions = tf.tidy(() => {
    const w = tf.tensor1d(weights).reshape([1, steps, ...s.rowShape.map(() => 1)]);
    const avg = tf.sum(tf.mul(grads.reshape([n, steps, ...s.rowShape]), w), 1);
    return tf.mul(avg, tf.sub(input, baseline));
  });
  grads.dispose();
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
  const starts = new Float32Array(n * samples * d);
  const points = new Float32Array(n * samples * d);
  for (let r = 0; r < n; r++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d; i++) [lo, hi] = [Math.min(lo, x[r * d + i]), Math.max(hi, x[r * d + i])];
    const sigma = (options.noise ?? 0) * (hi > lo ? hi - lo : 1);
    for (let k = 0; k < samples; k++) {
      const row = rng.int(b);
      const alpha = rng.next();
      const o = (r * samples + k) * d;
      for (let i = 0; i < d; i++) {
        const xi = x[r * d + i] + (sigma > 0 ? sigma * rng.normal() : 0);
        const start = bgData[row * d + i];
        starts[o + i] = xi - start;
        points[o + i] = start + alpha * (xi - start);
      }
    }
  }
  const pointTensor = tf.tensor(points, [n * samples, ...s.rowShape]);
  const grads = gradients(s.f, pointTensor, s.targets.flatMap((t) => new Array<number>(samples).fill(t)), s.rows, s.meter);
  pointTensor.dispose();
  const attributions = tf.tidy(() => tf.mean(tf.mul(grads, tf.tensor(starts, grads.shape)).reshape([n, samples, ...s.rowShape]), 1));
  grads.dispose();
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
