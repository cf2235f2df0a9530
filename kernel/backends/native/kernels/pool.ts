// MaxPool, AvgPool and their gradients, served by ATen on NHWC buffers.
import { atenOutSize, floats, output, padList, sizeOf, type Context, type KernelArgs, type NativeKernel } from "../context";

type PoolInfo = ReturnType<Context["tf"]["backend_util"]["computePool2DInfo"]>;

function poolInfo(ctx: Context, xShape: number[], attrs: KernelArgs["attrs"]): PoolInfo | undefined {
  if (xShape.length !== 4) return undefined;
  const info = ctx.tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number], attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number], 1,
    attrs.pad as Parameters<Context["tf"]["backend_util"]["computePool2DInfo"]>[4],
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  );
  const p = info.padInfo;
  const sameAsAten =
    info.outHeight === atenOutSize(info.inHeight, p.top, p.bottom, info.filterHeight, info.strideHeight) &&
    info.outWidth === atenOutSize(info.inWidth, p.left, p.right, info.filterWidth, info.strideWidth);
  // A window lying wholly in the padding has no defined value in ATen; leave such cases to cpu.
  const sane = p.top < info.filterHeight && p.bottom < info.filterHeight && p.left < info.filterWidth && p.right < info.filterWidth;
  return sameAsAten && sane && p.top >= 0 && p.left >= 0 && p.bottom >= 0 && p.right >= 0 ? info : undefined;
}

function window(info: PoolInfo): [number[], number[], number[]] {
  return [[info.filterHeight, info.filterWidth], [info.strideHeight, info.strideWidth], padList(info.padInfo)];
}

/** A max pool's argmax, kept while gradients are being recorded so MaxPoolGrad need not redo the pool. */
interface Argmax {
  input: object; // the dataId of the pooled tensor
  indices: BigInt64Array;
}

function recordingGradients(ctx: Context): boolean {
  return ctx.tf.engine().state.gradientDepth > 0;
}

export function poolKernels(ctx: Context): NativeKernel[] {
  // Keyed by the output's dataId: the gradient receives the forward output, and the entry goes away
  // with it.
  const argmaxes = new WeakMap<object, Argmax>();
  return [
    {
      name: "MaxPool",
      run: ({ inputs, backend, attrs }) => {
        const x = floats(backend, inputs.x);
        const info = x && poolInfo(ctx, x.shape, attrs);
        if (x === undefined || info === undefined || inputs.x === undefined) return null;
        const size = sizeOf(info.outShape);
        const indices = recordingGradients(ctx) ? new BigInt64Array(size) : null;
        const values = ctx.addon.maxPool(x.values, x.shape, ...window(info), info.outShape, indices, backend.allocate(size));
        const result = output(backend, info.outShape, values);
        if (indices !== null) argmaxes.set(result.dataId, { input: inputs.x.dataId, indices });
        return result;
      },
    },
    {
      name: "MaxPoolGrad",
      run: ({ inputs, backend, attrs }) => {
        const dy = floats(backend, inputs.dy);
        const x = floats(backend, inputs.input);
        const info = x && poolInfo(ctx, x.shape, attrs);
        if (dy === undefined || x === undefined || info === undefined) return null;
        const saved = inputs.output === undefined ? undefined : argmaxes.get(inputs.output.dataId);
        const indices = saved !== undefined && saved.input === inputs.input?.dataId ? saved.indices : null;
        return output(backend, x.shape, ctx.addon.maxPoolGrad(dy.values, dy.shape, x.values, x.shape, ...window(info), indices, backend.allocate(sizeOf(x.shape))));
      },
    },
    {
      name: "AvgPool",
      run: ({ inputs, backend, attrs }) => {
        const x = floats(backend, inputs.x);
        const info = x && poolInfo(ctx, x.shape, attrs);
        if (x === undefined || info === undefined) return null;
        return output(backend, info.outShape, ctx.addon.avgPool(x.values, x.shape, ...window(info), info.outShape, backend.allocate(sizeOf(info.outShape))));
      },
    },
    {
      name: "AvgPoolGrad",
      run: ({ inputs, backend, attrs }) => {
        const dy = floats(backend, inputs.dy);
        const input = inputs.input;
        if (dy === undefined || input === undefined || input.dtype !== "float32") return null;
        const info = poolInfo(ctx, input.shape, attrs);
        if (info === undefined) return null;
        return output(backend, input.shape, ctx.addon.avgPoolGrad(dy.values, dy.shape, input.shape, ...window(info), backend.allocate(sizeOf(input.shape))));
      },
    },
  ];
}
