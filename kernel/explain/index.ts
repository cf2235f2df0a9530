/**
 * Glassbox explanations: attribution methods for TensorFlow.js models, global in every cell as
 * `explain`. Each method is `await explain.<method>(model, input, options)` where `model` is a
 * `tf.LayersModel` or a function `(x: tf.Tensor) => tf.Tensor` and `input` a batched tensor (first
 * axis = rows). Each returns an {@link Explanation}: `attributions`, the completeness `gap`, the
 * number of model `evaluations`, and `ms`; as a cell's value it renders as an explanation plot.
 *
 * Common options: `target` (output index; default each row's top output), `batchSize` or
 * `memoryBudget` (how many rows go through the model per call; default a 64 MiB budget), `display`
 * (plot defaults), `featureNames` / `tokens`. Sampling methods take `seed` (default 0: the same
 * call gives the same result).
 *
 * Cost notation below: F = a forward pass of one row, B = a backward pass, N = input rows,
 * M = features, |bg| = background rows.
 */
import type * as tf from "@tensorflow/tfjs";
import type { CommonOptions } from "./common";
import type { Explanation } from "./explanation";
import { gradCamImpl, guidedBackpropImpl, guidedGradCamImpl, type GradCamOptions } from "./grad-cam";
import { inputXGradientImpl, saliencyImpl, type SaliencyOptions } from "./gradients";
import { gradientShapImpl, integratedGradientsImpl, type GradientShapOptions, type IntegratedGradientsOptions } from "./integrated-gradients";
import { kernelShapImpl, type KernelShapOptions } from "./kernel-shap";
import { limeImpl, type LimeOptions } from "./lime";
import type { Model } from "./model";
import { featureAblationImpl, occlusionImpl, type FeatureAblationOptions, type OcclusionOptions } from "./occlusion";
import { exactShapleyImpl, linearShapImpl, permutationShapImpl, type ExactShapleyOptions, type PermutationShapOptions, type ShapleyOptions } from "./shapley";
import { smoothGradImpl, type SmoothGradOptions } from "./smooth-grad";

export { EXPLANATION_MIME, Explanation, type DisplayHints } from "./explanation";
export type { Model, Target } from "./model";
export type { Modality } from "./features";
export type { QuadratureRule } from "./integrated-gradients";
export type {
  CommonOptions, SaliencyOptions, SmoothGradOptions, IntegratedGradientsOptions, GradientShapOptions, GradCamOptions,
  OcclusionOptions, FeatureAblationOptions, ShapleyOptions, ExactShapleyOptions, PermutationShapOptions, KernelShapOptions, LimeOptions,
};

/**
 * Saliency: |∂f/∂x| (or signed with `abs: false`). Shows where a small change moves the score most.
 * No completeness claim (gap is null). Cost: N·(F+B).
 */
export function saliency(model: Model, input: tf.Tensor, options?: SaliencyOptions): Promise<Explanation> {
  return saliencyImpl(model, input, options);
}

/**
 * Input × gradient: x ⊙ ∂f/∂x. Exact for linear models against a zero baseline; the gap says how far
 * from that the model is. Cost: N·(F+B) + N·F.
 */
export function inputXGradient(model: Model, input: tf.Tensor, options?: CommonOptions): Promise<Explanation> {
  return inputXGradientImpl(model, input, options);
}

/**
 * SmoothGrad: averages a gradient method (`method`: saliency, inputXGradient, integratedGradients,
 * gradientShap, guidedBackprop) over `samples` noisy copies of each row; `variant` "squared" averages
 * squares, "variance" gives VarGrad. `noise` is a fraction of the row's value range (default 0.15).
 * Seeded. Cost: samples × the wrapped method's cost, in one batched job.
 */
export function smoothGrad(model: Model, input: tf.Tensor, options?: SmoothGradOptions): Promise<Explanation> {
  return smoothGradImpl(model, input, options);
}

/**
 * Integrated Gradients: (x − x′) ⊙ ∫₀¹ ∂f(x′ + α(x − x′))/∂x dα, with `baseline` x′ (default 0),
 * `steps` (default 50) and `rule` (left, right, middle, trapezoid, gaussLegendre; default
 * gaussLegendre). Completeness: Σφ = f(x) − f(x′); the gap is the quadrature error. Cost: N·steps·(F+B).
 */
export function integratedGradients(model: Model, input: tf.Tensor, options?: IntegratedGradientsOptions): Promise<Explanation> {
  return integratedGradientsImpl(model, input, options);
}

/**
 * GradientSHAP (expected gradients): mean over `samples` draws of a background row x′ and α ~ U(0,1)
 * of (x − x′) ⊙ ∇f(x′ + α(x − x′)); optional input `noise`. In expectation Σφ = f(x) − E[f(bg)];
 * the gap shows the sampling error. Seeded. Cost: N·samples·(F+B) + |bg|·F.
 */
