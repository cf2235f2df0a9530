// Fused recurrent layers on the native backend. tfjs-layers runs an LSTM as ~20 small tensor ops per
// time step (and as many again for the gradient); here RNN.call hands the whole sequence of an LSTM,
// GRU or SimpleRNN cell to the addon (native/src/rnn.cc), which runs it in libtorch and keeps the
// autograd graph for the backward pass through time. The result is one tfjs op with a gradient, so
// model.fit, tf.grads and optimizers see nothing different.
//
// Only layers whose meaning the addon reproduces exactly take this path (the exact LSTMCell, GRUCell
// and SimpleRNNCell classes, the activations listed below, no active dropout, masks of [batch, time]);
// everything else, and every other backend, runs tfjs-layers' own RNN.call unchanged.
import type { Tensor } from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeAddon } from "./addon";
import type { Tf } from "./context";

type CellKind = "lstm" | "gru" | "simple";

interface RnnForwardArgs {
  cell: CellKind;
  activation: string;
  recurrentActivation: string;
  x: Float32Array;
  xShape: number[];
  kernel: Float32Array;
  kernelShape: number[];
  recurrentKernel: Float32Array;
  bias: Float32Array | null;
  states: Float32Array[] | null;
  mask: Float32Array | null;
  goBackwards: boolean;
  returnSequences: boolean;
  record: boolean;
}

/** An opaque handle on the addon's autograd graph of one recorded forward pass. */
type Tape = object;

interface RnnForwardResult {
  output: Float32Array;
  outputShape: number[];
  states: Float32Array[];
  tape?: Tape;
}

interface RnnBackwardResult {
  dx: Float32Array;
  dKernel: Float32Array;
  dRecurrentKernel: Float32Array;
  dBias: Float32Array | null;
  dStates: Float32Array[] | null;
}

/** The addon's recurrent entry points (native/src/rnn.cc). */
export interface RnnAddon {
  rnnForward(args: RnnForwardArgs): RnnForwardResult;
  rnnBackward(tape: Tape, dOutput: Float32Array, dStates: Float32Array[]): RnnBackwardResult;
  rnnRelease(tape: Tape): void;
}

// Activations the addon computes exactly as tfjs-layers does (by their registered class names).
const ACTIVATIONS = new Set(["tanh", "sigmoid", "hardSigmoid", "relu", "linear"]);

const CELLS: Record<string, CellKind> = { LSTMCell: "lstm", GRUCell: "gru", SimpleRNNCell: "simple" };

interface LayerVariableLike {
  read(): Tensor;
}

interface ActivationLike {
  getClassName(): string;
}

/** The fields of tfjs-layers' recurrent cells that the fused path reads (protected in their typings). */
interface CellLike {
  getClassName(): string;
  kernel: LayerVariableLike;
  recurrentKernel: LayerVariableLike;
  bias: LayerVariableLike | null;
  activation: ActivationLike;
  recurrentActivation?: ActivationLike;
  dropout: number;
  recurrentDropout: number;
}

/** The fields of tfjs-layers' RNN that its call() reads. */
interface RnnLayerLike {
  cell: CellLike;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
  states_: Tensor[] | null;
  resetStates(states?: Tensor | Tensor[], training?: boolean): void;
}

type Kwargs = { mask?: unknown; training?: unknown; initialState?: unknown } | null | undefined;
type RnnCall = (this: RnnLayerLike, inputs: Tensor | Tensor[], kwargs: Kwargs) => Tensor | Tensor[];

interface Plan {
  kind: CellKind;
  cell: CellLike;
  x: Tensor;
  mask: Tensor | null;
  initialState: Tensor[] | null;
  training: boolean;
}

/** The whole sequence can run fused with the same result as tfjs-layers' RNN.call, or undefined. */
function plan(tf: Tf, layer: RnnLayerLike, inputs: Tensor | Tensor[], kwargs: Kwargs): Plan | undefined {
  const cell = layer.cell;
  const kind = CELLS[cell.getClassName()];
  if (kind === undefined || !isExactClass(tf, cell)) return undefined;
  const training = Boolean(kwargs?.training);
  // Dropout masks are random per call: only inference (where tfjs applies none) is the same.
  if (training && (active(cell.dropout) || active(cell.recurrentDropout))) return undefined;
  const activations = [cell.activation, ...(kind === "simple" ? [] : [cell.recurrentActivation])];
  if (!activations.every((a) => a !== undefined && ACTIVATIONS.has(a.getClassName()))) return undefined;
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
  if (!(x instanceof tf.Tensor) || x.rank !== 3 || x.dtype !== "float32") return undefined;
  const mask = kwargs?.mask ?? null;
  if (mask !== null && !(mask instanceof tf.Tensor && mask.rank === 2 && mask.shape[0] === x.shape[0] && mask.shape[1] === x.shape[1])) {
    return undefined;
  }
  let initialState = (kwargs?.initialState ?? null) as Tensor[] | Tensor | null;
  if (initialState !== null && !Array.isArray(initialState)) initialState = [initialState];
  if (initialState === null && layer.stateful) initialState = layer.states_;
  const numStates = kind === "lstm" ? 2 : 1;
  if (initialState !== null) {
    const units = cell.recurrentKernel.read().shape[0];
    const fits = (s: unknown): boolean =>
      s instanceof tf.Tensor && s.dtype === "float32" && s.rank === 2 && s.shape[0] === x.shape[0] && s.shape[1] === units;
    // Anything else gets tfjs-layers' own error message.
    if (initialState.length !== numStates || !initialState.every(fits)) return undefined;
  }
  return { kind, cell, x, mask: mask as Tensor | null, initialState, training };
}

