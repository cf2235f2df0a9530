// TensorFlow.js as cells see it: `tf`, and what `@tensorflow/tfjs`, `@tensorflow/tfjs-node` and
// `@tensorflow/tfjs-node-gpu` resolve to in the cell compiler (see compiler/service.ts). It is
// tfjs's own types, plus:
//   - tfjs-node's API (`tf.node`, `tf.io.fileSystem`), which the kernel provides on every backend;
//   - narrower types for the common case, so that code type-checks as tfjs's docs write it:
//     `predict`, `apply` and `call` of single-output models and layers return one Tensor (or
//     SymbolicTensor) rather than `Tensor | Tensor[]` (models built with an array of outputs keep
//     the wide types); fit's callbacks get `logs` (not `logs | undefined`) and may be one
//     `tf.node.tensorBoard()`; `dataset.batch()` of numbers gives tensors.
import * as tfjs from "@tensorflow/tfjs";
import type { imageCodecs } from "./images";
import type { summaryWriters, TensorBoardCallbackArgs } from "./summary";

export * from "@tensorflow/tfjs";

type Kwargs = { [key: string]: unknown };
type PredictArgs = Parameters<tfjs.LayersModel["predict"]>[1];

/** What a layer with one output returns when applied: one tensor, symbolic when its input is. */
export interface SingleOutputLayer {
  apply(inputs: tfjs.SymbolicTensor | tfjs.SymbolicTensor[], kwargs?: Kwargs): tfjs.SymbolicTensor;
  apply(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs?: Kwargs): tfjs.Tensor;
  call(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: Kwargs): tfjs.Tensor;
}

/** fit's callbacks as tfjs's docs write them: `logs` is always given, and one callback object need not be in an array. */
export interface FitCallbacks {
  onTrainBegin?: (logs: tfjs.Logs) => void | Promise<void>;
  onTrainEnd?: (logs: tfjs.Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs: tfjs.Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: tfjs.Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs: tfjs.Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: tfjs.Logs) => void | Promise<void>;
  onYield?: (epoch: number, batch: number, logs: tfjs.Logs) => void | Promise<void>;
}
// Callback objects (tf.Callback, tf.node.tensorBoard()) fit FitCallbacks too; one type keeps the
// parameters of an inline `onEpochEnd: (epoch, logs) => ...` typed.
type WithCallbacks<A> = Omit<A, "callbacks"> & { callbacks?: FitCallbacks | FitCallbacks[] };

/** What a model with one output returns: one tensor from `predict`. */
export interface SingleOutputModel extends SingleOutputLayer {
  predict(x: tfjs.Tensor | tfjs.Tensor[], args?: PredictArgs): tfjs.Tensor;
  predictOnBatch(x: tfjs.Tensor | tfjs.Tensor[]): tfjs.Tensor;
  fit(x: tfjs.Tensor | tfjs.Tensor[] | { [inputName: string]: tfjs.Tensor }, y: tfjs.Tensor | tfjs.Tensor[] | { [inputName: string]: tfjs.Tensor }, args?: WithCallbacks<tfjs.ModelFitArgs>): Promise<tfjs.History>;
  fitDataset<T>(dataset: tfjs.data.Dataset<T>, args: WithCallbacks<tfjs.ModelFitDatasetArgs<T>>): Promise<tfjs.History>;
}

/** The narrow signatures come first, so they are the ones overload resolution picks. */
type Narrowed<T> = T extends tfjs.LayersModel ? SingleOutputModel & T : T extends tfjs.layers.Layer ? SingleOutputLayer & T : T;
type NarrowFactory<F> = F extends (...args: infer A) => infer R ? (...args: A) => Narrowed<R> : F;
type NarrowedLayers = { [K in keyof typeof tfjs.layers]: NarrowFactory<(typeof tfjs.layers)[K]> };

/** A Sequential model: one input, one output. */
export declare function sequential(config?: tfjs.SequentialArgs): SingleOutputModel & tfjs.Sequential;

type ContainerArgs = Parameters<typeof tfjs.model>[0];
/** A functional model. With one output (`outputs: x`), `predict` returns one tensor; with an array of outputs, an array. */
export declare function model(args: ContainerArgs & { outputs: tfjs.SymbolicTensor }): SingleOutputModel & tfjs.LayersModel;
export declare function model(args: ContainerArgs): tfjs.LayersModel;

/** Loads a model saved by `model.save` (`file://`, `http(s)://`, ...). Typed as one output, the usual case; cast to `tf.LayersModel` for several. */
export declare function loadLayersModel(
  pathOrIOHandler: string | tfjs.io.IOHandler,
  options?: tfjs.io.LoadOptions,
): Promise<SingleOutputModel & tfjs.LayersModel>;

/** Layers, as `tf.layers.dense(...)`; applying one with a single output gives one tensor. */
export declare const layers: NarrowedLayers;
export declare namespace layers {
  type Layer = tfjs.layers.Layer;
  type RNN = tfjs.layers.RNN;
  type RNNCell = tfjs.layers.RNNCell;
}

/** tfjs-node's API, on every backend: image codecs and TensorBoard summaries. */
export declare const node: ReturnType<typeof imageCodecs> & ReturnType<typeof summaryWriters>;
export declare namespace node {
  type SummaryFileWriter = import("./summary").SummaryFileWriter;
  type TensorBoardCallback = InstanceType<ReturnType<typeof summaryWriters>["TensorBoardCallback"]>;
  type TensorBoardArgs = TensorBoardCallbackArgs;
}

/** What `batch` makes of an element: numbers, strings and tensors become one tensor; arrays and objects, of tensors. */
type Batched<T> = T extends number | boolean | string | tfjs.Tensor
  ? tfjs.Tensor
  : T extends readonly unknown[] | { [key: string]: unknown }
    ? { [K in keyof T]: Batched<T[K]> }
    : tfjs.TensorContainer;

declare module "@tensorflow/tfjs-data/dist/dataset" {
  interface Dataset<T extends tfjs.TensorContainer> {
    /** Groups elements into batches of `batchSize`: `tf.data.array([1, 2, 3, 4]).batch(2)` gives two 1D tensors. */
    batch(batchSize: number, smallLastBatch?: boolean): Dataset<Batched<T>>;
  }
}

declare module "@tensorflow/tfjs-core/dist/io/io" {
  /** Saves to a folder (`model.json` and `weights.bin`) or loads from a `model.json`, as tfjs-node does; relative paths are from the notebook's folder. */
  function fileSystem(path: string | string[]): IOHandler;
}
