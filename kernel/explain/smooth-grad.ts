/**
 * SmoothGrad and its squared / variance variants, wrapping any gradient method: the method runs once
 * on all noisy copies of all rows (one batched job), and the copies are averaged per row.
 */
import * as tf from "@tensorflow/tfjs";
import type { CommonOptions } from "./common";
import { Explanation } from "./explanation";
import { guidedBackpropImpl } from "./grad-cam";
import { inputXGradientImpl, saliencyImpl } from "./gradients";
import { gradientShapImpl, integratedGradientsImpl, type QuadratureRule } from "./integrated-gradients";
import type { Model } from "./model";
import { checkInput, resolveTargets } from "./model";
import { createRng, DEFAULT_SEED } from "./random";

const WRAPPED = {
  saliency: saliencyImpl,
  inputXGradient: inputXGradientImpl,
  integratedGradients: integratedGradientsImpl,
  gradientShap: gradientShapImpl,
  guidedBackprop: guidedBackpropImpl,
} as const;

export interface SmoothGradOptions extends CommonOptions {
  /** The gradient method to smooth (default "saliency"). */
  method?: keyof typeof WRAPPED;
  /** smoothgrad: mean of the maps; squared: mean of squares; variance: VarGrad (default "smoothgrad"). */
  variant?: "smoothgrad" | "squared" | "variance";
  /** Noisy copies per row (default 25). */
  samples?: number;
  /** Noise standard deviation as a fraction of each row's value range max − min (default 0.15). */
  noise?: number;
  seed?: number;
  /** Passed to the wrapped method. */
  abs?: boolean;
  baseline?: number | tf.Tensor;
  background?: tf.Tensor;
  steps?: number;
  rule?: QuadratureRule;
}

export async function smoothGradImpl(model: Model, input: tf.Tensor, options: SmoothGradOptions = {}): Promise<Explanation> {
  checkInput(input, "smoothGrad");
  const started = performance.now();
  const inner = options.method ?? "saliency";
  const run = WRAPPED[inner];
  if (!run) throw new Error(`smoothGrad: cannot wrap '${inner}'; use one of ${Object.keys(WRAPPED).join(", ")}.`);
  const variant = options.variant ?? "smoothgrad";
  const samples = options.samples ?? 25;
  const noise = options.noise ?? 0.15;
  const seed = options.seed ?? DEFAULT_SEED;
  const rng = createRng(seed);
  const n = input.shape[0];
  const rowShape = input.shape.slice(1);
  const d = input.size / n;
  const { targets, prediction } = resolveTargets(model, input, options.target, "smoothGrad");
  const x = input.dataSync();
  const noisy = new Float32Array(n * samples * d);
  for (let r = 0; r < n; r++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d; i++) [lo, hi] = [Math.min(lo, x[r * d + i]), Math.max(hi, x[r * d + i])];
    const sigma = noise * (hi > lo ? hi - lo : 1);
    for (let k = 0; k < samples; k++) for (let i = 0; i < d; i++) noisy[(r * samples + k) * d + i] = x[r * d + i] + sigma * rng.normal();
  }
  const batch = tf.tensor(noisy, [n * samples, ...rowShape]);
  // A per-row baseline must follow its row into every copy.
  let baseline = options.baseline;
  if (baseline instanceof tf.Tensor && baseline.size === input.size && n > 1) {
    baseline = tf.tidy(() => tf.tile((baseline as tf.Tensor).reshape([n, 1, ...rowShape]), [1, samples, ...rowShape.map(() => 1)]).reshape([n * samples, ...rowShape]));
  }
  const result = await run(model, batch, {
    ...options, baseline, background: options.background, seed, display: undefined,
    target: targets.flatMap((t) => new Array<number>(samples).fill(t)),
  } as never);
  const attributions = tf.tidy(() => {
    const maps = result.attributions.reshape([n, samples, ...rowShape]);
    const mean = tf.mean(maps, 1);
    if (variant === "smoothgrad") return mean;
    const sq = tf.mean(tf.square(maps), 1);
    if (variant === "squared") return sq;
    if (variant === "variance") return tf.relu(tf.sub(sq, tf.square(mean))); // clamp float round-off below 0
    throw new Error(`smoothGrad: unknown variant '${variant as string}'; use smoothgrad, squared or variance.`);
  });
  if (baseline !== options.baseline) (baseline as tf.Tensor).dispose();
  batch.dispose();
  const explanation = new Explanation({
    method: "smoothGrad", modality: result.modality, input, attributions, targets, prediction, baseValue: null, gap: null,
    evaluations: result.evaluations + n, batches: result.batches + 1, ms: performance.now() - started, seed, tokens: options.tokens,
    details: { ...result.details, wraps: inner, variant, samples, noise },
    display: options.display,
  });
  result.dispose();
  return explanation;
}