function active(rate: number): boolean {
  return rate > 0 && rate < 1;
}

/** Subclasses may override call(); only the registered classes themselves are known to match. */
function isExactClass(tf: Tf, cell: CellLike): boolean {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[cell.getClassName()];
  return entry !== undefined && Object.getPrototypeOf(cell) === (entry[0] as { prototype: object }).prototype;
}

// ---- the boundary with today's backend storage (float32 host arrays); one place to change ----

function hostFloats(tf: Tf, t: Tensor): Float32Array {
  const values = (tf.backend() as MathBackendCPU).data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : Float32Array.from(t.dataSync());
}

function fromHost(tf: Tf, values: Float32Array, shape: number[]): Tensor {
  return tf.tensor(values, shape, "float32");
}

// ---- the fused call ----

interface KernelFuncEngine {
  isTapeOn(): boolean;
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: (tensors: Tensor[]) => void) => Tensor[];
    backwardsFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => Record<string, () => Tensor>;
    inputs: Record<string, Tensor>;
  }): Tensor[];
}

function fusedCall(tf: Tf, addon: RnnAddon, layer: RnnLayerLike, p: Plan): Tensor | Tensor[] {
  const { cell, x } = p;
  const kernel = cell.kernel.read();
  const recurrentKernel = cell.recurrentKernel.read();
  const bias = cell.bias?.read() ?? null;
  const inputs: Record<string, Tensor> = { x, kernel, recurrentKernel };
  if (bias !== null) inputs.bias = bias;
  p.initialState?.forEach((s, i) => (inputs[`state${i}`] = s));
  const engine = tf.engine() as unknown as KernelFuncEngine;
  const record = engine.isTapeOn();
  let tape: Tape | undefined;
  const forwardFunc = (): Tensor[] => {
    const mask = p.mask === null ? null : Float32Array.from(p.mask.dataSync());
    const result = addon.rnnForward({
      cell: p.kind,
      activation: cell.activation.getClassName(),
      recurrentActivation: cell.recurrentActivation?.getClassName() ?? "linear",
      x: hostFloats(tf, x), xShape: x.shape,
      kernel: hostFloats(tf, kernel), kernelShape: kernel.shape,
      recurrentKernel: hostFloats(tf, recurrentKernel),
      bias: bias === null ? null : hostFloats(tf, bias),
      states: p.initialState === null ? null : p.initialState.map((s) => hostFloats(tf, s)),
      mask,
      goBackwards: layer.goBackwards,
      returnSequences: layer.returnSequences,
      record,
    });
    tape = result.tape;
    const stateShape = [x.shape[0], recurrentKernel.shape[0]];
    return [fromHost(tf, result.output, result.outputShape), ...result.states.map((s) => fromHost(tf, s, stateShape))];
  };
  const backwardsFunc = (dy: Tensor | Tensor[]): Record<string, () => Tensor> => {
    if (tape === undefined) throw new Error("native RNN: the forward pass ran without recording its gradient");
    const dys = Array.isArray(dy) ? dy : [dy];
    const [dOutput, ...dStates] = dys.map((d) => hostFloats(tf, d));
    const g = addon.rnnBackward(tape, dOutput as Float32Array, dStates);
    tape = undefined;
    const grads: Record<string, () => Tensor> = {
      x: () => fromHost(tf, g.dx, x.shape),
      kernel: () => fromHost(tf, g.dKernel, kernel.shape),
      recurrentKernel: () => fromHost(tf, g.dRecurrentKernel, recurrentKernel.shape),
    };
    if (bias !== null && g.dBias !== null) grads.bias = () => fromHost(tf, g.dBias as Float32Array, bias.shape);
    p.initialState?.forEach((s, i) => (grads[`state${i}`] = () => fromHost(tf, (g.dStates as Float32Array[])[i] as Float32Array, s.shape)));
    return grads;
  };
  const [output, ...states] = engine.runKernelFunc({ forwardFunc, backwardsFunc, inputs }) as [Tensor, ...Tensor[]];
  if (layer.stateful) layer.resetStates(states, p.training);
  return layer.returnState ? [output, ...states] : output;
}

const INSTALLED = Symbol.for("glassbox.native.fusedRnn");

/** Routes tfjs-layers' RNN.call to the fused path while `backendName` is the active backend. */
export function installFusedRnn(tf: Tf, addon: NativeAddon, backendName: string): void {
  const proto = (tf as unknown as { RNN: { prototype: { call: RnnCall; [INSTALLED]?: true } } }).RNN.prototype;
  if (proto[INSTALLED]) return;
  const rnnAddon = addon as unknown as RnnAddon;
  if (typeof rnnAddon.rnnForward !== "function") return; // an addon built before rnn.cc existed
  const original = proto.call;
  proto.call = function (this: RnnLayerLike, inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    if (tf.getBackend() === backendName) {
      const p = plan(tf, this, inputs, kwargs);
      if (p !== undefined) return tf.tidy(() => fusedCall(tf, rnnAddon, this, p));
    }
    return original.call(this, inputs, kwargs);
  };
  proto[INSTALLED] = true;
}

