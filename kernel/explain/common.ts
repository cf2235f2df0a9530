/** What every method does first: check the input, pick targets, compute f(x), size the batches. */
import type * as tf from "@tensorflow/tfjs";
import { Meter, rowsPerBatch, type BatchOptions } from "./batching";
import type { DisplayHints } from "./explanation";
import { modalityOf, type FeatureOptions, type Modality } from "./features";
import { checkInput, resolveTargets, scalarModel, type Model, type ScalarModel, type Target } from "./model";

/** Options every method accepts. */
export interface CommonOptions extends BatchOptions, Pick<FeatureOptions, "featureNames" | "tokens" | "modality"> {
  /** Output index to explain (one for all rows or one per row); default: each row's top output. */
  target?: Target;
  /** Defaults for the plot (sign mode, overlay, colour convention…). */
  display?: DisplayHints;
}

export interface Setup {
  meter: Meter;
  f: ScalarModel;
  targets: number[];
  prediction: number[];
  rows: number;
  rowShape: number[];
  rowSize: number;
  modality: Modality;
  tokens: string[] | undefined;
  display: DisplayHints | undefined;
}

export function begin(method: string, model: Model, input: tf.Tensor, options: CommonOptions & FeatureOptions, gradients: boolean): Setup {
  checkInput(input, method);
  const meter = new Meter();
  const f = scalarModel(model, method);
  const { targets, prediction } = resolveTargets(model, input, options.target, method);
  meter.evaluations += input.shape[0];
  meter.batches += 1;
  const rowShape = input.shape.slice(1);
  const rowSize = rowShape.reduce((p, d) => p * d, 1);
  const rows = rowsPerBatch(model, rowSize, options, gradients, method);
  return { meter, f, targets, prediction, rows, rowShape, rowSize, modality: modalityOf(input, options), tokens: options.tokens, display: options.display };
}

/** Σ attributions per row of a flat [N × D] array. */
export function rowSums(values: ArrayLike<number>, n: number): number[] {
  const d = values.length / n;
  return Array.from({ length: n }, (_, r) => {
    let s = 0;
    for (let i = r * d; i < (r + 1) * d; i++) s += values[i];
    return s;
  });
}

/** Σφ − (f(x) − base) per row. */
export function completenessGap(sums: number[], prediction: number[], base: number[]): number[] {
  return sums.map((s, r) => s - (prediction[r] - base[r]));
}
