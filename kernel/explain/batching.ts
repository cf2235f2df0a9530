/**
 * Model evaluation under a memory budget. Every method hands its perturbed or path inputs here;
 * they run in as few model calls as the budget allows (one call per row is what makes the Python
 * explainers slow), and the evaluation count is kept for the explanation's diagnostics.
 */
import * as tf from "@tensorflow/tfjs";
import { isLayersModel, type Model, type ScalarModel } from "./model";

export interface BatchOptions {
  /** Rows per model call. Overrides `memoryBudget`; 1 gives the one-evaluation-at-a-time behaviour. */
  batchSize?: number;
  /** Approximate bytes of activations per model call (default 64 MiB). */
  memoryBudget?: number;
}

export const DEFAULT_MEMORY_BUDGET = 64 * 2 ** 20;

/** Counts model work: `evaluations` = input rows passed through the model, `batches` = model calls. */
export class Meter {
  evaluations = 0;
  batches = 0;
  readonly started = performance.now();
  ms(): number {
    return performance.now() - this.started;
  }
}

/** Floats a row occupies while the model runs: input plus every layer's output (known for LayersModels). */
function floatsPerRow(model: Model, rowSize: number): number {
  if (!isLayersModel(model)) return rowSize * 16; // a function is opaque: assume a modest network
  let floats = rowSize;
  for (const layer of model.layers) {
    const shapes = layer.outputShape;
    const list = (Array.isArray(shapes[0]) || shapes.length === 0 ? shapes : [shapes]) as (number | null)[][];
    for (const shape of list) floats += shape.reduce<number>((p, d) => p * (d ?? 1), 1);
  }
  return floats;
}

/** Rows per model call under the options; gradient passes keep about three times the activations. */
export function rowsPerBatch(model: Model, rowSize: number, options: BatchOptions, gradients: boolean, method: string): number {
  if (options.batchSize !== undefined) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error(`${method}: batchSize must be a positive integer, got ${options.batchSize}.`);
    return options.batchSize;
  }
  const budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
  const bytes = 4 * floatsPerRow(model, rowSize) * (gradients ? 3 : 1);
  return Math.max(1, Math.floor(budget / bytes));
}

/**
 * Evaluates `total` rows that `fill` writes into a flat buffer, `rows` at a time, and passes each
 * chunk's target scores to `consume`. Rows are built lazily so 2^20 coalitions never sit in memory.
 */
export function evaluateRows(
  f: ScalarModel,
  rowShape: number[],
  total: number,
  target: number,
  rows: number,
  meter: Meter,
  fill: (start: number, count: number, buffer: Float32Array) => void,
  consume: (start: number, scores: Float32Array) => void,
): void {
  const rowSize = rowShape.reduce((p, d) => p * d, 1);
  const size = Math.min(rows, total);
  const buffer = new Float32Array(size * rowSize);
  const targets = new Array<number>(size).fill(target);
  for (let start = 0; start < total; start += size) {
    const count = Math.min(size, total - start);
    const view = buffer.subarray(0, count * rowSize);
    fill(start, count, view);
    const scores = tf.tidy(() => f(tf.tensor(view, [count, ...rowShape]), count === size ? targets : targets.slice(0, count)).dataSync() as Float32Array);
    meter.evaluations += count;
    meter.batches += 1;
    consume(start, scores);
  }
}

/** Target scores of the rows of x, in chunks. */
export function scores(f: ScalarModel, x: tf.Tensor, targets: number[], rows: number, meter: Meter): Float32Array {
  const n = x.shape[0];
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += rows) {
    const count = Math.min(rows, n - start);
    const part = tf.tidy(() => f(x.slice(start, count), targets.slice(start, start + count)).dataSync());
    out.set(part, start);
    meter.evaluations += count;
    meter.batches += 1;
  }
  return out;
}

/** ∂f/∂x for each row of x (rows are independent, so the gradient of the sum is per row), in chunks. */
export function gradients(f: ScalarModel, x: tf.Tensor, targets: number[], rows: number, meter: Meter): tf.Tensor {
  const n = x.shape[0];
  const grad = tf.grad((part: tf.Tensor) => tf.sum(f(part, currentTargets)));
  let currentTargets: number[] = [];
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < n; start += rows) {
      const count = Math.min(rows, n - start);
      currentTargets = targets.slice(start, start + count);
      parts.push(tf.tidy(() => grad(x.slice(start, count))));
      meter.evaluations += count;
      meter.batches += 1;
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  } finally {
    if (parts.length > 1) parts.forEach((p) => p.dispose());
  }
}

/**
 * ∂f/∂x for `total` rows that `fill` writes into a flat buffer, `rows` at a time; each chunk's
 * gradients go to `consume` and are freed, so path and sample sets never sit in memory whole.
 */
export function gradientRows(
  f: ScalarModel,
  rowShape: number[],
  total: number,
  targetOf: (row: number) => number,
  rows: number,
  meter: Meter,
  fill: (start: number, count: number, buffer: Float32Array) => void,
  consume: (start: number, grads: Float32Array) => void,
): void {
  const rowSize = rowShape.reduce((p, d) => p * d, 1);
  const size = Math.min(rows, total);
  const buffer = new Float32Array(size * rowSize);
  let targets: number[] = [];
  const grad = tf.grad((part: tf.Tensor) => tf.sum(f(part, targets)));
  for (let start = 0; start < total; start += size) {
    const count = Math.min(size, total - start);
    const view = buffer.subarray(0, count * rowSize);
    fill(start, count, view);
    targets = Array.from({ length: count }, (_, j) => targetOf(start + j));
    const g = tf.tidy(() => grad(tf.tensor(view, [count, ...rowShape])).dataSync() as Float32Array);
    meter.evaluations += count;
    meter.batches += 1;
    consume(start, g);
  }
}
