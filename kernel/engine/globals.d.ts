// The globals that the Glassbox kernel defines in every cell, as the cell compiler sees them.
import * as tfjs from "../node-api/tf";
import type { ClearOutput, Display, Input } from "./api";

declare global {
  /** TensorFlow.js, preloaded on the fastest backend available (see `%backend`); also a namespace of types (`tf.Tensor`), with tfjs-node's `tf.node`. */
  export import tf = tfjs;
  /** Shows a value (or a MIME bundle) below the cell. */
  const display: Display;
  const clearOutput: ClearOutput;
  /** Asks the user for a line of text in the notebook. */
  const input: Input;
  /** Attribution methods: `await explain.integratedGradients(model, x, { target })` and more. */
  const explain: typeof import("../explain");
  /** A controlled predictor: rules, human review, drift monitoring, feedback, audit. `control(model, { features, rules })`. */
  const control: (model: import("../control/types").ControlModel, options: import("../control/types").ControlOptions) => import("../control/types").ControlledPredictor;
  /** tfjs-vis, drawn inline: `tfvis.render.scatterplot(...)`, `tfvis.show.modelSummary(...)`, `tfvis.metrics.*`. */
  const tfvis: typeof import("../display").tfvis;
  /** Trains every combination of a small grid one after another, compared live: `await sweep({ lr: [0.01, 0.1] }, ({ lr }, run) => model.fit(x, y, { callbacks: run.callbacks }))`. */
  const sweep: typeof import("../display").sweep;
  /** Jupyter comms, kernel side: `comms.registerTarget(name, (comm, data) => ...)`, `comms.open(target, data)`. */
  const comms: import("./comms").CommRegistry;
  /** Exercise check: prints ✓ message when `condition` holds, else stops the cell with the message and `{ hint }`. */
  const check: typeof import("../course/checks").check;
  /** Exercise matchers: `expect(x).toBeCloseTo([6, 15], { hint })`, `toEqual`, `toHaveShape`, `toThrow`… */
  const expect: typeof import("../course/checks").expect;
}
export {};
