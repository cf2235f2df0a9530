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
import type { Tf } from "./context";

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

function fusedStep(tf: Tf, addon: NativeAddon, state: AdamState, gradients: Gradients): boolean {
  const backend = tf.backend() as NativeBackend;
  const names = Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
  // Check everything before changing anything: an unsupported input leaves the whole step to tfjs.
  const updates: { targets: [Variable, Variable, Variable]; grad: Tensor }[] = [];
  ensureMoments(tf, state, names);
  for (const [i, name] of names.entries()) {
    const gradient: Tensor | undefined = Array.isArray(gradients) ? gradients[i]?.tensor : gradients[name];
    if (gradient == null) continue;
    const value = tf.engine().registeredVariables[name] as Variable | undefined;
    const m = state.accumulatedFirstMoment[i]?.variable;
    const v = state.accumulatedSecondMoment[i]?.variable;
    if (value === undefined || m === undefined || v === undefined) return false;
    const targets: [Variable, Variable, Variable] = [value, m, v];
    if (gradient.dtype !== "float32" || targets.some((t) => t.dtype !== "float32" || t.size !== gradient.size)) return false;
    updates.push({ targets, grad: gradient });
  }
  const accBeta1 = state.accBeta1.dataSync()[0] as number;
  const accBeta2 = state.accBeta2.dataSync()[0] as number;
  const oneMinusAccBeta1 = Math.fround(1 - accBeta1);
  const oneMinusAccBeta2 = Math.fround(1 - accBeta2);
  for (const { targets, grad } of updates) {
    // In place when the data is the variable's alone (the addon also checks that no view shares its
    // memory); otherwise into new tensors that the variables are then assigned.
    const ids = targets.map((t) => backend.id(t)) as [number, number, number];
    const results = addon.adam(...ids, backend.id(grad), state.learningRate, state.beta1, state.beta2, state.epsilon,
      oneMinusAccBeta1, oneMinusAccBeta2, targets.map((t) => backend.sole(t)) as [boolean, boolean, boolean]);
    targets.forEach((target, k) => {
      const id = results[k] as number;
      if (id < 0) return;
      const fresh = tf.engine().makeTensorFromTensorInfo(backend.adopt(id, target.shape, "float32"));
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
