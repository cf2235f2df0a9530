// What every native kernel needs: the tf namespace (for backend_util), the addon, and zero-copy
// access to the cpu backend's typed arrays that the native backend inherits.
import type * as tfjs from "@tensorflow/tfjs";
import type { DataType, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeAddon } from "./addon";
import type { NativeBackend } from "./backend";

export type Tf = typeof tfjs;

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: NativeBackend;
  attrs: NamedAttrMap;
}

/** A native kernel returns null when it cannot serve these inputs; the cpu kernel then runs. */
export interface NativeKernel {
  name: string;
  run(args: KernelArgs): TensorInfo | null;
}

export interface Context {
  tf: Tf;
  addon: NativeAddon;
}

export interface FloatTensor {
  shape: number[];
  values: Float32Array;
}

/** The float32 buffer behind a tensor (no copy), or undefined when it is not a plain float32 tensor. */
export function floats(backend: MathBackendCPU, t: TensorInfo | undefined): FloatTensor | undefined {
  if (t === undefined || t.dtype !== "float32") return undefined;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? { shape: t.shape, values } : undefined;
}

export function output(backend: MathBackendCPU, shape: number[], values: Float32Array | Int32Array, dtype: DataType = "float32"): TensorInfo {
  return backend.makeTensorInfo(shape, dtype, values);
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** [top, bottom, left, right] from TensorFlow.js's padInfo. */
export function padList(p: { top: number; bottom: number; left: number; right: number }): number[] {
  return [p.top, p.bottom, p.left, p.right];
}

/** The output length ATen computes (floor rounding); kernels fall back when TensorFlow.js differs. */
export function atenOutSize(inSize: number, before: number, after: number, filter: number, stride: number, dilation = 1): number {
  return Math.floor((inSize + before + after - dilation * (filter - 1) - 1) / stride) + 1;
}

/** Activation codes of native/src/tensors.h; undefined for those served only by the cpu kernel. */
function activationCode(activation: unknown): number | undefined {
  switch (activation ?? "linear") {
    case "linear": return 0;
    case "relu": return 1;
    case "relu6": return 2;
    case "sigmoid": return 3;
    case "leakyrelu": return 4;
    case "elu": return 5;
    default: return undefined;
  }
}

/** What a fused kernel (_FusedMatMul, FusedConv2D) adds after its product: an activation and a bias. */
export interface Epilogue {
  activation: number;
  bias: FloatTensor | undefined;
}

/**
 * The epilogue of a fused kernel as the native kernels apply it (none for a plain kernel), or
 * undefined when only the cpu kernel serves it (PReLU, another activation, a non-float bias).
 */
export function fusedEpilogue(backend: MathBackendCPU, { inputs, attrs }: Pick<KernelArgs, "inputs" | "attrs">, fused: boolean): Epilogue | undefined {
  if (!fused) return { activation: 0, bias: undefined };
  const activation = activationCode(attrs.activation);
  if (activation === undefined || inputs.preluActivationWeights !== undefined) return undefined;
  if (inputs.bias === undefined) return { activation, bias: undefined };
  const bias = floats(backend, inputs.bias);
  return bias && { activation, bias };
}
