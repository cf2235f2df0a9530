/**
 * Lets `model.fit(x, y, { ..., glassbox: { liveCurves: false } })` type-check: adds the
 * `glassbox` option to tfjs's fit argument types. A program (or the cell compiler) sees it when
 * this module is part of it; kernel/display/index.ts imports it.
 */
import type { FitDisplayOptions } from "./fit";

declare module "@tensorflow/tfjs-layers/dist/engine/training_tensors" {
  interface ModelFitArgs {
    /** Glassbox display options for this call, e.g. `{ liveCurves: false }` or a `title`. */
    glassbox?: FitDisplayOptions;
  }
}

declare module "@tensorflow/tfjs-layers/dist/engine/training_dataset" {
  interface ModelFitDatasetArgs<T> {
    /** Glassbox display options for this call, e.g. `{ liveCurves: false }` or a `title`. */
    glassbox?: FitDisplayOptions;
  }
}
