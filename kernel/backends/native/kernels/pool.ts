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

function recordingGradients(ctx: Context): boolean {
  return ctx.tf.engine().state.gradientDepth > 0;
}

/** int64 argmax positions in a recyclable float buffer (two floats per index). */
function argmaxBuffer(buffer: Float32Array, size: number): BigInt64Array {
  return new BigInt64Array(buffer.buffer, buffer.byteOffset, size);
}

export function poolKernels(ctx: Context): NativeKernel[] {
  return [
    {
      name: "MaxPool",
      run: ({ inputs, backend, attrs }) => {
        const x = floats(backend, inputs.x);
        const info = x && poolInfo(ctx, x.shape, attrs);
        if (x === undefined || info === undefined || inputs.x === undefined) return null;
        const size = sizeOf(info.outShape);
        // While gradients are recorded the argmax is kept with the output (the gradient receives the
        // output), tagged with the input it belongs to, so MaxPoolGrad need not redo the pool.
        const argmax = recordingGradients(ctx) ? backend.allocate(2 * size) : null;
        const indices = argmax === null ? null : argmaxBuffer(argmax, size);
        const values = ctx.addon.maxPool(x.values, x.shape, ...window(info), info.outShape, indices, backend.allocate(size));
        const result = output(backend, info.outShape, values);
        if (argmax !== null) backend.attach(result.dataId, argmax, inputs.x.dataId);
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
        const saved = inputs.output && inputs.input ? backend.attached(inputs.output.dataId, inputs.input.dataId) : undefined;
        const indices = saved === undefined ? null : argmaxBuffer(saved, sizeOf(dy.shape));
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
