/**
 * One view of "the model" for every method: a LayersModel or a function, reduced to one score per
 * row (the chosen target output), so each method only deals with f: [R, ...] -> [R].
 */
import * as tf from "@tensorflow/tfjs";

/** A Keras-style model or any function from a batched input to a batched output. */
export type Model = tf.LayersModel | ((x: tf.Tensor) => tf.Tensor);

/** Output index to explain: one for all rows, or one per row. Default: the row's top output. */
export type Target = number | number[];

export function isLayersModel(model: Model): model is tf.LayersModel {
  return typeof model === "object" && model !== null && "layers" in model && typeof (model as tf.LayersModel).apply === "function";
}

/** Runs the model as a pure function of x (inference mode: dropout and batch-norm statistics off). */
export function forward(model: Model, x: tf.Tensor, method: string): tf.Tensor {
  if (isLayersModel(model)) {
    const out = model.apply(x, { training: false });
    if (Array.isArray(out)) {
      throw new Error(`${method}: the model has ${out.length} outputs; pass a function such as (x) => (model.apply(x) as tf.Tensor[])[0] to pick one.`);
    }
    return out as tf.Tensor;
  }
  if (typeof model !== "function") throw new Error(`${method}: expected a tf.LayersModel or a function (x: tf.Tensor) => tf.Tensor, got ${typeof model}.`);
  return model(x);
}

/** The target score of each row: out[r, targets[r]] for [R, K] outputs, out[r] for [R] or [R, 1]. */
export function selectTarget(out: tf.Tensor, targets: ArrayLike<number>, method: string): tf.Tensor1D {
  if (out.rank === 1) return out as tf.Tensor1D;
  if (out.rank !== 2) {
    throw new Error(`${method}: the model's output has shape [${out.shape}]; explanations need one score per row ([N] or [N, outputs]). Wrap the model in a function that reduces it.`);
  }
  const k = out.shape[1] as number;
  if (k === 1) return out.reshape([out.shape[0]]) as tf.Tensor1D;
  const mask = tf.oneHot(tf.tensor1d(Array.from(targets), "int32"), k);
  return tf.sum(tf.mul(out, mask), 1) as tf.Tensor1D;
}

/** f restricted to the target score: x [R, ...] and targets [R] give a [R] tensor. */
export type ScalarModel = (x: tf.Tensor, targets: ArrayLike<number>) => tf.Tensor1D;

export function scalarModel(model: Model, method: string): ScalarModel {
  return (x, targets) => selectTarget(forward(model, x, method), targets, method);
}

/** Targets per row, validated against the output width (the default is each row's argmax), and f(x) for them, from one forward pass. */
export function resolveTargets(model: Model, input: tf.Tensor, target: Target | undefined, method: string): { targets: number[]; prediction: number[] } {
  const n = input.shape[0];
  const out = tf.tidy(() => forward(model, input, method));
  try {
    let targets: number[];
    if (out.rank === 1 || (out.rank === 2 && out.shape[1] === 1)) {
      if (target !== undefined && [target].flat().some((t) => t !== 0)) {
        throw new Error(`${method}: target ${JSON.stringify(target)} is out of range; the model has a single output, so the target is 0.`);
      }
      targets = new Array<number>(n).fill(0);
    } else {
      if (out.rank !== 2) selectTarget(out, [], method); // throws the shape error
      const k = out.shape[1] as number;
      if (target === undefined) targets = tf.tidy(() => Array.from(tf.argMax(out, 1).dataSync()));
      else if (typeof target === "number") targets = new Array<number>(n).fill(target);
      else {
        if (target.length !== n) throw new Error(`${method}: got ${target.length} targets for ${n} input rows; give one target, or one per row.`);
        targets = [...target];
      }
      for (const t of targets) {
        if (!Number.isInteger(t) || t < 0 || t >= k) throw new Error(`${method}: target ${t} is out of range; the model has ${k} outputs (0..${k - 1}).`);
      }
    }
    const prediction = tf.tidy(() => Array.from(selectTarget(out, targets, method).dataSync()));
    return { targets, prediction };
  } finally {
    out.dispose();
  }
}

export function checkInput(input: unknown, method: string): asserts input is tf.Tensor {
  if (!(input instanceof tf.Tensor)) throw new Error(`${method}: input must be a batched tf.Tensor (first axis = rows), got ${typeof input}.`);
  if (input.rank < 2) throw new Error(`${method}: input has shape [${input.shape}]; it must be batched, e.g. x.expandDims(0) for one row.`);
}
