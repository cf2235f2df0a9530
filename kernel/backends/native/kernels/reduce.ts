// Reductions, arg max/min, scans, softmax and top-k.
import type { TensorInfo } from "@tensorflow/tfjs";
import { axes, native, type Context, type NativeKernel } from "../context";

const REDUCTIONS = ["Sum", "Prod", "Mean", "Max", "Min", "Any", "All", "ArgMax", "ArgMin"] as const;

export function reduceKernels({ addon }: Context): NativeKernel[] {
  const reductions: NativeKernel[] = REDUCTIONS.map((name, op) => ({
    name,
    run: ({ inputs, backend, attrs }) => {
      const x = inputs.x;
      if (!native(x)) return null;
      // Max names its axes reductionIndices; the others say axis.
      const axis = (attrs.axis ?? attrs.reductionIndices ?? null) as number | number[] | null;
      const list = axis === null ? x.shape.map((_, i) => i) : axes(axis, x.shape.length);
      if (name === "ArgMax" || name === "ArgMin") {
        if (list.length !== 1 || x.shape[list[0] as number] === 0) return null;
        return backend.made(addon.reduce(backend.id(x), op, list, false));
      }
      // Reductions over an empty axis have identities tfjs defines per op; leave those to the cpu kernel.
      if (list.some((a) => x.shape[a] === 0) && (name === "Max" || name === "Min")) return null;
      return backend.made(addon.reduce(backend.id(x), op, list, Boolean(attrs.keepDims)));
    },
  }));
  const scan = (name: string, product: boolean): NativeKernel => ({
    name,
    run: ({ inputs, backend, attrs }) => {
      const x = inputs.x;
      if (!native(x) || x.dtype === "bool") return null;
      const [axis] = axes(attrs.axis as number, x.shape.length);
      return backend.made(addon.cumulative(backend.id(x), axis as number, Boolean(attrs.exclusive), Boolean(attrs.reverse), product));
    },
  });
  return [
    ...reductions,
    scan("Cumsum", false),
    scan("Cumprod", true),
    {
      name: "Softmax",
      run: ({ inputs, backend, attrs }) => {
        const logits = inputs.logits;
        if (logits?.dtype !== "float32") return null;
        const [dim] = axes((attrs.dim as number | undefined) ?? -1, logits.shape.length);
        return backend.made(addon.softmax(backend.id(logits), dim as number, false));
      },
    },
    {
      name: "TopK",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        const k = attrs.k as number;
        if (!native(x) || x.dtype === "bool" || x.shape.length === 0) return null;
        const [values, indices] = addon.topk(backend.id(x), k);
        const shape = [...x.shape.slice(0, -1), k];
        return [backend.adopt(values, shape, x.dtype), backend.adopt(indices, shape.slice(), "int32")];
      },
    },
  ];
}
