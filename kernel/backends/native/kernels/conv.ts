// Conv2D, FusedConv2D and the two convolution gradients, served by ATen (oneDNN) on NHWC buffers.
import type { TensorInfo } from "@tensorflow/tfjs";
import { atenOutSize, floats, fusedEpilogue, output, padList, sizeOf, type Context, type KernelArgs, type NativeKernel } from "../context";

type ConvInfo = ReturnType<Context["tf"]["backend_util"]["computeConv2DInfo"]>;

function convInfo(ctx: Context, xShape: number[], filterShape: number[], attrs: KernelArgs["attrs"], dilations: unknown): ConvInfo | undefined {
  const { backend_util } = ctx.tf;
  const dataFormat = (attrs.dataFormat as string | undefined) ?? "NHWC";
  if (dataFormat !== "NHWC" && dataFormat !== "channelsLast") return undefined;
  if (xShape.length !== 4 || filterShape.length !== 4) return undefined;
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides as number | [number, number], (dilations ?? 1) as number | [number, number],
    attrs.pad as Parameters<typeof backend_util.computeConv2DInfo>[4],
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined, false, "channelsLast",
  );
  const p = info.padInfo;
  // ATen rounds output sizes down; other roundings (dimRoundingMode) stay on the cpu kernel.
  const sameAsAten =
    info.outHeight === atenOutSize(info.inHeight, p.top, p.bottom, info.filterHeight, info.strideHeight, info.dilationHeight) &&
    info.outWidth === atenOutSize(info.inWidth, p.left, p.right, info.filterWidth, info.strideWidth, info.dilationWidth);
  const nonNegative = p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0;
  return sameAsAten && nonNegative && info.inChannels === filterShape[2] ? info : undefined;
}

function forward(ctx: Context, { inputs, backend, attrs }: KernelArgs, fused: boolean): TensorInfo | null {
  const x = floats(backend, inputs.x);
  const filter = floats(backend, inputs.filter);
  if (x === undefined || filter === undefined) return null;
  const epilogue = fusedEpilogue(backend, { inputs, attrs }, fused);
  // Only a per-channel bias maps onto the convolution's bias; anything else runs on the cpu kernel.
  if (epilogue === undefined || (epilogue.bias && epilogue.bias.values.length !== filter.shape[3])) return null;
  const activation = epilogue.activation;
  const bias = epilogue.bias?.values ?? null;
  const info = convInfo(ctx, x.shape, filter.shape, attrs, attrs.dilations);
  if (info === undefined) return null;
  const values = ctx.addon.conv2d(
    x.values, x.shape, filter.values, filter.shape, [info.strideHeight, info.strideWidth], padList(info.padInfo),
    [info.dilationHeight, info.dilationWidth], info.outShape, bias, activation, Number(attrs.leakyreluAlpha ?? 0.2),
    backend.allocate(sizeOf(info.outShape)),
  );
  return output(backend, info.outShape, values);
}

export function convKernels(ctx: Context): NativeKernel[] {
  return [
    { name: "Conv2D", run: (args) => forward(ctx, args, false) },
    { name: "FusedConv2D", run: (args) => forward(ctx, args, true) },
    {
      name: "Conv2DBackpropInput",
      run: ({ inputs, backend, attrs }) => {
        const dy = floats(backend, inputs.dy);
        const filter = floats(backend, inputs.filter);
        if (dy === undefined || filter === undefined) return null;
        const inputShape = attrs.inputShape as number[];
        const info = convInfo(ctx, inputShape, filter.shape, attrs, 1);
        if (info === undefined) return null;
        const values = ctx.addon.conv2dBackpropInput(
          dy.values, dy.shape, filter.values, filter.shape, [info.strideHeight, info.strideWidth], padList(info.padInfo), [1, 1], inputShape,
          backend.allocate(sizeOf(inputShape)),
        );
        return output(backend, inputShape, values);
      },
    },
    {
      name: "Conv2DBackpropFilter",
      run: ({ inputs, backend, attrs }) => {
        const x = floats(backend, inputs.x);
        const dy = floats(backend, inputs.dy);
        if (x === undefined || dy === undefined) return null;
        const filterShape = attrs.filterShape as number[];
        const info = convInfo(ctx, x.shape, filterShape, attrs, 1);
        if (info === undefined) return null;
        const values = ctx.addon.conv2dBackpropFilter(
          x.values, x.shape, dy.values, dy.shape, filterShape, [info.strideHeight, info.strideWidth], padList(info.padInfo), [1, 1],
          backend.allocate(sizeOf(filterShape)),
        );
        return output(backend, filterShape, values);
      },
    },
  ];
}
