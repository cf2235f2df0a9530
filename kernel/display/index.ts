/**
 * Rich display for the kernel: tensors, models and live training curves.
 * The runtime calls installRichDisplay once at startup; cells reach the rest through globals
 * the runtime defines (display.training → trainingCurves, a tfjs-vis stand-in → tfvis).
 */
import type * as tfjs from "@tensorflow/tfjs";
import type {} from "./fit-args"; // the `glassbox` fit option in tfjs's types
import { DRAWS_CURVES, patchFit, settings } from "./fit";
import { registerFormatter } from "./mime";
import { modelFormatter } from "./model";
import type { DisplaySink } from "./sink";
import { tensorFormatDefaults, tensorFormatter } from "./tensor";
import { TrainingMonitor, type MonitorOptions, type RunStatus } from "./training";

export type { DisplaySink } from "./sink";
export type { FitDisplayOptions } from "./fit";
export { TENSOR_MIME, formatTensor } from "./tensor";
export { TRAINING_MIME, TrainingMonitor } from "./training";
export { formatModel } from "./model";

let sinkOf: (() => DisplaySink) | undefined;
let installedFor: unknown;

export function installRichDisplay(tf: typeof tfjs, currentSink: () => DisplaySink): void {
  sinkOf = currentSink;
  if (installedFor === tf) return; // formatters and fit wrappers once per tfjs instance
  installedFor = tf;
  registerFormatter(tensorFormatter(tf, () => ({ maxDataElements: dataCap })));
  registerFormatter(modelFormatter(tf));
  patchFit(tf, () => sinkOf!());
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

function sinkNow(sink?: DisplaySink): DisplaySink {
  const s = sink ?? sinkOf?.();
  if (!s) throw new Error("Glassbox rich display is not installed: call installRichDisplay(tf, currentSink) first");
  return s;
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
  const monitor = new TrainingMonitor(sinkNow(sink), { minIntervalMs: settings.minIntervalMs, ...rest });
  monitor.start();
  return {
    id: monitor.runId,
    log: (step, metrics) => monitor.batch(metrics, step),
    epoch: (epoch, metrics) => monitor.epoch(metrics, epoch),
    done: (status) => monitor.done(status),
    callbacks: fitCallbacksFor(monitor),
  };
}

function fitCallbacksFor(monitor: TrainingMonitor): tfjs.CustomCallbackArgs {
  const callbacks = {
    [DRAWS_CURVES]: true,
    onBatchEnd: async (_batch: number, logs?: tfjs.Logs) => monitor.batch(logs ?? {}),
    onEpochEnd: async (epoch: number, logs?: tfjs.Logs) => monitor.epoch(logs ?? {}, epoch + 1),
    onTrainEnd: async () => monitor.done(),
  };
  return callbacks;
}

/** tfjs-vis "surface": a name/tab object or a DOM-less label; only the name is used (as the title). */
type Surface = { name?: string; tab?: string } | string | undefined;
const titleOf = (s: Surface) => (typeof s === "string" ? s : s?.name ?? "training");

/**
 * A stand-in for the parts of @tensorflow/tfjs-vis people use with training, drawing inline:
 * `tfvis.show.fitCallbacks(surface, ["loss", "acc"])` and `tfvis.show.history(surface, history, metrics)`.
 */
export const tfvis = {
  show: {
    fitCallbacks(surface: Surface, metrics?: string[], _opts?: unknown): tfjs.CustomCallbackArgs {
      const monitor = new TrainingMonitor(sinkNow(), { title: titleOf(surface), only: metrics, minIntervalMs: settings.minIntervalMs });
      return fitCallbacksFor(monitor);
    },
    history(surface: Surface, history: tfjs.History | { history: Record<string, number[]> } | Array<Record<string, number>>, metrics?: string[]): void {
      const monitor = new TrainingMonitor(sinkNow(), { title: titleOf(surface), only: metrics, minIntervalMs: 60_000 }); // one show, then the final update
      const rows: Array<Record<string, number>> = Array.isArray(history) ? history
        : Object.entries(history.history).reduce<Array<Record<string, number>>>((acc, [key, values]) => {
          values.forEach((v, i) => { (acc[i] ??= {})[key] = Number(v); });
          return acc;
        }, []);
      rows.forEach((row, i) => monitor.epoch(row, i + 1));
      monitor.done();
    },
  },
};
