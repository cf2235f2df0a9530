/** Fit callbacks that feed a TrainingMonitor, marked so model.fit adds no second chart. */
import type * as tfjs from "@tensorflow/tfjs";
import { DRAWS_CURVES } from "../fit";
import type { TrainingMonitor } from "../training";

export function fitCallbacksFor(monitor: TrainingMonitor): tfjs.CustomCallbackArgs {
  return {
    [DRAWS_CURVES]: true,
    onBatchEnd: async (_batch: number, logs?: tfjs.Logs) => monitor.batch(logs ?? {}),
    onEpochEnd: async (epoch: number, logs?: tfjs.Logs) => monitor.epoch(logs ?? {}, epoch + 1),
    onTrainEnd: async () => monitor.done(),
  } as tfjs.CustomCallbackArgs;
}
