/**
 * `tf.io.fileSystem(path)` and `file://` URLs for `model.save`, `tf.loadLayersModel` and
 * `tf.loadGraphModel`, as tfjs-node provides them, on every backend: a model is a `model.json`
 * (topology and weights manifest) and a `weights.bin` beside it. Relative paths are resolved from
 * the notebook's folder.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as tfjs from "@tensorflow/tfjs";

type Tf = typeof tfjs;
type IOHandler = tfjs.io.IOHandler;

export const FILE_SCHEME = "file://";
const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

/** A `file://` URL or a plain path as a file-system path, relative ones from `cwd`. */
export function localPath(urlOrPath: string, cwd: string): string {
  let path = urlOrPath;
  if (path.startsWith(FILE_SCHEME)) {
    const rest = path.slice(FILE_SCHEME.length);
    // file:///abs/path is a real URL; file://./rel and file://rel are tfjs-node's relative form.
    path = rest.startsWith("/") ? fileURLToPath(`file://${rest}`) : rest;
  }
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function fileSystemHandler(tf: Tf, target: string | string[], cwd: string): IOHandler {
  const paths = (Array.isArray(target) ? target : [target]).map((p) => localPath(p, cwd));
  return {
    async save(artifacts) {
      if (paths.length !== 1) throw new Error(`tf.io.fileSystem saves to one folder; got ${paths.length} paths.`);
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error("Saving a model whose topology is binary is not supported; save a LayersModel or a GraphModel from JSON.");
      const dir = paths[0];
      if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`Cannot save the model to ${dir}: it is a file. tf.io.fileSystem saves into a folder (model.json and weights.bin).`);
      mkdirSync(dir, { recursive: true });
      const manifest: tfjs.io.WeightsManifestConfig = [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }];
      const { weightData: _data, weightSpecs: _specs, ...rest } = artifacts;
      const modelJson: tfjs.io.ModelJSON = { ...rest, modelTopology: artifacts.modelTopology ?? {}, weightsManifest: manifest };
      writeFileSync(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileSync(join(dir, WEIGHTS_BIN), Buffer.from(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load() {
      let [jsonPath, ...weightFiles] = paths;
      if (existsSync(jsonPath) && statSync(jsonPath).isDirectory()) jsonPath = join(jsonPath, MODEL_JSON);
      if (!existsSync(jsonPath)) throw new Error(`Cannot load the model: ${jsonPath} does not exist. Give the path of the model.json that model.save wrote (file://path/to/model.json).`);
      const modelJson = JSON.parse(readFileSync(jsonPath, "utf8")) as tfjs.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tfjs.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        const files = weightFiles.length ? weightFiles : manifest.flatMap((group) => group.paths.map((p) => join(dirname(jsonPath), p)));
        for (const group of manifest) specs.push(...group.weights);
        for (const file of files) {
          if (!existsSync(file)) throw new Error(`Cannot load the model's weights: ${file} does not exist (named in ${jsonPath}).`);
          buffers.push(toArrayBuffer(readFileSync(file)));
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** `file://` as tfjs-node routes it: save and load handlers for model URLs. */
export function registerFileRouters(tf: Tf, cwd: () => string): void {
  // tfjs types a router as never returning null, though its registry skips routers that do.
  const router = ((url: string | string[]): IOHandler | null => {
    const urls = Array.isArray(url) ? url : [url];
    return urls.every((u) => typeof u === "string" && u.startsWith(FILE_SCHEME)) ? fileSystemHandler(tf, urls, cwd()) : null;
  }) as (url: string | string[]) => IOHandler;
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
}
