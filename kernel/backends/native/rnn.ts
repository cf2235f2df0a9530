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
import type { NativeAddon } from "./addon";
import type { NativeBackend } from "./backend";
import type { Tf } from "./context";

type CellKind = "lstm" | "gru" | "simple";

/** Tensors cross to the addon as slot ids (native/src/tensors.h): nothing is copied to the host. */
interface RnnForwardArgs {
  cell: CellKind;
  activation: string;
  recurrentActivation: string;
  x: number;
  kernel: number;
  recurrentKernel: number;
  bias: number | null;
  states: number[] | null;
  mask: number | null;
  goBackwards: boolean;
  returnSequences: boolean;
  record: boolean;
}

/** An opaque handle on the addon's autograd graph of one recorded forward pass. */
type Tape = object;

/** The addon's recurrent entry points (native/src/rnn.cc). */
export interface RnnAddon {
  /** [output, ...states] as slot ids, then the tape when recording. */
  rnnForward(args: RnnForwardArgs): (number | Tape)[];
  /** Gradients as slot ids in input order: x, kernel, recurrentKernel, [bias], [initial states...]. */
  rnnBackward(tape: Tape, dOutput: number, dStates: number[]): number[];
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
  const backend = tf.backend() as NativeBackend;
  const id = (t: Tensor): number => backend.id(t);
  const adopt = (slot: number, shape: number[]): Tensor => tf.engine().makeTensorFromTensorInfo(backend.adopt(slot, shape, "float32")) as Tensor;
  const forwardFunc = (): Tensor[] => {
    const result = addon.rnnForward({
      cell: p.kind,
      activation: cell.activation.getClassName(),
      recurrentActivation: cell.recurrentActivation?.getClassName() ?? "linear",
      x: id(x),
      kernel: id(kernel),
      recurrentKernel: id(recurrentKernel),
      bias: bias === null ? null : id(bias),
      states: p.initialState === null ? null : p.initialState.map(id),
      mask: p.mask === null ? null : id(p.mask),
      goBackwards: layer.goBackwards,
      returnSequences: layer.returnSequences,
      record,
    });
    const numStates = p.kind === "lstm" ? 2 : 1;
    if (record) tape = result[numStates + 1] as Tape;
    const [batch, time] = x.shape;
    const units = recurrentKernel.shape[0] as number;
    const stateShape = [batch as number, units];
    const outputShape = layer.returnSequences ? [batch as number, time as number, units] : stateShape;
    const ids = result.slice(0, numStates + 1) as number[];
    return [adopt(ids[0] as number, outputShape), ...ids.slice(1).map((s) => adopt(s, stateShape))];
  };
  const backwardsFunc = (dy: Tensor | Tensor[]): Record<string, () => Tensor> => {
    if (tape === undefined) throw new Error("native RNN: the forward pass ran without recording its gradient");
    const [dOutput, ...dStates] = (Array.isArray(dy) ? dy : [dy]).map(id);
    const ids = addon.rnnBackward(tape, dOutput as number, dStates);
    tape = undefined;
    // Every gradient is made now (the tape is consumed); tfjs calls only the ones it needs, so the
    // rest are disposed with the tidy that runs the backward pass.
    const order: [string, Tensor][] = [["x", x], ["kernel", kernel], ["recurrentKernel", recurrentKernel]];
    if (bias !== null) order.push(["bias", bias]);
    p.initialState?.forEach((s, i) => order.push([`state${i}`, s]));
    const grads: Record<string, () => Tensor> = {};
    order.forEach(([name, input], k) => {
      const grad = adopt(ids[k] as number, input.shape);
      grads[name] = () => grad;
    });
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

