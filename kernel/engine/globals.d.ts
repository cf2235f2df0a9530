// The globals that the Glassbox kernel defines in every cell, as the cell compiler sees them.
import type * as tfjs from "@tensorflow/tfjs";
import type { ClearOutput, Display, Input } from "./api";

declare global {
  /** TensorFlow.js, preloaded on the fastest backend available (see `%backend`). */
  const tf: typeof tfjs;
  /** Shows a value (or a MIME bundle) below the cell. */
  const display: Display;
  const clearOutput: ClearOutput;
  /** Asks the user for a line of text in the notebook. */
  const input: Input;
}
export {};
