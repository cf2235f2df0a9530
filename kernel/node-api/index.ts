/**
 * What tfjs-node adds to TensorFlow.js, on every backend: `tf.node` (image codecs, TensorBoard
 * summaries), `tf.io.fileSystem`, and `file://` URLs for saving and loading models and for
 * `tf.data.csv` (which tfjs-data reads itself, from the kernel's working directory: the notebook's
 * folder). Relative paths are resolved from the notebook's folder.
 */
import type * as tfjs from "@tensorflow/tfjs";
import { fileSystemHandler, localPath, registerFileRouters } from "./file-system";
import { imageCodecs } from "./images";
import { summaryWriters } from "./summary";

type Tf = typeof tfjs;

const INSTALLED = Symbol.for("glassbox.nodeApi");

/** Adds tfjs-node's API to `tf` (once); `cwd` is the notebook's folder at the time of each call. */
export function installNodeApi(tf: Tf, cwd: () => string): void {
  const target = tf as unknown as Record<string | symbol, unknown>;
  if (target[INSTALLED]) return;
  target[INSTALLED] = true;
  const resolvePath = (p: string) => localPath(p, cwd());
  registerFileRouters(tf, cwd);
  (tf.io as unknown as Record<string, unknown>).fileSystem = (path: string | string[]) => fileSystemHandler(tf, path, cwd());
  target.node = { ...imageCodecs(tf), ...summaryWriters(tf, resolvePath) };
}
