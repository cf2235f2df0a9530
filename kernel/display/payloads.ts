/**
 * The Glassbox MIME payloads, declared once: the kernel builds them (tensor.ts, training.ts,
 * explain/explanation.ts, model.ts, runs.ts, figure.ts) and the renderers read them (type-only imports, checked structurally at
 * the renderer boundary by renderers/<name>/check.ts, since a saved notebook may hold anything).
 * Schemas: docs/mime/*.v1.md. This module has no imports, so either bundle may use it.
 */

export const TENSOR_MIME = "application/vnd.glassbox.tensor.v1+json";
export const TRAINING_MIME = "application/vnd.glassbox.training.v1+json";
export const EXPLANATION_MIME = "application/vnd.glassbox.explanation.v1+json";
export const MODEL_MIME = "application/vnd.glassbox.model.v1+json";
export const RUNS_MIME = "application/vnd.glassbox.runs.v1+json";
/** Plotly's own MIME type (JupyterLab and VS Code draw it too); its JSON carries no version field. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

// ---------- tensor.v1 ----------

export type TensorView = "table" | "heatmap" | "image" | "histogram";
/** How an image-like tensor is laid out; N = batch, C = channels (1/3/4 colour, else one tile per channel). */
export type ImageLayout = "HW" | "HWC" | "NHW" | "NHWC";
/** Preview cells: numbers, non-finite numbers as "NaN"/"Infinity"/"-Infinity" (JSON has no such numbers), null = elided. */
export type PreviewValue = number | string | boolean | null | PreviewValue[];

export interface TensorStats {
  min: number | null; max: number | null; mean: number | null; std: number | null;
  finite: number; zeros: number; nan: number; posInf: number; negInf: number;
}

export interface TensorPayloadV1 {
  version: 1;
  name?: string;
  dtype: string;
  shape: number[];
  backend: string;
  size: number;
  stats: TensorStats | null;
  histogram: { edges: number[]; counts: number[] } | null;
  preview: { edgeItems: number; threshold: number; summarized: boolean; values: PreviewValue };
  data: {
    dtype: "float32" | "int32" | "uint8";
    shape: number[];
    strides: number[];
    downsampled: boolean;
    note?: string;
    encoding: "base64";
    byteOrder: "little";
    bytes: string;
  } | null;
  view: { default: TensorView; available: TensorView[]; layout?: ImageLayout; valueRange?: [number, number] };
}

// ---------- training.v1 ----------

export type Split = "train" | "val";
export type Goal = "min" | "max";
export type RunStatus = "running" | "completed" | "stopped" | "interrupted" | "error";

export interface MetricInfo {
  key: string;
  /** Metrics in one group share a chart (e.g. loss and val_loss). */
  group: string;
  split: Split;
  goal?: Goal;
  /** Known value range, e.g. [0, 1] for accuracy. */
  domain?: [number, number];
}

export interface Series {
  step: number[];
  /** Milliseconds since the run started. */
  time: number[];
  /** Per metric key, aligned with `step`; null where the metric was not logged or not finite. */
  values: Record<string, Array<number | null>>;
  /** Present when long series were averaged in buckets of `bucket` points to bound the payload. */
  aggregated?: { method: "mean"; bucket: number; rawLength: number };
}

export interface TrainingPayloadV1 {
  version: 1;
  runId: string;
  title: string;
  status: RunStatus;
  /** Increases with every emission; renderers drop anything older than what they show. */
  seq: number;
  startedAt: number;
  updatedAt: number;
  metrics: MetricInfo[];
  series: { batch: Series; epoch: Series & { batchStep: number[] } };
  progress: { epoch: number; epochs?: number; batch: number; batchesPerEpoch?: number; step: number; fraction?: number; elapsedMs: number; etaMs?: number };
  summary?: string;
}

// ---------- explanation.v1 ----------

export type Sign = "all" | "positive" | "negative" | "absolute";
export type Overlay = "blended" | "masked" | "heatmap";
export type Convention = "shap" | "captum";
export type Modality = "tabular" | "image" | "text";

export interface ExplanationDisplay {
  plots: string[];
  sign: Sign;
  overlay: Overlay;
  clipPercentile: number;
  colorConvention: Convention;
  maxDisplay: number;
}

export interface ExplanationPayloadV1 {
  version: 1;
  method: string;
  modality: Modality;
  rowCount: number;
  rows: { target: number; prediction: number; baseValue: number | null; gap: number | null }[];
  features?: { names: string[]; values: (number | null)[][] | null; attributions: number[][] };
  text?: { tokens: string[][]; attributions: number[][] };
  image?: { height: number; width: number; layerShape: number[] | null; pixels: ({ mime: string; base64: string } | null)[]; attributions: number[][] };
  display: ExplanationDisplay;
  diagnostics: Record<string, unknown> & { evaluations: number; batches: number; ms: number; seed: number | null };
}

// ---------- model.v1 ----------

export type Shape = Array<number | null>;

export interface GraphLayer {
  /** Unique in the whole payload: nested layers are prefixed with their model's id and "/". */
  id: string;
  name: string;
  className: string;
  /** One per call of the layer in this model (a shared layer has several). */
  outputShapes: Shape[];
  params: number;
  trainable: boolean;
  /** For a nested model: its own graph. */
  graph?: ModelGraph;
}

export interface GraphEdge { from: string; to: string; shape: Shape | null }

export interface ModelGraph {
  name: string;
  className: string;
  inputs: string[];
  outputs: string[];
  layers: GraphLayer[];
  edges: GraphEdge[];
}

export interface ModelPayloadV1 {
  version: 1;
  graph: ModelGraph;
  totalParams: number;
  trainableParams: number;
  layerCount: number;
}

// ---------- runs.v1 ----------

export type HParams = Record<string, string | number | boolean>;

export interface RunRecord {
  id: string;
  /** "lr=0.01 batchSize=32": the hyperparameters, or the label given. */
  label: string;
  hparams: HParams;
  status: RunStatus;
  elapsedMs: number;
  /** Per-epoch metrics, 1-based epochs; null where a metric was not logged or not finite. */
  epochs: { epoch: number[]; values: Record<string, Array<number | null>> };
  /** Best value of each metric (min or max by its goal; the last value when it has none). */
  best: Record<string, { value: number; epoch: number }>;
}

export interface RunsPayloadV1 {
  version: 1;
  boardId: string;
  title: string;
  /** Increases with every emission; renderers drop anything older than what they show. */
  seq: number;
  /** running while a run is; stopped when a sweep was interrupted. */
  status: "running" | "done" | "stopped";
  metrics: Array<{ key: string; group: string; split: Split; goal?: Goal }>;
  hparams: string[];
  runs: RunRecord[];
}

// ---------- Plotly (application/vnd.plotly.v1+json) ----------

/** One Plotly trace (scatter, bar, histogram, heatmap… : https://plotly.com/javascript/reference/). */
export type Trace = Record<string, unknown> & { type?: string; name?: string };
/** A Plotly figure: traces and a layout, as Plotly.newPlot takes them. */
export interface Figure {
  data: Trace[];
  layout?: Record<string, unknown>;
}
