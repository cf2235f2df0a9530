// The globals that the Glassbox kernel defines in every cell, as the cell compiler sees them.
import * as tfjs from "@tensorflow/tfjs";
import type { ClearOutput, Display, Input } from "./api";

declare global {
  /** TensorFlow.js, preloaded on the fastest backend available (see `%backend`); also a namespace of types (`tf.Tensor`). */
  export import tf = tfjs;
  /** Shows a value (or a MIME bundle) below the cell. */
  const display: Display;
  const clearOutput: ClearOutput;
  /** Asks the user for a line of text in the notebook. */
  const input: Input;
  /** Attribution methods: `await explain.integratedGradients(model, x, { target })` and more. */
  const explain: typeof import("../explain");
  /** tfjs-vis, drawn inline: `tfvis.render.scatterplot(...)`, `tfvis.show.modelSummary(...)`, `tfvis.metrics.*`. */
  const tfvis: typeof import("../display").tfvis;
  /** Trains every combination of a small grid one after another, compared live: `await sweep({ lr: [0.01, 0.1] }, ({ lr }, run) => model.fit(x, y, { callbacks: run.callbacks }))`. */
  const sweep: typeof import("../display").sweep;
  /** Jupyter comms, kernel side: `comms.registerTarget(name, (comm, data) => ...)`, `comms.open(target, data)`. */
  const comms: import("./comms").CommRegistry;
}
export {};
