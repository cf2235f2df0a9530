// Matrix products, convolutions (plain and depthwise, with their gradients), pooling and its
// gradients, batch norm and image resizing. Images are NHWC, as TensorFlow.js keeps them.
import type { TensorInfo } from "@tensorflow/tfjs";
import type { NativeData } from "../backend";
import { activationCode, atenOutSize, optional, padList, type Context, type KernelArgs, type NativeKernel } from "../context";

type BackendUtil = Context["tf"]["backend_util"];
type ConvInfo = ReturnType<BackendUtil["computeConv2DInfo"]>;
type Shape4 = [number, number, number, number];

const floats = (t: TensorInfo | undefined): t is TensorInfo => t?.dtype === "float32";

function channelsLast(attrs: KernelArgs["attrs"]): boolean {
  const format = (attrs.dataFormat as string | undefined) ?? "NHWC";
  return format === "NHWC" || format === "channelsLast";
}

/** tfjs's conv geometry, when ATen computes the same output size (it rounds down only). */
function convInfo(ctx: Context, xShape: number[], filterShape: number[], attrs: KernelArgs["attrs"], depthwise: boolean): ConvInfo | undefined {
  if (!channelsLast(attrs) || xShape.length !== 4 || filterShape.length !== 4) return undefined;
  const { backend_util } = ctx.tf;
  const args = [
    xShape as Shape4, filterShape as Shape4, attrs.strides as number | [number, number], (attrs.dilations ?? 1) as number | [number, number],
    attrs.pad as Parameters<BackendUtil["computeConv2DInfo"]>[4], attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  ] as const;
  const info = depthwise ? backend_util.computeConv2DInfo(...args, true) : backend_util.computeConv2DInfo(...args, false, "channelsLast");
  const p = info.padInfo;
  const sameAsAten =
    info.outHeight === atenOutSize(info.inHeight, p.top, p.bottom, info.filterHeight, info.strideHeight, info.dilationHeight) &&
    info.outWidth === atenOutSize(info.inWidth, p.left, p.right, info.filterWidth, info.strideWidth, info.dilationWidth);
  const nonNegative = p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0;
  return sameAsAten && nonNegative && info.inChannels === filterShape[2] ? info : undefined;
}

function geometry(info: ConvInfo): [number[], number[], number[]] {
  return [[info.strideHeight, info.strideWidth], padList(info.padInfo), [info.dilationHeight, info.dilationWidth]];
}

type PoolInfo = ReturnType<BackendUtil["computePool2DInfo"]>;

function poolInfo(ctx: Context, xShape: number[], attrs: KernelArgs["attrs"]): PoolInfo | undefined {
  if (xShape.length !== 4) return undefined;
  const info = ctx.tf.backend_util.computePool2DInfo(
    xShape as Shape4, attrs.filterSize as number | [number, number], attrs.strides as number | [number, number], 1,
    attrs.pad as Parameters<BackendUtil["computePool2DInfo"]>[4], attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  );
  const p = info.padInfo;
  const sameAsAten =
    info.outHeight === atenOutSize(info.inHeight, p.top, p.bottom, info.filterHeight, info.strideHeight) &&
    info.outWidth === atenOutSize(info.inWidth, p.left, p.right, info.filterWidth, info.strideWidth);
  // A window lying wholly in the padding has no defined value in ATen; leave such cases to the cpu kernel.
  const sane = p.top < info.filterHeight && p.bottom < info.filterHeight && p.left < info.filterWidth && p.right < info.filterWidth;
  return sameAsAten && sane && p.top >= 0 && p.left >= 0 && p.bottom >= 0 && p.right >= 0 ? info : undefined;
}

function window(info: PoolInfo): [number[], number[], number[]] {
  return [[info.filterHeight, info.filterWidth], [info.strideHeight, info.strideWidth], padList(info.padInfo)];
}

