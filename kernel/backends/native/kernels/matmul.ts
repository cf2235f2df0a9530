// BatchMatMul and _FusedMatMul (bias + activation), served by ATen (BLAS).
import type { TensorInfo } from "@tensorflow/tfjs";
import { floats, fusedEpilogue, output, sizeOf, type Context, type KernelArgs, type NativeKernel } from "../context";

function matMul(ctx: Context, { inputs, backend, attrs }: KernelArgs, fused: boolean): TensorInfo | null {
  const a = floats(backend, inputs.a);
  const b = floats(backend, inputs.b);
  if (a === undefined || b === undefined) return null;
  const aShape = a.shape;
  const bShape = b.shape;
  if (aShape.length < 2 || bShape.length < 2) return null;
  const transposeA = Boolean(attrs.transposeA);
  const transposeB = Boolean(attrs.transposeB);
  const m = transposeA ? aShape[aShape.length - 1] : aShape[aShape.length - 2];
  const kA = transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
  const kB = transposeB ? bShape[bShape.length - 1] : bShape[bShape.length - 2];
  const n = transposeB ? bShape[bShape.length - 2] : bShape[bShape.length - 1];
  if (kA !== kB) return null; // the cpu kernel reports the mismatch in TensorFlow.js's words
  let batch: number[];
  try {
    batch = ctx.tf.broadcast_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  } catch {
    return null;
  }
  const outShape = [...batch, m, n];
  const epilogue = fusedEpilogue(backend, { inputs, attrs }, fused);
  if (epilogue === undefined) return null;
  const { activation, bias } = epilogue;
  if (bias) {
    try {
      // The bias must broadcast onto the output without growing it.
      const grown = ctx.tf.broadcast_util.assertAndGetBroadcastShape(outShape, bias.shape);
      if (grown.length !== outShape.length || grown.some((d, i) => d !== outShape[i])) return null;
    } catch {
      return null;
    }
  }
  const values = ctx.addon.batchMatMul(a.values, aShape, b.values, bShape, transposeA, transposeB, bias?.values ?? null, bias?.shape ?? [], activation,
    Number(attrs.leakyreluAlpha ?? 0.2), outShape, backend.allocate(sizeOf(outShape)));
  return output(backend, outShape, values);
}

export function matMulKernels(ctx: Context): NativeKernel[] {
  return [
    { name: "BatchMatMul", run: (args) => matMul(ctx, args, false) },
    { name: "_FusedMatMul", run: (args) => matMul(ctx, args, true) },
  ];
}
