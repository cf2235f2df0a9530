// Finds and loads the compiled addon (native/build/Release/glassbox_native.node). The kernel runs
// bundled from dist/, tests and benches run from sources, so the repository root is found by walking
// up to the package.json named "glassbox" rather than by a fixed relative path.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { findKernelRoot } from "../../root";
import type { DeviceInfo } from "./backend";

/** A tensor held by the addon is named by its slot id (a number). Kernels take ids and return the id of
 * a new slot, leaving its dtype code and shape in `out` (see native/src/tensors.h); -1 stands for "none"
 * where a tensor is optional. */
export interface NativeAddon {
  /** [dtype code, rank, ...dims] of the last tensor a kernel made. */
  out: Int32Array;
  setThreads(n: number): void;
  getThreads(): number;
  config(): string;
  version(): string;
  /** What runs 2-D float products on the CPU: "oneDNN" (its sgemm) or "ATen" (the system BLAS behind it;
   * also when GLASSBOX_NATIVE_GEMM=aten). */
  gemmLibrary(): "oneDNN" | "ATen";
  selectDevice(wanted: "auto" | "cpu" | "cuda"): DeviceInfo;
  memory(): { bytes: number; deviceUsed: number; deviceTotal: number };
  write(values: ArrayBufferView, shape: number[], dtype: number): number;
  read(id: number): Float32Array | Int32Array | Uint8Array;
  free(id: number): void;
  alias(id: number): number;
  live(): number;
  exclusive(id: number): boolean;

  unaryOps: string[];
  binaryOps: string[];
  unary(op: number, x: number, a?: number, b?: number): number;
  binary(op: number, a: number, b: number): number;
  cast(x: number, dtype: number): number;
  select(condition: number, t: number, e: number): number;
  addN(ids: number[]): number;
  fill(shape: number[], value: number, dtype: number): number;
  range(start: number, step: number, n: number, dtype: number): number;

  reduce(x: number, op: number, axes: number[], keepDims: boolean): number;
  cumulative(x: number, axis: number, exclusive: boolean, reverse: boolean, product: boolean): number;
  softmax(x: number, dim: number, log: boolean): number;
  topk(x: number, k: number): [number, number];

  reshape(x: number, shape: number[]): number;
  transpose(x: number, perm: number[]): number;
  slice(x: number, begin: number[], size: number[]): number;
  stridedSlice(x: number, begin: number[], end: number[], strides: number[], finalShape: number[]): number;
  concat(ids: number[], axis: number): number;
  split(x: number, sizes: number[], axis: number): number[];
  stack(ids: number[], axis: number): number;
  unstack(x: number, axis: number): number[];
  tile(x: number, reps: number[]): number;
  pad(x: number, paddings: number[], value: number): number;
  gather(x: number, indices: number, axis: number, batchDims: number): number;
  gatherNd(params: number, indices: number): number;
  oneHot(indices: number, depth: number, on: number, off: number, dtype: number): number;
  reverse(x: number, dims: number[]): number;
  unsortedSegmentSum(x: number, segmentIds: number, numSegments: number): number;
  scatterNd(indices: number, updates: number, shape: number[]): number;
  einsum(equation: string, ids: number[]): number;
  mirrorPad(x: number, paddings: number[], symmetric: boolean): number;

  matMul(a: number, b: number, transposeA: boolean, transposeB: boolean, bias: number, activation: number, alpha: number, prelu: number): number;
  conv2d(x: number, filter: number, strides: number[], pads: number[], dilations: number[], depthwise: boolean, bias: number, activation: number, alpha: number, prelu: number): number;
  conv2dBackpropInput(dy: number, filter: number, inputShape: number[], strides: number[], pads: number[], dilations: number[], depthwise: boolean): number;
  conv2dBackpropFilter(x: number, dy: number, filterShape: number[], strides: number[], pads: number[], dilations: number[], depthwise: boolean): number;
  maxPool(x: number, kernel: number[], strides: number[], pads: number[], keepArgmax: false): number;
  maxPool(x: number, kernel: number[], strides: number[], pads: number[], keepArgmax: true): [number, number];
  maxPoolGrad(dy: number, x: number, kernel: number[], strides: number[], pads: number[], argmax: number): number;
  avgPool(x: number, kernel: number[], strides: number[], pads: number[]): number;
  avgPoolGrad(dy: number, inputShape: number[], kernel: number[], strides: number[], pads: number[]): number;
  batchNorm(x: number, mean: number, variance: number, offset: number, scale: number, epsilon: number): number;
  resize(images: number, height: number, width: number, alignCorners: boolean, bilinear: boolean): number;
  resizeGrad(dy: number, imageShape: number[], alignCorners: boolean, bilinear: boolean): number;

  /** Returns, per tensor (value, m, v), -1 when updated in place, else the id of its new value. */
  adam(
    value: number, m: number, v: number, grad: number, learningRate: number, beta1: number, beta2: number, epsilon: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number, mayUpdate: [boolean, boolean, boolean],
  ): [number, number, number];
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

/**
 * A cheap guess, without loading libtorch, that the native backend will run on a GPU: one is visible
 * to the NVIDIA driver, GLASSBOX_DEVICE does not say cpu, and the addon was linked with libtorch_cuda.
 */
export function addonLikelyOnGpu(): boolean {
  if ((process.env.GLASSBOX_DEVICE ?? "").trim().toLowerCase() === "cpu") return false;
  const root = findRepositoryRoot();
  if (root === undefined || !existsSync(join(root, ADDON))) return false;
  try {
    if (readdirSync("/proc/driver/nvidia/gpus").length === 0) return false;
    return readFileSync(join(root, ADDON)).includes("libtorch_cuda");
  } catch {
    return false;
  }
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
