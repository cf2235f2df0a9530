/** Plain gradient attributions: saliency and input × gradient (one forward + backward pass per row). */
import * as tf from "@tensorflow/tfjs";
import { gradients, scores } from "./batching";
import { begin, completenessGap, rowSums, type CommonOptions } from "./common";
import { Explanation } from "./explanation";
import type { Model } from "./model";

export interface SaliencyOptions extends CommonOptions {
  /** Take |∂f/∂x| (the classic saliency map, default true) or keep the sign. */
  abs?: boolean;
}

export async function saliencyImpl(model: Model, input: tf.Tensor, options: SaliencyOptions = {}): Promise<Explanation> {
  const s = begin("saliency", model, input, options, true);
  const grad = gradients(s.f, input, s.targets, s.rows, s.meter);
  const attributions = options.abs === false ? grad : tf.tidy(() => tf.abs(grad));
  if (attributions !== grad) grad.dispose();
  return new Explanation({
    method: "saliency", modality: s.modality, input, attributions, targets: s.targets, prediction: s.prediction,
    baseValue: null, gap: null, evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(),
    tokens: options.tokens, details: { abs: options.abs !== false }, display: options.display,
  });
}

export async function inputXGradientImpl(model: Model, input: tf.Tensor, options: CommonOptions = {}): Promise<Explanation> {
  const s = begin("inputXGradient", model, input, options, true);
  const grad = gradients(s.f, input, s.targets, s.rows, s.meter);
  const attributions = tf.tidy(() => tf.mul(input, grad));
  grad.dispose();
  // Input × gradient is exact (gap 0) for linear models against a zero baseline; report how far off it is.
  const zeros = tf.zerosLike(input);
  const base = Array.from(scores(s.f, zeros, s.targets, s.rows, s.meter));
  zeros.dispose();
  const gap = completenessGap(rowSums(attributions.dataSync(), input.shape[0]), s.prediction, base);
  return new Explanation({
    method: "inputXGradient", modality: s.modality, input, attributions, targets: s.targets, prediction: s.prediction,
    baseValue: base, gap, evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(),
    tokens: options.tokens, details: { reference: "zeros" }, display: options.display,
  });
}
