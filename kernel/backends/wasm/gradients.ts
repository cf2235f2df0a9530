// Gradient kernels the wasm backend does not ship, so that convolutional models can train on it.
// They are composed from kernels it does have (PadV2, StridedSlice, Concat, Reshape, Transpose,
// BatchMatMul): an im2col formulation, which lets XNNPACK's matrix multiply do the heavy lifting.
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

function conv2DBackpropFilter(tf: Tf) {
  return ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo | undefined>; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo => {
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

/**
 * Registers the missing training kernels for the "wasm" backend (call after importing
 * @tensorflow/tfjs-backend-wasm). Kernels the wasm backend already has are left alone.
 */
export function registerWasmTrainingKernels(tf: Tf): void {
  const has = (name: string) => tf.getKernel(name, BACKEND) !== undefined;
  if (!has("Conv2DBackpropFilter")) {
    tf.registerKernel({ kernelName: "Conv2DBackpropFilter", backendName: BACKEND, kernelFunc: conv2DBackpropFilter(tf) as never });
  }
}
