// Elementwise ops, reductions, Softmax and Transpose: the many small kernels that optimizers (adam),
// losses and activations are made of.
import { floats, output, sizeOf, type Context, type NativeKernel } from "../context";

const UNARY = ["Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Exp", "Log", "Log1p", "Sqrt", "Rsqrt", "Square", "Neg", "Abs", "Reciprocal", "Step"];
const BINARY = ["Add", "Sub", "Multiply", "RealDiv", "Maximum", "Minimum", "SquaredDifference"];
const REDUCE = ["Sum", "Mean", "Max", "Min"];

export function elementwiseKernels(ctx: Context): NativeKernel[] {
  const { tf, addon } = ctx;
  const unary: NativeKernel[] = UNARY.map((name) => ({
    name,
    run: ({ inputs, backend, attrs }) => {
      const x = floats(backend, inputs.x);
      // Without alpha the cpu kernels produce NaN (Step) or use their own default; leave that to them.
      const needsAlpha = name === "Step" || name === "LeakyRelu";
      if (x === undefined || (needsAlpha && typeof attrs.alpha !== "number")) return null;
      const alpha = needsAlpha ? (attrs.alpha as number) : 0;
      return output(backend, x.shape, addon.unary(name, x.values, x.shape, alpha, backend.allocate(x.values.length)));
    },
  }));
  const binary: NativeKernel[] = BINARY.map((name) => ({
    name,
    run: ({ inputs, backend }) => {
      const a = floats(backend, inputs.a);
      const b = floats(backend, inputs.b);
      if (a === undefined || b === undefined) return null;
      const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      return output(backend, outShape, addon.binary(name, a.values, a.shape, b.values, b.shape, outShape, backend.allocate(sizeOf(outShape))));
    },
  }));
  const reduce: NativeKernel[] = [...REDUCE, "ArgMax", "ArgMin"].map((name) => ({
    name,
    run: ({ inputs, backend, attrs }) => {
      const x = floats(backend, inputs.x);
      if (x === undefined || x.shape.length === 0) return null;
      const axisAttr = (name === "Max" ? attrs.reductionIndices : attrs.axis) as number | number[] | null | undefined;
      const axes = axisAttr == null ? x.shape.map((_, i) => i) : tf.util.parseAxisParam(axisAttr, x.shape);
      // ATen reads an empty axis list as "all axes"; TensorFlow.js as "none".
      if (axes.length === 0) return null;
      const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
      const argReduce = name === "ArgMax" || name === "ArgMin";
      const values = addon.reduce(name, x.values, x.shape, axes, outShape, argReduce ? null : backend.allocate(sizeOf(outShape)));
      const shape = !argReduce && attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      return output(backend, shape, values, argReduce ? "int32" : "float32");
    },
  }));
  return [
    ...unary,
    ...binary,
    ...reduce,
    {
      name: "AddN",
      run: ({ inputs, backend }) => {
        const tensors = Object.values(inputs).map((t) => floats(backend, t));
        const shape = tensors[0]?.shape;
        const arrays: Float32Array[] = [];
        for (const t of tensors) {
          if (t === undefined || shape === undefined || !tf.util.arraysEqual(t.shape, shape)) return null;
          arrays.push(t.values);
        }
        if (shape === undefined) return null;
        return output(backend, shape, addon.addN(arrays, shape, backend.allocate(sizeOf(shape))));
      },
    },
    {
      name: "Softmax",
      run: ({ inputs, backend, attrs }) => {
        const logits = floats(backend, inputs.logits);
        if (logits === undefined) return null;
        const rank = logits.shape.length;
        const dim = Number(attrs.dim ?? -1);
        if (rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
        return output(backend, logits.shape, addon.softmax(logits.values, logits.shape, backend.allocate(logits.values.length)));
      },
    },
    {
      name: "GatherV2",
      run: ({ inputs, backend, attrs }) => {
        const x = floats(backend, inputs.x);
        const indices = inputs.indices;
        if (x === undefined || indices === undefined || indices.dtype !== "int32" || Number(attrs.batchDims ?? 0) !== 0) return null;
        const index = backend.data.get(indices.dataId)?.values;
        if (!(index instanceof Int32Array)) return null;
        const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0] as number;
        const size = x.shape[axis] as number;
        // Out-of-range indices go to the cpu kernel, whose error message names the bad index.
        for (const i of index) if (i < 0 || i >= size) return null;
        const flatShape = [...x.shape.slice(0, axis), index.length, ...x.shape.slice(axis + 1)];
        const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
        return output(backend, outShape, addon.gather(x.values, x.shape, index, axis, flatShape, backend.allocate(sizeOf(flatShape))));
      },
    },
    {
      name: "Transpose",
      run: ({ inputs, backend, attrs }) => {
        const x = floats(backend, inputs.x);
        const perm = attrs.perm as number[];
        if (x === undefined || perm.length !== x.shape.length) return null;
        const outShape = perm.map((p) => x.shape[p] as number);
        return output(backend, outShape, addon.transpose(x.values, x.shape, perm, outShape, backend.allocate(sizeOf(outShape))));
      },
    },
  ];
}
