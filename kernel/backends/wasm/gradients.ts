// Gradient kernels the wasm backend does not ship (Conv2DBackpropFilter and both depthwise
// gradients), so that convolutional models can train on it. They are composed from kernels it does
// have (PadV2, StridedSlice, Slice, Concat, Reshape, Transpose, BatchMatMul, Add): im2col/col2im
// formulations, which let XNNPACK's matrix multiply do the heavy lifting.
import type * as tfjs from "@tensorflow/tfjs";
import type { KernelBackend, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";

type Tf = typeof tfjs;
type Conv2DInfo = ReturnType<Tf["backend_util"]["computeConv2DInfo"]>;

const BACKEND = "wasm";

/** Calls one of the wasm backend's own kernels, keeping every intermediate for disposal. */
class Kernels {
  private readonly temps: TensorInfo[] = [];
  constructor(private readonly tf: Tf, private readonly backend: KernelBackend) {}

  run(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: NamedAttrMap = {}, keep = false): TensorInfo {
    const config = this.tf.getKernel(name, BACKEND);
    if (config === undefined) throw new Error(`The wasm backend lacks the ${name} kernel that this gradient is built from; use the cpu or native backend to train.`);
    const out = config.kernelFunc({ inputs: inputs as never, backend: this.backend, attrs }) as TensorInfo;
    if (!keep) this.temps.push(out);
    return out;
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
  }
}

/** NHWC patches of the padded input: [N, outH, outW, kh·kw·C], window offsets outer, channels inner. */
function im2col(k: Kernels, x: TensorInfo, info: Conv2DInfo): TensorInfo {
  const { padInfo: p, batchSize: n, inChannels: c } = info;
  const padded = p.top || p.bottom || p.left || p.right
    ? k.run("PadV2", { x }, { paddings: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]], constantValue: 0 })
    : x;
  const slices: TensorInfo[] = [];
  for (let i = 0; i < info.filterHeight; i++) {
    for (let j = 0; j < info.filterWidth; j++) {
      const top = i * info.dilationHeight;
      const left = j * info.dilationWidth;
      slices.push(k.run("StridedSlice", { x: padded }, {
        begin: [0, top, left, 0],
        end: [n, top + (info.outHeight - 1) * info.strideHeight + 1, left + (info.outWidth - 1) * info.strideWidth + 1, c],
        strides: [1, info.strideHeight, info.strideWidth, 1],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      }));
    }
  }
  return slices.length === 1 ? (slices[0] as TensorInfo) : k.run("Concat", slices, { axis: 3 });
}

function toNhwc(k: Kernels, t: TensorInfo, channelsFirst: boolean): TensorInfo {
  return channelsFirst ? k.run("Transpose", { x: t }, { perm: [0, 2, 3, 1] }) : t;
}

type KernelArgs = { inputs: Record<string, TensorInfo | undefined>; backend: KernelBackend; attrs?: NamedAttrMap };

function conv2DBackpropFilter(tf: Tf) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs ?? {};
    const filterShape = a.filterShape as [number, number, number, number];
    const dataFormat = tf.backend_util.convertConv2DDataFormat((a.dataFormat as "NHWC" | "NCHW" | undefined) ?? "NHWC");
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape,
      a.strides as number | [number, number], 1, a.pad as "same" | "valid" | number,
      a.dimRoundingMode as "floor" | "round" | "ceil" | undefined, false, dataFormat);
    const k = new Kernels(tf, backend);
    try {
      const channelsFirst = dataFormat === "channelsFirst";
      const patches = im2col(k, toNhwc(k, x, channelsFirst), info);
      const rows = info.batchSize * info.outHeight * info.outWidth;
      const cols = k.run("Reshape", { x: patches }, { shape: [rows, info.filterHeight * info.filterWidth * info.inChannels] });
      const grads = k.run("Reshape", { x: toNhwc(k, dy, channelsFirst) }, { shape: [rows, info.outChannels] });
      const dw = k.run("BatchMatMul", { a: cols, b: grads }, { transposeA: true, transposeB: false });
      return k.run("Reshape", { x: dw }, { shape: filterShape }, true);
    } finally {
      k.dispose();
    }
  };
}

function depthwiseInfo(tf: Tf, xShape: number[], filterShape: number[], a: NamedAttrMap): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides as number | [number, number], (a.dilations ?? 1) as number | [number, number], a.pad as "same" | "valid" | number,
    a.dimRoundingMode as "floor" | "round" | "ceil" | undefined, true);
}

