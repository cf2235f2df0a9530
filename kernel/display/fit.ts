/**
 * Live curves for every model.fit / model.fitDataset: the prototypes are wrapped to add one
 * callback that feeds a TrainingMonitor. Opt out per call with `{ glassbox: { liveCurves: false } }`
 * in the fit arguments, or for the session with configureRichDisplay({ liveCurves: false }).
 */
import type * as tfjs from "@tensorflow/tfjs";
import type { DisplaySink } from "./sink";
import { TrainingMonitor, type MonitorOptions } from "./training";

/** Per-call options, passed as `glassbox` next to tfjs's own fit arguments (removed before tfjs sees them). */
export interface FitDisplayOptions extends Omit<MonitorOptions, "epochs" | "batchesPerEpoch"> {
  liveCurves?: boolean;
}

export const settings = { liveCurves: true, minIntervalMs: 100 };

/** Marks callbacks that already draw curves (ours, or tfvis-style ones), so fit adds no second chart. */
export const DRAWS_CURVES = Symbol.for("glassbox.drawsCurves");

/** Set on a fit's arguments when its cell was interrupted (kernel/engine/training-guard.ts), so the curve says so. */
export const FIT_INTERRUPTED = Symbol.for("glassbox.fitInterrupted");
/** A function on a fit's arguments that the training guard calls the moment its cell is interrupted. */
export const ON_FIT_INTERRUPT = Symbol.for("glassbox.onFitInterrupt");
/** Set on a fit's arguments when it threw, before callbacks' onTrainEnd run. */
export const FIT_FAILED = Symbol.for("glassbox.fitFailed");

const ORIGINAL = Symbol.for("glassbox.originalFit");
/** Set on fit arguments once a wrapper decided, so Sequential's inner LayersModel.fit doesn't decide again. */
const DECIDED = Symbol.for("glassbox.fitDecided");
type AnyFn = (this: unknown, ...args: unknown[]) => Promise<unknown>;
type FitArgs = Record<string, unknown> & { glassbox?: FitDisplayOptions; callbacks?: unknown };

function drawsCurves(callbacks: unknown): boolean {
  const list = Array.isArray(callbacks) ? callbacks : callbacks ? [callbacks] : [];
  return list.some((c) => c && typeof c === "object" && (c as Record<symbol, unknown>)[DRAWS_CURVES] === true);
}

function samplesOf(x: unknown): number | undefined {
  const first = Array.isArray(x) ? x[0] : x && typeof x === "object" && !("shape" in x) ? Object.values(x)[0] : x;
  const shape = (first as { shape?: number[] } | undefined)?.shape;
  return shape?.[0];
}

/** Callbacks in tfjs are either all BaseCallback instances or all plain objects; keep that true. */
function withCallback(tf: typeof tfjs, callbacks: unknown, ours: tfjs.CustomCallbackArgs & { [DRAWS_CURVES]: true }): unknown[] {
  const list = Array.isArray(callbacks) ? [...callbacks] : callbacks ? [callbacks] : [];
  // A BaseCallback (tf.Callback, tf.CustomCallback, tf.node.tensorBoard ...): tfjs does not export the base class.
  if (list.length && typeof (list[0] as { setParams?: unknown }).setParams === "function") {
    const wrapped = new tf.CustomCallback(ours) as unknown as Record<symbol, unknown>;
    wrapped[DRAWS_CURVES] = true;
    return [...list, wrapped];
  }
  return [...list, ours];
}

/** The run's final status: interrupted by the user, stopped early (a callback), or all epochs done. */
function finalStatus(fitArgs: FitArgs, ran: number, planned: number): "interrupted" | "stopped" | "completed" | "error" {
  if ((fitArgs as Record<symbol, unknown>)[FIT_INTERRUPTED]) return "interrupted";
  if ((fitArgs as Record<symbol, unknown>)[FIT_FAILED]) return "error";
  return ran < planned ? "stopped" : "completed";
}

