// Finds and loads the compiled addon (native/build/Release/glassbox_native.node). The kernel runs
// bundled from dist/, tests and benches run from sources, so the repository root is found by walking
// up to the package.json named "glassbox" rather than by a fixed relative path.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { findKernelRoot } from "../../root";

/** Float32 buffers in, written into the caller's `out` buffer (also returned); shapes are plain arrays
 * (see native/src/*.cc). */
export interface NativeAddon {
  setThreads(n: number): void;
  getThreads(): number;
  config(): string;
  conv2d(
    x: Float32Array, xShape: number[], filter: Float32Array, filterShape: number[], strides: number[], pads: number[],
    dilations: number[], outShape: number[], bias: Float32Array | null, activation: number, alpha: number,
    out: Float32Array,
  ): Float32Array;
  conv2dBackpropInput(
    dy: Float32Array, dyShape: number[], filter: Float32Array, filterShape: number[], strides: number[], pads: number[],
    dilations: number[], inputShape: number[],
    out: Float32Array,
  ): Float32Array;
  conv2dBackpropFilter(
    x: Float32Array, xShape: number[], dy: Float32Array, dyShape: number[], filterShape: number[], strides: number[],
    pads: number[], dilations: number[],
    out: Float32Array,
  ): Float32Array;
  maxPool(
    x: Float32Array, xShape: number[], kernel: number[], strides: number[], pads: number[], outShape: number[],
    indices: BigInt64Array | null,
    out: Float32Array,
  ): Float32Array;
  maxPoolGrad(
    dy: Float32Array, dyShape: number[], x: Float32Array, xShape: number[], kernel: number[], strides: number[], pads: number[],
    indices: BigInt64Array | null,
    out: Float32Array,
  ): Float32Array;
  avgPool(x: Float32Array, xShape: number[], kernel: number[], strides: number[], pads: number[], outShape: number[], out: Float32Array): Float32Array;
  avgPoolGrad(dy: Float32Array, dyShape: number[], xShape: number[], kernel: number[], strides: number[], pads: number[], out: Float32Array): Float32Array;
  batchMatMul(
    a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], transposeA: boolean, transposeB: boolean,
    bias: Float32Array | null, biasShape: number[], activation: number, alpha: number, outShape: number[],
    out: Float32Array,
  ): Float32Array;
  unary(op: string, x: Float32Array, shape: number[], alpha: number, out: Float32Array): Float32Array;
  binary(op: string, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], outShape: number[], out: Float32Array): Float32Array;
  addN(arrays: Float32Array[], shape: number[], out: Float32Array): Float32Array;
  reduce(op: string, x: Float32Array, shape: number[], axes: number[], outShape: number[], out: Float32Array | null): Float32Array | Int32Array;
  softmax(logits: Float32Array, shape: number[], out: Float32Array): Float32Array;
  transpose(x: Float32Array, shape: number[], perm: number[], outShape: number[], out: Float32Array): Float32Array;
  adam(
    value: Float32Array, m: Float32Array, v: Float32Array, grad: Float32Array, learningRate: number, beta1: number, beta2: number,
    epsilon: number, oneMinusAccBeta1: number, oneMinusAccBeta2: number, outValue: Float32Array, outM: Float32Array, outV: Float32Array,
  ): void;
  gather(x: Float32Array, xShape: number[], indices: Int32Array, axis: number, outShape: number[], out: Float32Array): Float32Array;
}

export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

const ADDON = join("native", "build", "Release", "glassbox_native.node");

/** The repository root: from this module's folder (sources or dist/), else the working directory. */
export function findRepositoryRoot(): string | undefined {
  const starts = [typeof __dirname === "string" ? __dirname : undefined, process.cwd()];
  for (const start of starts) {
    const root = start === undefined ? undefined : findKernelRoot(start);
    if (root !== undefined) return root;
  }
  return undefined;
}

/**
 * Loads the addon once in a throwaway worker thread. Shared libraries stay mapped for the whole
 * process, so the main thread's own load afterwards is quick: libtorch's second-long load never
 * blocks the thread that answers the user.
 */
export async function preloadAddon(): Promise<void> {
  const root = findRepositoryRoot();
  if (root === undefined || !existsSync(join(root, ADDON))) return;
  const { Worker } = await import("node:worker_threads");
  await new Promise<void>((resolve) => {
    const worker = new Worker(`require(${JSON.stringify(join(root, ADDON))})`, { eval: true });
    worker.once("error", () => resolve()); // the real load reports the reason
    worker.once("exit", () => resolve());
  });
}

/** A cheap check, without loading libtorch (which takes over a second): is the addon built? */
export function addonBuilt(): boolean {
  const root = findRepositoryRoot();
  return root !== undefined && existsSync(join(root, ADDON));
}

export function loadAddon(): AddonLoad {
  const root = findRepositoryRoot();
  if (root === undefined) {
    return { ok: false, reason: "the Glassbox repository root (package.json named \"glassbox\") was not found, so the native addon cannot be located" };
  }
  const path = join(root, ADDON);
  if (!existsSync(path)) {
    return { ok: false, reason: "the native addon is not built (run npm run build:native; needs Debian's libtorch-dev)" };
  }
  try {
    const addon = createRequire(join(root, "package.json"))(path) as NativeAddon;
    return { ok: true, addon, path };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return {
      ok: false,
      reason: `the native addon at ${path} failed to load (${detail}); rebuild it with npm run build:native, and check that Debian's libtorch-dev is installed`,
    };
  }
}