export function nnKernels(ctx: Context): NativeKernel[] {
  const { addon } = ctx;

  const matMul = (fused: boolean): NativeKernel["run"] => ({ inputs, backend, attrs }) => {
    const { a, b } = inputs;
    if (!floats(a) || !floats(b) || a.shape.length < 2 || b.shape.length < 2) return null;
    const activation = fused ? activationCode(attrs.activation) : 0;
    if (activation === undefined) return null;
    const bias = fused ? optional(backend, inputs.bias) : -1;
    const prelu = fused ? optional(backend, inputs.preluActivationWeights) : -1;
    return backend.made(addon.matMul(backend.id(a), backend.id(b), Boolean(attrs.transposeA), Boolean(attrs.transposeB), bias, activation, Number(attrs.leakyreluAlpha ?? 0.2), prelu));
  };

  const conv = (fused: boolean, depthwise: boolean): NativeKernel["run"] => ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs;
    if (!floats(x) || !floats(filter)) return null;
    const activation = fused ? activationCode(attrs.activation) : 0;
    if (activation === undefined) return null;
    const bias = fused ? inputs.bias : undefined;
    // Only a per-channel bias maps onto the convolution's bias.
    const outChannels = depthwise ? (filter.shape[2] as number) * (filter.shape[3] as number) : filter.shape[3];
    if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== outChannels)) return null;
    const info = convInfo(ctx, x.shape, filter.shape, attrs, depthwise);
    if (info === undefined) return null;
    return backend.made(addon.conv2d(backend.id(x), backend.id(filter), ...geometry(info), depthwise, optional(backend, bias), activation,
      Number(attrs.leakyreluAlpha ?? 0.2), fused ? optional(backend, inputs.preluActivationWeights) : -1));
  };

  const backpropInput = (depthwise: boolean): NativeKernel["run"] => ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs;
    const inputShape = attrs.inputShape as number[];
    if (!floats(dy) || !floats(filter)) return null;
    const info = convInfo(ctx, inputShape, filter.shape, attrs, depthwise);
    if (info === undefined) return null;
    return backend.made(addon.conv2dBackpropInput(backend.id(dy), backend.id(filter), inputShape, ...geometry(info), depthwise));
  };

  const backpropFilter = (depthwise: boolean): NativeKernel["run"] => ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const filterShape = attrs.filterShape as number[];
    if (!floats(x) || !floats(dy)) return null;
    const info = convInfo(ctx, x.shape, filterShape, attrs, depthwise);
    if (info === undefined) return null;
    return backend.made(addon.conv2dBackpropFilter(backend.id(x), backend.id(dy), filterShape, ...geometry(info), depthwise));
  };

  return [
    { name: "BatchMatMul", run: matMul(false) },
    { name: "_FusedMatMul", run: matMul(true) },
    { name: "Conv2D", run: conv(false, false) },
    { name: "FusedConv2D", run: conv(true, false) },
    { name: "DepthwiseConv2dNative", run: conv(false, true) },
    { name: "FusedDepthwiseConv2D", run: conv(true, true) },
    { name: "Conv2DBackpropInput", run: backpropInput(false) },
    { name: "DepthwiseConv2dNativeBackpropInput", run: backpropInput(true) },
    { name: "Conv2DBackpropFilter", run: backpropFilter(false) },
    { name: "DepthwiseConv2dNativeBackpropFilter", run: backpropFilter(true) },
    {
      name: "MaxPool",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        const info = floats(x) ? poolInfo(ctx, x.shape, attrs) : undefined;
        if (!floats(x) || info === undefined) return null;
        // While gradients are recorded the argmax is kept with the output (MaxPoolGrad receives it).
        if (ctx.tf.engine().state.gradientDepth === 0) return backend.made(addon.maxPool(backend.id(x), ...window(info), false));
        const [id, argmax] = addon.maxPool(backend.id(x), ...window(info), true);
        const out = backend.made(id);
        (out.dataId as NativeData).side = { id: argmax, from: x.dataId };
        return out;
      },
    },
    {
      name: "MaxPoolGrad",
      run: ({ inputs, backend, attrs }) => {
        const { dy, input, output } = inputs;
        const info = floats(input) ? poolInfo(ctx, input.shape, attrs) : undefined;
        if (!floats(dy) || !floats(input) || info === undefined) return null;
        const side = (output?.dataId as NativeData | undefined)?.side;
        const argmax = side !== undefined && side.from === input.dataId ? side.id : -1;
        return backend.made(addon.maxPoolGrad(backend.id(dy), backend.id(input), ...window(info), argmax));
      },
    },
    {
      name: "AvgPool",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        const info = floats(x) ? poolInfo(ctx, x.shape, attrs) : undefined;
        if (!floats(x) || info === undefined) return null;
        return backend.made(addon.avgPool(backend.id(x), ...window(info)));
      },
    },
    {
      name: "AvgPoolGrad",
      run: ({ inputs, backend, attrs }) => {
        const { dy, input } = inputs;
        const info = floats(input) ? poolInfo(ctx, input.shape, attrs) : undefined;
        if (!floats(dy) || !floats(input) || info === undefined) return null;
        return backend.made(addon.avgPoolGrad(backend.id(dy), input.shape, ...window(info)));
      },
    },
    {
      name: "FusedBatchNorm",
      run: ({ inputs, backend, attrs }) => {
        const { x, mean, variance, offset, scale } = inputs;
        if (!floats(x) || !floats(mean) || !floats(variance)) return null;
        return backend.made(addon.batchNorm(backend.id(x), backend.id(mean), backend.id(variance), optional(backend, offset), optional(backend, scale),
          Number(attrs.varianceEpsilon ?? 0.001)));
      },
    },
    {
      name: "ResizeBilinear",
      run: ({ inputs, backend, attrs }) => {
        const images = inputs.images;
        const alignCorners = Boolean(attrs.alignCorners);
        // ATen's arithmetic is tfjs's for half-pixel centers, or for aligned corners.
        if (!floats(images) || images.shape.length !== 4 || alignCorners === Boolean(attrs.halfPixelCenters)) return null;
        const [h, w] = attrs.size as [number, number];
        return backend.made(addon.resize(backend.id(images), h, w, alignCorners, true));
      },
    },
    {
      name: "ResizeNearestNeighbor",
      run: ({ inputs, backend, attrs }) => {
        const images = inputs.images;
        if (!floats(images) || images.shape.length !== 4 || attrs.alignCorners || attrs.halfPixelCenters) return null;
        const [h, w] = attrs.size as [number, number];
        return backend.made(addon.resize(backend.id(images), h, w, false, false));
      },
    },
    {
      name: "ResizeBilinearGrad",
      run: ({ inputs, backend, attrs }) => {
        const { images, dy } = inputs;
        // tfjs's gradient has no half-pixel mode; it matches ATen's with aligned corners only.
        if (!floats(images) || !floats(dy) || !attrs.alignCorners) return null;
        return backend.made(addon.resizeGrad(backend.id(dy), images.shape, true, true));
      },
    },
    {
      name: "ResizeNearestNeighborGrad",
      run: ({ inputs, backend, attrs }) => {
        const { images, dy } = inputs;
        if (!floats(images) || !floats(dy) || attrs.alignCorners) return null;
        return backend.made(addon.resizeGrad(backend.id(dy), images.shape, false, false));
      },
    },
  ];
}
