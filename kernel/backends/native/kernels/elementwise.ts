// Elementwise kernels (float32, int32, bool): unary and binary math with broadcasting, comparisons,
// logic, casts, select, AddN, fills and ranges.
import type { DataType, TensorInfo } from "@tensorflow/tfjs";
import { dtypeCodeOf, native, type Context, type KernelArgs, type NativeKernel } from "../context";

export function elementwiseKernels({ addon, tf }: Context): NativeKernel[] {
  const unary = (name: string, params?: (attrs: KernelArgs["attrs"]) => [number, number]): NativeKernel => {
    const op = addon.unaryOps.indexOf(name);
    if (op < 0) throw new Error(`the native addon lacks the unary op ${name}; rebuild it (npm run build:native -- --force)`);
    return {
      name,
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x)) return null;
        if (params === undefined) return backend.made(addon.unary(op, backend.id(x)));
        const [a, b] = params(attrs);
        return backend.made(addon.unary(op, backend.id(x), a, b));
      },
    };
  };
  const binary = (name: string, first = "a", second = "b"): NativeKernel => {
    const op = addon.binaryOps.indexOf(name);
    if (op < 0) throw new Error(`the native addon lacks the binary op ${name}; rebuild it (npm run build:native -- --force)`);
    return {
      name,
      run: ({ inputs, backend }) => {
        const a = inputs[first];
        const b = inputs[second];
        if (!native(a) || !native(b) || a.dtype !== b.dtype) return null;
        return backend.made(addon.binary(op, backend.id(a), backend.id(b)));
      },
    };
  };
  const plainUnary = addon.unaryOps.filter((n) => !["Step", "LeakyRelu", "ClipByValue"].includes(n));
  // ReluGrad is no tfjs kernel: gradients.ts runs it for the Relu gradient.
  const plainBinary = addon.binaryOps.filter((n) => !["Prelu", "EluGrad", "ReluGrad"].includes(n));
  const kernels: NativeKernel[] = [
    ...plainUnary.map((name) => unary(name)),
    unary("Step", (attrs) => [Number(attrs.alpha ?? 0), 0]),
    unary("LeakyRelu", (attrs) => [Number(attrs.alpha ?? 0.2), 0]),
    unary("ClipByValue", (attrs) => [Number(attrs.clipValueMin), Number(attrs.clipValueMax)]),
    ...plainBinary.map((name) => binary(name)),
    binary("Prelu", "x", "alpha"),
    binary("EluGrad", "dy", "y"),
    {
      name: "Identity",
      run: ({ inputs, backend }) => {
        const x = inputs.x as TensorInfo;
        backend.incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      },
    },
    {
      name: "Cast",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        const code = dtypeCodeOf(attrs.dtype as string);
        if (!native(x) || code === undefined) return null;
        return backend.made(addon.cast(backend.id(x), code));
      },
    },
    {
      name: "Select",
      run: ({ inputs, backend }) => {
        const { condition, t, e } = inputs;
        if (!native(condition) || !native(t) || !native(e)) return null;
        return backend.made(addon.select(backend.id(condition), backend.id(t), backend.id(e)));
      },
    },
    {
      name: "AddN",
      run: ({ inputs, backend }) => {
        const list = Object.values(inputs) as TensorInfo[];
        if (list.length === 0 || !list.every(native)) return null;
        return backend.made(addon.addN(list.map((t) => backend.id(t))));
      },
    },
    {
      name: "Fill",
      run: ({ backend, attrs }) => {
        const dtype = (attrs.dtype as DataType | undefined) ?? (typeof attrs.value === "string" ? "string" : "float32");
        const code = dtypeCodeOf(dtype);
        if (code === undefined || typeof attrs.value !== "number") return null;
        return backend.made(addon.fill(attrs.shape as number[], attrs.value, code));
      },
    },
    {
      name: "Range",
      run: ({ backend, attrs }) => {
        const { start, stop, dtype } = attrs as { start: number; stop: number; dtype: DataType };
        let step = attrs.step as number;
        const code = dtypeCodeOf(dtype);
        // int32 ranges with fractional steps truncate at every step in tfjs; leave those to its kernel.
        if (code === undefined || code === 2 || (code === 1 && !Number.isInteger(step))) return null;
        // tfjs's rangeImpl: its empty cases, its length, and its sign correction of a unit step.
        const empty = start === stop || (start < stop && step < 0) || (stop < start && step > 1);
        const n = empty ? 0 : Math.abs(Math.ceil((stop - start) / step));
        if (stop < start && step === 1) step = -1;
        return backend.made(addon.range(start, step, n, code));
      },
    },
    {
      name: "LinSpace",
      run: ({ backend, attrs }) => {
        const { start, stop, num } = attrs as { start: number; stop: number; num: number };
        if (!(num > 0)) return null;
        const step = num === 1 ? 0 : (stop - start) / (num - 1);
        return backend.made(addon.range(start, step, num, 0));
      },
    },
  ];
  return kernels.filter((k) => tf.getKernel(k.name, "cpu") !== undefined || k.name === "Identity");
}
