/**
 * Rich display for the kernel: tensors, models and live training curves.
 * The runtime calls installRichDisplay once at startup; cells reach the rest through globals
 * the runtime defines (display.training → trainingCurves, display.plot → showFigure, tfjs-vis → tfvis).
 */
import type * as tfjs from "@tensorflow/tfjs";
import type {} from "./fit-args"; // the `glassbox` fit option in tfjs's types
import { patchFit, settings } from "./fit";
import { registerFormatter } from "./mime";
import { modelFormatter } from "./model";
import { currentSink, setCurrentSink, type DisplaySink } from "./sink";
import { tensorFormatDefaults, tensorFormatter } from "./tensor";
import { TrainingMonitor, type MonitorOptions, type RunStatus } from "./training";
import { fitCallbacksFor } from "./vis/callbacks";

export type { DisplaySink } from "./sink";
export type { FitDisplayOptions } from "./fit";
export { TENSOR_MIME, formatTensor } from "./tensor";
export { TRAINING_MIME, TrainingMonitor } from "./training";
export { formatModel } from "./model";
export * as tfvis from "./vis/index";
export { PLOTLY_MIME, showFigure, figurePayload, type Figure, type PlotHandle } from "./figure";
export { RUNS_MIME, RunsBoard, setInterruptHook, sweep, type Run, type RunsOptions, type SweepOptions, type HParams } from "./runs";

let installedFor: unknown;

export function installRichDisplay(tf: typeof tfjs, sinkOfCell: () => DisplaySink): void {
  setCurrentSink(sinkOfCell);
  if (installedFor === tf) return; // formatters and fit wrappers once per tfjs instance
  installedFor = tf;
  registerFormatter(tensorFormatter(tf, () => ({ maxDataElements: dataCap })));
  registerFormatter(modelFormatter(tf));
  patchFit(tf, () => currentSink());
}

let dataCap = tensorFormatDefaults.maxDataElements;

export interface RichDisplayOptions {
  /** Live curves for every model.fit/fitDataset (default true). */
  liveCurves?: boolean;
  /** Minimum milliseconds between training updates (default 100, i.e. ≤ 10 per second). */
  minIntervalMs?: number;
  /** Most tensor elements carried in a tensor output's data (default 262144); larger tensors are strided. */
  tensorDataCap?: number;
}

/** Session-wide switches; returns the settings now in force. */
export function configureRichDisplay(options: RichDisplayOptions = {}): Required<RichDisplayOptions> {
  if (options.liveCurves !== undefined) settings.liveCurves = options.liveCurves;
  if (options.minIntervalMs !== undefined) settings.minIntervalMs = options.minIntervalMs;
  if (options.tensorDataCap !== undefined) dataCap = Math.max(1, Math.floor(options.tensorDataCap));
  return { liveCurves: settings.liveCurves, minIntervalMs: settings.minIntervalMs, tensorDataCap: dataCap };
}


export interface TrainingCurvesOptions extends MonitorOptions {
  /** Where to show; defaults to the running cell's sink. */
  sink?: DisplaySink;
}

/** Curves for a custom training loop; also usable as tfjs fit callbacks (`callbacks: run.callbacks`). */
export interface TrainingRun {
  readonly id: string;
  /** One step (batch) with its metrics; `step` defaults to the previous one plus 1. */
  log(step: number | undefined, metrics: Record<string, number>): void;
  /** End of an epoch (1-based; defaults to the next), e.g. with validation metrics. */
  epoch(epoch: number | undefined, metrics: Record<string, number>): void;
  done(status?: Exclude<RunStatus, "running">): void;
  readonly callbacks: tfjs.CustomCallbackArgs;
}

export function trainingCurves(options: TrainingCurvesOptions = {}): TrainingRun {
  const { sink, ...rest } = options;
  const monitor = new TrainingMonitor(currentSink(sink), { minIntervalMs: settings.minIntervalMs, ...rest });
  monitor.start();
  return {
    id: monitor.runId,
    log: (step, metrics) => monitor.batch(metrics, step),
    epoch: (epoch, metrics) => monitor.epoch(metrics, epoch),
    done: (status) => monitor.done(status),
    callbacks: fitCallbacksFor(monitor),
  };
}

