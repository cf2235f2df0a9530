// Every native kernel beyond the conv/pool/matmul/elementwise files, against TensorFlow.js's cpu kernels
// on seeded random inputs: float32, int32 and bool, odd shapes, broadcasting, empty tensors. Each
// comparison also fails if the native backend sent the kernel to the host fallback. Gradients of
// small compositions are compared too.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertClose, assertRegistered, compareKernel, fallbacksDuring, random, randomBools, randomInput, randomInts, skip, tf, type Input, type Inputs, useBackend } from "./helpers";

type Case = [kernel: string, inputs: Inputs, attrs?: Record<string, unknown>, tolerance?: number];

const f = randomInput;
const i32 = (shape: number[], seed: number, lo = -5, hi = 5) => randomInts(shape, seed, lo, hi);
const ints = (values: number[], shape = [values.length]): Input => ({ shape, values: Int32Array.from(values), dtype: "int32" });

const UNARY = ["Sin", "Cos", "Atan", "Exp", "Expm1", "Floor", "Ceil", "Round", "Sign", "Erf", "Softplus", "Selu", "Tanh", "IsNan", "IsFinite"];

const CASES: Case[] = [
  // Unary math on odd shapes, and ops that keep int32.
  ...UNARY.map((op, k): Case => [op, { x: f([3, 1, 5], 100 + k, -3, 3) }]),
  ["Asin", { x: f([9], 120, -0.9, 0.9) }],
  ["Acosh", { x: f([9], 121, 1.1, 4) }],
  ["Abs", { x: i32([4, 3], 122) }],
  ["Neg", { x: i32([7], 123) }],
  ["Square", { x: i32([2, 3], 124) }],
  ["Relu", { x: i32([2, 5], 125) }],
  ["ClipByValue", { x: f([4, 4], 126, -3, 3) }, { clipValueMin: -1, clipValueMax: 0.5 }],
  ["LogicalNot", { x: randomBools([3, 4], 127) }],
  ["ZerosLike", { x: i32([2, 2], 128) }],
  ["OnesLike", { x: f([3], 129) }],
  // Binary ops: int32, bool, comparisons, broadcasting, empty tensors.
  ["Add", { a: i32([3, 4], 200), b: i32([4], 201) }],
  ["Sub", { a: i32([2, 1, 3], 202), b: i32([4, 1], 203) }],
  ["Multiply", { a: i32([5], 204), b: i32([], 205) }],
  ["FloorDiv", { a: i32([6], 206, -20, 20), b: ints([3, -4, 5, 7, -2, 6]) }],
  ["FloorDiv", { a: f([6], 207, -9, 9), b: f([6], 208, 0.5, 3) }],
  ["Mod", { a: f([8], 209, -9, 9), b: f([8], 210, 0.5, 3) }],
  ["Mod", { a: i32([6], 211, -20, 20), b: ints([3, -4, 5, 7, -2, 6]) }],
  ["Pow", { a: f([3, 3], 212, 0.1, 3), b: f([3], 213, -2, 2) }],
  ["Pow", { a: i32([5], 214, 0, 4), b: ints([0, 1, 2, 3, 2]) }],
  ["Atan2", { a: f([7], 215, -2, 2), b: f([7], 216, -2, 2) }],
  ["Equal", { a: i32([4, 3], 217, 0, 3), b: i32([3], 218, 0, 3) }],
  ["NotEqual", { a: f([2, 3], 219), b: f([2, 3], 219) }],
  ["Less", { a: f([3, 4], 220), b: f([4], 221) }],
  ["LessEqual", { a: i32([5], 222), b: i32([5], 223) }],
  ["Greater", { a: f([2, 1], 224), b: f([1, 3], 225) }],
  ["GreaterEqual", { a: i32([6], 226), b: i32([], 227) }],
  ["LogicalAnd", { a: randomBools([3, 4], 228), b: randomBools([4], 229) }],
  ["LogicalOr", { a: randomBools([5], 230), b: randomBools([5], 231) }],
  ["Maximum", { a: i32([4], 232), b: i32([4], 233) }],
  ["Prelu", { x: f([3, 4], 234), alpha: f([4], 235, 0, 0.5) }],
  ["EluGrad", { dy: f([6], 236), y: f([6], 237, -0.9, 2) }],
  ["Add", { a: f([0, 3], 238), b: f([3], 239) }],
  ["Multiply", { a: f([2, 0], 240), b: f([2, 1], 241) }],
  // Casts, select, where.
  ["Cast", { x: f([7], 300, -4, 4) }, { dtype: "int32" }],
  ["Cast", { x: f([7], 301, -1, 1) }, { dtype: "bool" }],
  ["Cast", { x: i32([5], 302) }, { dtype: "float32" }],
  ["Cast", { x: randomBools([5], 303) }, { dtype: "int32" }],
  ["Select", { condition: randomBools([3, 4], 304), t: f([3, 4], 305), e: f([3, 4], 306) }],
  ["Select", { condition: randomBools([3, 2], 307), t: i32([3, 2], 308), e: i32([3, 2], 309) }],
  ["AddN", [i32([2, 3], 311), i32([2, 3], 312)]],
  // Reductions on int32 and bool, empty axes, scans, top-k.
  ["Sum", { x: i32([3, 4], 400) }, { axis: [1], keepDims: false }],
  ["Sum", { x: randomBools([4, 5], 401) }, { axis: [0], keepDims: true }],
  ["Sum", { x: f([0, 3], 402) }, { axis: [0], keepDims: false }],
  ["Sum", { x: f([3, 2], 403) }, { axis: [], keepDims: false }],
  ["Prod", { x: f([3, 4, 2], 404, 0.5, 1.5) }, { axis: [0, 2], keepDims: false }],
  ["Prod", { x: i32([3, 4], 405, -3, 3) }, { axis: [1], keepDims: true }],
  ["Mean", { x: f([5, 3], 406) }, { axis: [0, 1], keepDims: false }],
  ["Max", { x: i32([4, 5], 407) }, { reductionIndices: [1], keepDims: false }],
  ["Min", { x: f([2, 3, 4], 408) }, { axis: [0, 2], keepDims: true }],
  ["Any", { x: randomBools([3, 4], 409) }, { axis: [1], keepDims: false }],
  ["All", { x: randomBools([3, 4, 2], 410) }, { axis: [0, 2], keepDims: false }],
  ["ArgMax", { x: i32([4, 6], 411, -100, 100) }, { axis: 1 }],
  ["Cumsum", { x: f([4, 5], 412) }, { axis: 1, exclusive: false, reverse: false }],
  ["Cumsum", { x: f([4, 5], 413) }, { axis: 0, exclusive: true, reverse: true }],
  ["Cumsum", { x: i32([6], 414) }, { axis: 0, exclusive: true, reverse: false }],
  ["Cumprod", { x: f([3, 4], 415, 0.5, 1.5) }, { axis: 1, exclusive: false, reverse: true }],
  ["TopK", { x: f([3, 7], 416) }, { k: 3, sorted: true }],
  ["TopK", { x: i32([9], 417, -1000, 1000) }, { k: 4, sorted: true }],
  ["Softmax", { logits: f([2, 3, 5], 418, -4, 4) }, { dim: -1 }],
  // Shapes and data movement.
  ["Reshape", { x: f([2, 3, 4], 500) }, { shape: [4, -1] }],
  ["Reshape", { x: f([0, 4], 501) }, { shape: [2, 0, 2] }],
  ["ExpandDims", { input: i32([3, 2], 502) }, { dim: -1 }],
  ["Transpose", { x: randomBools([2, 3, 4], 503) }, { perm: [1, 2, 0] }],
  ["Slice", { x: f([5, 6], 504) }, { begin: [1, 2], size: [3, -1] }],
  ["Slice", { x: i32([4, 3, 2], 505) }, { begin: [2, 0, 1], size: [2, 3, 1] }],
  ["Slice", { x: f([4, 3], 506) }, { begin: [1, 0], size: [0, 3] }],
  ["StridedSlice", { x: f([6, 7], 507) }, { begin: [1, 0], end: [6, 7], strides: [2, 3], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 }],
  ["StridedSlice", { x: f([4, 5, 3], 508) }, { begin: [0, 1, 0], end: [0, 4, 2], strides: [1, 1, 1], beginMask: 1, endMask: 1, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 4 }],
  ["StridedSlice", { x: i32([5, 4], 509) }, { begin: [-3], end: [-1], strides: [1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 2, shrinkAxisMask: 0 }],
  ["Concat", [f([2, 3], 510), f([2, 1], 511), f([2, 0], 512)], { axis: 1 }],
  ["Concat", [i32([1, 2], 513), i32([3, 2], 514)], { axis: 0 }],
  ["Concat", [randomBools([2], 515), randomBools([3], 516)], { axis: -1 }],
  ["SplitV", { x: f([5, 6], 517) }, { numOrSizeSplits: [1, -1, 2], axis: 1 }],
  ["SplitV", { x: i32([6, 2], 518) }, { numOrSizeSplits: 3, axis: 0 }],
  ["Pack", [f([2, 3], 519), f([2, 3], 520), f([2, 3], 521)], { axis: 1 }],
  ["Pack", [i32([], 522), i32([], 523)], { axis: 0 }],
  ["Unpack", { value: f([3, 2, 4], 524) }, { axis: 2 }],
  ["Tile", { x: i32([2, 3], 525) }, { reps: [2, 3] }],
  ["PadV2", { x: f([2, 3], 526) }, { paddings: [[1, 0], [2, 3]], constantValue: 1.5 }],
  ["MirrorPad", { x: f([3, 4], 527) }, { paddings: [[1, 2], [2, 0]], mode: "reflect" }],
  ["MirrorPad", { x: i32([3, 4], 528) }, { paddings: [[2, 1], [0, 3]], mode: "symmetric" }],
  ["GatherV2", { x: i32([5, 3], 529), indices: ints([4, 0, 4, 2]) }, { axis: 0, batchDims: 0 }],
  ["GatherV2", { x: f([2, 5, 3], 530), indices: ints([4, 0, 1, 1, 3, 2], [2, 3]) }, { axis: 1, batchDims: 1 }],
  ["GatherV2", { x: f([4, 3], 531), indices: ints([], [0]) }, { axis: 0, batchDims: 0 }],
  ["GatherNd", { params: f([4, 3, 2], 532), indices: ints([0, 1, 3, 2, 2, 0], [3, 2]) }],
  ["GatherNd", { params: i32([5, 2], 533), indices: ints([4, 0, 2], [3, 1]) }],
  ["ScatterNd", { indices: ints([0, 3, 0], [3, 1]), updates: f([3, 4], 534) }, { shape: [5, 4] }],
  ["OneHot", { indices: ints([0, 3, 1, -1, 5]) }, { depth: 4, onValue: 2, offValue: -1, dtype: "float32" }],
  ["OneHot", { indices: ints([2, 0], [2, 1]) }, { depth: 3, onValue: 1, offValue: 0, dtype: "int32" }],
  ["Reverse", { x: f([3, 4, 2], 535) }, { dims: [0, 2] }],
  ["UnsortedSegmentSum", { x: f([6, 3], 537), segmentIds: ints([0, 2, 2, 1, 0, 3]) }, { numSegments: 5 }],
  ["Einsum", [f([3, 4], 538), f([4, 5], 539)], { equation: "ij,jk->ik" }],
  ["Einsum", [f([2, 3, 4], 540)], { equation: "bij->bji" }],
  ["Fill", {}, { shape: [2, 3], value: 4, dtype: "int32" }],
  ["Range", {}, { start: 2, stop: -7, step: -2.5, dtype: "float32" }],
  ["Range", {}, { start: 2, stop: -7, step: 1, dtype: "float32" }],
  ["Range", {}, { start: 0, stop: 10, step: 3, dtype: "int32" }],
  ["LinSpace", {}, { start: -1, stop: 2, num: 7 }],
  // Images.
  ["DepthwiseConv2dNative", { x: f([2, 7, 6, 3], 600), filter: f([3, 2, 3, 2], 601) }, { strides: [1, 1], pad: "same", dilations: [1, 1], dataFormat: "NHWC" }],
  ["DepthwiseConv2dNative", { x: f([1, 8, 8, 2], 602), filter: f([3, 3, 2, 1], 603) }, { strides: [2, 2], pad: "valid", dilations: [1, 1], dataFormat: "NHWC" }],
  ["DepthwiseConv2dNativeBackpropInput", { dy: f([2, 7, 6, 6], 604), filter: f([3, 2, 3, 2], 605) }, { inputShape: [2, 7, 6, 3], strides: [1, 1], pad: "same", dilations: [1, 1] }],
  ["DepthwiseConv2dNativeBackpropFilter", { x: f([2, 7, 6, 3], 606), dy: f([2, 7, 6, 6], 607) }, { filterShape: [3, 2, 3, 2], strides: [1, 1], pad: "same", dilations: [1, 1] }],
  ["FusedBatchNorm", { x: f([2, 3, 4], 608), mean: f([4], 609), variance: f([4], 610, 0.5, 2), offset: f([4], 611), scale: f([4], 612) }, { varianceEpsilon: 0.001 }],
  ["FusedBatchNorm", { x: f([5, 3], 613), mean: f([3], 614), variance: f([3], 615, 0.5, 2) }, { varianceEpsilon: 0.01 }],
  ["ResizeBilinear", { images: f([2, 5, 4, 3], 616) }, { size: [7, 9], alignCorners: false, halfPixelCenters: true }],
  ["ResizeBilinear", { images: f([1, 4, 6, 2], 617) }, { size: [3, 5], alignCorners: true, halfPixelCenters: false }],
  ["ResizeNearestNeighbor", { images: f([2, 4, 3, 2], 618) }, { size: [8, 7], alignCorners: false, halfPixelCenters: false }],
  // One square image: tfjs's own gradient kernels mix up height and width, and batches, otherwise.
  ["ResizeBilinearGrad", { images: f([1, 5, 5, 2], 619), dy: f([1, 3, 3, 2], 620) }, { alignCorners: true }],
  ["ResizeNearestNeighborGrad", { images: f([1, 4, 4, 2], 621), dy: f([1, 8, 8, 2], 622) }, { alignCorners: false }],
];

describe("native kernels match the cpu backend", { skip }, () => {
  const seen = new Map<string, number>();
  for (const [kernel, inputs, attrs, tolerance] of CASES) {
    const n = (seen.get(kernel) ?? 0) + 1;
    seen.set(kernel, n);
    test(`${kernel} #${n}`, async () => {
      await compareKernel(kernel, inputs, (attrs ?? {}) as never, tolerance ?? 1e-4);
    });
  }
});

// Gradients flow through the native kernels (and their gradient kernels) as on the cpu backend.
const GRADIENTS: [name: string, shapes: number[][], fn: (...xs: tf.Tensor[]) => tf.Tensor][] = [
  ["slice, concat, transpose", [[4, 5], [4, 3]], (a, b) => tf.concat([a!.slice([1, 1], [3, 3]), b!.slice([0, 0], [3, 3]).transpose()], 1).square().sum()],
  ["gather, pad, tile, mirror pad", [[6, 3]], (a) => tf.tile(tf.pad(tf.gather(a!, [5, 0, 2, 2]), [[1, 0], [0, 2]]), [2, 1]).mul(tf.range(0, 5)).sum().add(tf.mirrorPad(a!, [[1, 1], [2, 0]], "reflect").square().sum())],
  ["depthwise conv, batch norm, resize", [[1, 6, 6, 2], [3, 3, 2, 2], [4], [4], [4], [4]], (x, w, m, v, o, s) =>
    tf.image.resizeBilinear(tf.batchNorm(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"), m!, v!.square().add(1), o, s) as tf.Tensor4D, [4, 4], true).sum()],
  ["softmax, logSoftmax, cumsum, max, prod", [[3, 5]], (a) => tf.add(tf.logSoftmax(a!).mul(tf.softmax(a!.cumsum(1))).sum(), tf.max(a!, 1).prod())],
  ["split, stack, unstack, maximum, minimum", [[4, 6]], (a) => {
    const [p, q] = tf.split(a!, 2, 1) as [tf.Tensor, tf.Tensor];
    const s = tf.stack([p, tf.minimum(p, q.neg())], 2);
    return tf.add(tf.unstack(s, 2)[1]!.maximum(0.1).sum(), s.sum());
  }],
];

describe("native gradients match the cpu backend", { skip }, () => {
  for (const [k, [name, shapes, fn]] of GRADIENTS.entries()) {
    test(name, async () => {
      const run = async (backend: string) => {
        await useBackend(backend);
        const xs = shapes.map((s, i) => tf.tensor(random(s.reduce((a, b) => a * b, 1), 700 + 10 * k + i, -1, 1), s));
        const grads = tf.grads(fn)(xs);
        const out = grads.map((g) => Array.from(g.dataSync()));
        tf.dispose([...xs, ...grads]);
        return out;
      };
      const expected = await run("cpu");
      assertRegistered();
      let actual: number[][] = [];
      const fallbacks = await fallbacksDuring(async () => (actual = await run("native")));
      assert.deepEqual(fallbacks, [], "kernels that took the host fallback");
      expected.forEach((e, i) => assertClose(actual[i] as number[], e, 1e-4, `gradient ${i}`));
    });
  }
});