export function gradientShap(model: Model, input: tf.Tensor, options?: GradientShapOptions): Promise<Explanation> {
  return gradientShapImpl(model, input, options);
}

/**
 * Grad-CAM: ReLU(Σ_k α_k A_k) on the named `layer` (default: the last convolution), α_k = spatial mean of ∂f/∂A_k. `activation: "before"` uses the layer's values before its
 * activation; `relu: false` keeps negative evidence. Attributions are layer-shaped [N, h, w].
 * Needs a tf.LayersModel. Cost: N·(F+B).
 */
export function gradCam(model: Model, input: tf.Tensor, options?: GradCamOptions): Promise<Explanation> {
  return gradCamImpl(model, input, options);
}

/**
 * Guided backprop: the gradient with every Relu passing back only positive gradients where its input
 * was positive. Sharp but class-insensitive maps; no completeness claim. Cost: N·(F+B).
 */
export function guidedBackprop(model: Model, input: tf.Tensor, options?: CommonOptions): Promise<Explanation> {
  return guidedBackpropImpl(model, input, options);
}

/**
 * Guided Grad-CAM: guided backprop ⊙ the Grad-CAM map upsampled to the image (`upsample`:
 * bilinear or nearest). Images only; needs a tf.LayersModel. Cost: 2·N·(F+B).
 */
export function guidedGradCam(model: Model, input: tf.Tensor, options?: GradCamOptions): Promise<Explanation> {
  return guidedGradCamImpl(model, input, options);
}

/**
 * Occlusion: slides a `window` (default a quarter of each spatial axis) with `strides` over each row,
 * filling it with `baseline`; every element gets the mean drop f(x) − f(occluded) over the windows
 * covering it. Cost: N·windows·F.
 */
export function occlusion(model: Model, input: tf.Tensor, options?: OcclusionOptions): Promise<Explanation> {
  return occlusionImpl(model, input, options);
}

/**
 * Feature ablation: φ_g = f(x) − f(x with feature group g set to the reference) for each group
 * (`featureMask`; default columns, tokens or image patches). The gap shows interactions. Cost:
 * N·(M+2)·|bg|·F.
 */
export function featureAblation(model: Model, input: tf.Tensor, options?: FeatureAblationOptions): Promise<Explanation> {
  return featureAblationImpl(model, input, options);
}

/**
 * Exact Shapley values of v(S) = E_bg[f(x_S, bg_S̄)] by enumerating all 2^M coalitions in one
 * batched job (practical to M ≈ 15–20). Satisfies efficiency (gap ≈ 0), symmetry and dummy.
 * Refuses jobs above `maxEvaluations` (default 5e6) rather than dropping features. Cost: N·2^M·|bg|·F.
 */
export function exactShapley(model: Model, input: tf.Tensor, options?: ExactShapleyOptions): Promise<Explanation> {
  return exactShapleyImpl(model, input, options);
}

/**
 * Linear SHAP: the closed form φ_i = w_i (x_i − E[x_i]) for a model linear in its input (w read off
 * the gradient). Throws if the model is not linear. Cost: N·(F+B) + (N+|bg|)·F.
 */
export function linearShap(model: Model, input: tf.Tensor, options?: ShapleyOptions): Promise<Explanation> {
  return linearShapImpl(model, input, options);
}

/**
 * Permutation SHAP: `samples` random feature orders, each walked forwards and backwards (antithetic),
 * crediting each feature its marginal change. Exact for at most pairwise interactions; efficiency
 * holds exactly. Repeated coalitions are cached. Seeded. Cost: ≤ N·samples·2(M+1)·|bg|·F.
 */
export function permutationShap(model: Model, input: tf.Tensor, options?: PermutationShapOptions): Promise<Explanation> {
  return permutationShapImpl(model, input, options);
}

/**
 * KernelSHAP: the Shapley-kernel weighted regression over coalitions with efficiency as a constraint.
 * With `samples` ≥ 2^M − 2 every coalition is used and the result is exact; otherwise affordable
 * subset sizes are enumerated and the rest sampled in complementary pairs. No hidden L1 or feature
 * selection. Seeded. Cost: N·(samples+2)·|bg|·F.
 */
export function kernelShap(model: Model, input: tf.Tensor, options?: KernelShapOptions): Promise<Explanation> {
  return kernelShapImpl(model, input, options);
}

/**
 * LIME: a weighted linear surrogate over "feature present" indicators (`featureMask`; image grid
 * patches by default, or `segmentation: "superpixels"` with about `segments` SLIC regions), fitted on `samples` perturbations (all 2^M when that fits). `kernel`
 * "exponential" (`kernelWidth`) or "shapley" (then it is KernelSHAP); ridge `alpha` (default 0).
 * Details carry the intercept and the surrogate's R². Seeded. Cost: N·samples·|bg|·F.
 */
export function lime(model: Model, input: tf.Tensor, options?: LimeOptions): Promise<Explanation> {
  return limeImpl(model, input, options);
}