/** dW[i, j, c, m] = Σ patch(x)[·, i, j, c] · dy[·, c, m]: one matrix product per channel (batched). */
function depthwiseBackpropFilter(tf: Tf) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const filterShape = (attrs ?? {}).filterShape as [number, number, number, number];
    const info = depthwiseInfo(tf, x.shape, filterShape, attrs ?? {});
    const [kh, kw, c, mult] = filterShape;
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const k = new Kernels(tf, backend);
    try {
      const patches = k.run("Reshape", { x: im2col(k, x, info) }, { shape: [rows, kh * kw, c] });
      const a = k.run("Transpose", { x: patches }, { perm: [2, 1, 0] }); // [C, kh·kw, rows]
      const grads = k.run("Reshape", { x: dy }, { shape: [rows, c, mult] });
      const b = k.run("Transpose", { x: grads }, { perm: [1, 0, 2] }); // [C, rows, mult]
      const dw = k.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false }); // [C, kh·kw, mult]
      const ordered = k.run("Transpose", { x: dw }, { perm: [1, 0, 2] });
      return k.run("Reshape", { x: ordered }, { shape: filterShape }, true);
    } finally {
      k.dispose();
    }
  };
}

/**
 * dx = col2im of dy·Wᵀ per channel: each window offset (i, j) adds its [N, outH, outW, C] slab to the
 * padded input at rows i·dh + y·sh, columns j·dw + x·sw (spread out by the strides with zero padding).
 */
function depthwiseBackpropInput(tf: Tf) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const inputShape = (attrs ?? {}).inputShape as [number, number, number, number];
    const info = depthwiseInfo(tf, inputShape, filter.shape, attrs ?? {});
    const [kh, kw, c, mult] = filter.shape as [number, number, number, number];
    const { batchSize: n, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, padInfo: p } = info;
    const hp = inputShape[1] + p.top + p.bottom;
    const wp = inputShape[2] + p.left + p.right;
    const rows = n * oh * ow;
    const k = new Kernels(tf, backend);
    try {
      const grads = k.run("Transpose", { x: k.run("Reshape", { x: dy }, { shape: [rows, c, mult] }) }, { perm: [1, 0, 2] }); // [C, rows, mult]
      const weights = k.run("Transpose", { x: k.run("Reshape", { x: filter }, { shape: [kh * kw, c, mult] }) }, { perm: [1, 2, 0] }); // [C, mult, kh·kw]
      const cols = k.run("BatchMatMul", { a: grads, b: weights }, { transposeA: false, transposeB: false }); // [C, rows, kh·kw]
      const slabs = k.run("Reshape", { x: k.run("Transpose", { x: cols }, { perm: [1, 2, 0] }) }, { shape: [n, oh, ow, kh * kw, c] });
      let sum: TensorInfo | undefined;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          let slab = k.run("Reshape", { x: k.run("Slice", { x: slabs }, { begin: [0, 0, 0, i * kw + j, 0], size: [n, oh, ow, 1, c] }) }, { shape: [n, oh, ow, c] });
          if (sh > 1 || sw > 1) {
            // Spread rows and columns apart by the strides: [N, oh, 1, ow, 1, C] padded to [N, oh, sh, ow, sw, C].
            const spread = k.run("PadV2", { x: k.run("Reshape", { x: slab }, { shape: [n, oh, 1, ow, 1, c] }) },
              { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
            slab = k.run("Slice", { x: k.run("Reshape", { x: spread }, { shape: [n, oh * sh, ow * sw, c] }) },
              { begin: [0, 0, 0, 0], size: [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c] });
          }
          const top = i * info.dilationHeight;
          const left = j * info.dilationWidth;
          const placed = k.run("PadV2", { x: slab }, {
            paddings: [[0, 0], [top, hp - top - slab.shape[1]!], [left, wp - left - slab.shape[2]!], [0, 0]], constantValue: 0,
          });
          sum = sum === undefined ? placed : k.run("Add", { a: sum, b: placed });
        }
      }
      return k.run("Slice", { x: sum as TensorInfo }, { begin: [0, p.top, p.left, 0], size: inputShape }, true);
    } finally {
      k.dispose();
    }
  };
}

/**
 * Registers the missing training kernels for the "wasm" backend (call after importing
 * @tensorflow/tfjs-backend-wasm). Kernels the wasm backend already has are left alone.
 */
export function registerWasmTrainingKernels(tf: Tf): void {
  const has = (name: string) => tf.getKernel(name, BACKEND) !== undefined;
  const kernels: [string, (tf: Tf) => (args: KernelArgs) => TensorInfo][] = [
    ["Conv2DBackpropFilter", conv2DBackpropFilter],
    ["DepthwiseConv2dNativeBackpropFilter", depthwiseBackpropFilter],
    ["DepthwiseConv2dNativeBackpropInput", depthwiseBackpropInput],
  ];
  for (const [name, make] of kernels) {
    if (!has(name)) tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: make(tf) as never });
  }
}
