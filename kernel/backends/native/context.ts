// What every native kernel needs: the tf namespace (for backend_util and friends), the addon, and the
// backend whose tensors are addon slots.
import type * as tfjs from "@tensorflow/tfjs";
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import type { NativeBackend } from "./backend";

export type Tf = typeof tfjs;

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: NativeBackend;
  attrs: NamedAttrMap;
}

/** A native kernel returns null when it cannot serve these inputs; the host fallback then runs the cpu kernel. */
export interface NativeKernel {
  name: string;
  run(args: KernelArgs): TensorInfo | TensorInfo[] | null;
}

export interface Context {
  tf: Tf;
  addon: NativeAddon;
}

export function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** [top, bottom, left, right] from TensorFlow.js's padInfo. */
export function padList(p: { top: number; bottom: number; left: number; right: number }): number[] {
  return [p.top, p.bottom, p.left, p.right];
}

/** The output length ATen computes (floor rounding); kernels decline when TensorFlow.js differs. */
export function atenOutSize(inSize: number, before: number, after: number, filter: number, stride: number, dilation = 1): number {
  return Math.floor((inSize + before + after - dilation * (filter - 1) - 1) / stride) + 1;
}

/** Activation codes of native/src/tensors.h; undefined for those served only by the host fallback. */
export function activationCode(activation: unknown): number | undefined {
  switch (activation ?? "linear") {
    case "linear": return 0;
    case "relu": return 1;
    case "relu6": return 2;
    case "sigmoid": return 3;
    case "leakyrelu": return 4;
    case "elu": return 5;
    case "prelu": return 6;
    case "tanh": return 7;
    default: return undefined;
  }
}

/** Dtype codes of native/src/tensors.cc. */
export function dtypeCodeOf(dtype: string): number | undefined {
  return dtype === "float32" ? 0 : dtype === "int32" ? 1 : dtype === "bool" ? 2 : undefined;
}

/** Whether a tensor has a dtype libtorch holds (float32, int32, bool), i.e. not string or complex64. */
export function native(t: TensorInfo | undefined | null): t is TensorInfo {
  return t != null && (t.dtype === "float32" || t.dtype === "int32" || t.dtype === "bool");
}

/** The slot of an optional input, or -1. */
export function optional(backend: NativeBackend, t: TensorInfo | undefined): number {
  return t === undefined || t === null ? -1 : backend.id(t);
}

/** Axes as non-negative numbers. */
export function axes(axis: number | number[], rank: number): number[] {
  const list = Array.isArray(axis) ? axis : [axis];
  return list.map((a) => (a < 0 ? a + rank : a));
}
