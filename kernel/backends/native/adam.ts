// tf.train.adam's update as one native pass per variable on the native backend. TensorFlow.js runs
// ~13 tensor ops per variable per step for it, and their JavaScript bookkeeping costs more than the
// arithmetic. The optimizer's state (moments, accBeta1/2, iterations) is kept exactly as
// AdamOptimizer keeps it, so getWeights/setWeights, saving and switching backends keep working; on
// any other backend, or for inputs this path does not serve, the original applyGradients runs.
import type * as tfjs from "@tensorflow/tfjs";
import type { NamedTensorMap, Tensor, Variable } from "@tensorflow/tfjs";
import { patchMethod } from "../../engine/tfjs-patches";
import type { NativeAddon } from "./addon";
import type { NativeBackend } from "./backend";
import { floats, type Tf } from "./context";

interface Moment {
  originalName: string;
  variable: Variable;
}

/** The AdamOptimizer fields applyGradients uses (protected in its typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
}

type Gradients = NamedTensorMap | { name: string; tensor: Tensor }[];
type ApplyGradients = (this: tfjs.AdamOptimizer, gradients: Gradients) => void;

const INSTALLED = Symbol.for("glassbox.native.fusedAdam");

export function installFusedAdam(tf: Tf, addon: NativeAddon, backendName: string): void {
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
  patchMethod(proto, "applyGradients", INSTALLED, (original) => function (this: tfjs.AdamOptimizer, gradients: Gradients): void {
    const state = this as unknown as AdamState;
    if (tf.getBackend() !== backendName || !fusedStep(tf, addon, state, gradients)) original.call(this, gradients);
  });
}

/** Same lazily created moments as AdamOptimizer.applyGradients. */
function ensureMoments(tf: Tf, state: AdamState, names: string[]): void {
  names.forEach((name, i) => {
    const value = tf.engine().registeredVariables[name] as Variable;
    for (const [moments, suffix] of [[state.accumulatedFirstMoment, "m"], [state.accumulatedSecondMoment, "v"]] as const) {
      if (moments[i] == null) moments[i] = { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    }
  });
}

interface Update {
  targets: [Variable, Variable, Variable]; // value, first moment, second moment
  inputs: [Float32Array, Float32Array, Float32Array];
  grad: Float32Array;
}

function fusedStep(tf: Tf, addon: NativeAddon, state: AdamState, gradients: Gradients): boolean {
  const backend = tf.backend() as NativeBackend;
  const names = Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
  // Check everything before changing anything: an unsupported input leaves the whole step to tfjs.
  const updates: Update[] = [];
  const accBeta1 = floats(backend, state.accBeta1);
  const accBeta2 = floats(backend, state.accBeta2);
  if (accBeta1 === undefined || accBeta2 === undefined) return false;
  ensureMoments(tf, state, names);
  for (const [i, name] of names.entries()) {
    const gradient: Tensor | undefined = Array.isArray(gradients) ? gradients[i]?.tensor : gradients[name];
    if (gradient == null) continue;
    const value = tf.engine().registeredVariables[name] as Variable | undefined;
    const m = state.accumulatedFirstMoment[i]?.variable;
    const v = state.accumulatedSecondMoment[i]?.variable;
    if (value === undefined || m === undefined || v === undefined) return false;
    const targets: [Variable, Variable, Variable] = [value, m, v];
    const inputs = targets.map((t) => floats(backend, t)?.values);
    const grad = floats(backend, gradient)?.values;
    if (grad === undefined || inputs.some((a) => a === undefined || a.length !== grad.length)) return false;
    updates.push({ targets, inputs: inputs as [Float32Array, Float32Array, Float32Array], grad });
  }
  const oneMinusAccBeta1 = Math.fround(1 - (accBeta1.values[0] as number));
  const oneMinusAccBeta2 = Math.fround(1 - (accBeta2.values[0] as number));
  for (const { targets, inputs, grad } of updates) {
    // In place when the buffers are ours alone; otherwise (first step: buffers from initializers,
    // or shared with other tensors) into fresh buffers that the variables are then assigned.
    const outputs = targets.map((t) => backend.exclusiveValues(t.dataId) ?? backend.allocate(grad.length)) as [Float32Array, Float32Array, Float32Array];
    addon.adam(...inputs, grad, state.learningRate, state.beta1, state.beta2, state.epsilon, oneMinusAccBeta1, oneMinusAccBeta2, ...outputs);
    targets.forEach((target, k) => {
      if (outputs[k] === inputs[k]) return;
      const fresh = tf.engine().makeTensorFromTensorInfo(backend.makeTensorInfo(target.shape, "float32", outputs[k]));
      target.assign(fresh);
      fresh.dispose();
    });
  }
  tf.tidy(() => {
    state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
    state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
  });
  state.incrementIterations();
  return true;
}