function monitorCallbacks(monitor: TrainingMonitor, initialEpoch: number, end: (epochsRan: number) => void): tfjs.CustomCallbackArgs & { [DRAWS_CURVES]: true } {
  let ran = 0;
  return {
    [DRAWS_CURVES]: true,
    onTrainBegin: async () => { monitor.setProgress({ epoch: initialEpoch }); monitor.start(); },
    onEpochBegin: async (epoch) => { monitor.setProgress({ epoch, batch: 0 }); },
    onBatchEnd: async (_batch, logs) => { monitor.batch(logs ?? {}); },
    onEpochEnd: async (epoch, logs) => { ran++; monitor.epoch(logs ?? {}, epoch + 1); },
    // Also called by the training guard when a fit was terminated mid-batch and tfjs never got here.
    onTrainEnd: async () => { end(ran); },
  };
}

function wrap(tf: typeof tfjs, proto: Record<string, unknown>, method: "fit" | "fitDataset", currentSink: () => DisplaySink): void {
  const current = proto[method] as AnyFn & { [ORIGINAL]?: AnyFn };
  // Own property only: Sequential inherits from LayersModel and must get its own wrapper.
  if (!Object.prototype.hasOwnProperty.call(proto, method) || current[ORIGINAL]) return;
  const original = current;
  const patched = async function (this: tfjs.LayersModel, ...args: unknown[]): Promise<unknown> {
    const argIndex = method === "fit" ? 2 : 1;
    const given = (args[argIndex] ?? {}) as FitArgs;
    if ((given as Record<symbol, unknown>)[DECIDED]) return original.apply(this, args);
    const { glassbox, ...rest } = given;
    (rest as Record<symbol, unknown>)[DECIDED] = true;
    const callArgs = [...args];
    callArgs[argIndex] = rest;
    if (!(glassbox?.liveCurves ?? settings.liveCurves) || drawsCurves(rest.callbacks)) return original.apply(this, callArgs);
    // The sink is taken now, while the calling cell runs, so late epochs still reach that cell.
    const sink = currentSink();
    const epochs = (rest.epochs as number | undefined) ?? 1;
    const initialEpoch = (rest.initialEpoch as number | undefined) ?? 0;
    let batchesPerEpoch: number | undefined;
    if (method === "fitDataset") batchesPerEpoch = rest.batchesPerEpoch as number | undefined;
    else if (rest.stepsPerEpoch) batchesPerEpoch = rest.stepsPerEpoch as number;
    else {
      const samples = samplesOf(args[0]);
      const split = (rest.validationSplit as number | undefined) ?? 0;
      if (samples) batchesPerEpoch = Math.ceil(Math.floor(samples * (1 - split)) / ((rest.batchSize as number | undefined) ?? 32));
    }
    const monitor = new TrainingMonitor(sink, {
      title: `${this.name}.${method}`, minIntervalMs: settings.minIntervalMs, ...glassbox, epochs, batchesPerEpoch,
    });
    rest.callbacks = withCallback(tf, rest.callbacks, monitorCallbacks(monitor, initialEpoch, (ran) => monitor.done(finalStatus(rest, ran, epochs - initialEpoch))));
    // Said while the interrupted cell is still running, not when the fit reaches its next batch.
    (rest as Record<symbol, unknown>)[ON_FIT_INTERRUPT] = () => monitor.done("interrupted");
    try {
      const history = (await original.apply(this, callArgs)) as tfjs.History;
      monitor.done(finalStatus(rest, history?.epoch?.length ?? epochs - initialEpoch, epochs - initialEpoch));
      return history;
    } catch (error) {
      monitor.done("error");
      throw error;
    }
  } as AnyFn & { [ORIGINAL]?: AnyFn };
  patched[ORIGINAL] = original;
  proto[method] = patched;
}

/** Wraps fit/fitDataset of LayersModel and Sequential (which overrides both); idempotent. */
export function patchFit(tf: typeof tfjs, currentSink: () => DisplaySink): void {
  for (const cls of [tf.LayersModel, tf.Sequential]) {
    for (const method of ["fit", "fitDataset"] as const) wrap(tf, cls.prototype as unknown as Record<string, unknown>, method, currentSink);
  }
}
