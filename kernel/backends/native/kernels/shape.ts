// Kernels that move data: reshape, transpose and slices (views, no copy), concat/split, pack/unpack,
// tile, pad, gathers, one-hot, reverse, broadcast, segment sums.
import type { TensorInfo } from "@tensorflow/tfjs";
import { axes, dtypeCodeOf, native, sizeOf, type Context, type NativeKernel } from "../context";

export function shapeKernels({ tf, addon }: Context): NativeKernel[] {
  const { util, slice_util, backend_util } = tf;
  return [
    {
      name: "Reshape",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x)) return null;
        const shape = util.inferFromImplicitShape(attrs.shape as number[], sizeOf(x.shape));
        return backend.adopt(addon.reshape(backend.id(x), shape), shape, x.dtype);
      },
    },
    {
      name: "ExpandDims",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.input;
        if (!native(x)) return null;
        const rank = x.shape.length;
        let dim = attrs.dim as number;
        if (dim < 0) dim += rank + 1;
        const shape = [...x.shape.slice(0, dim), 1, ...x.shape.slice(dim)];
        return backend.adopt(addon.reshape(backend.id(x), shape), shape, x.dtype);
      },
    },
    {
      name: "Transpose",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x)) return null;
        const perm = attrs.perm as number[];
        return backend.adopt(addon.transpose(backend.id(x), perm), perm.map((p) => x.shape[p] as number), x.dtype);
      },
    },
    {
      name: "Slice",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x)) return null;
        const [begin, size] = slice_util.parseSliceParams(x as unknown as Parameters<typeof slice_util.parseSliceParams>[0], attrs.begin as number[], attrs.size as number[]);
        return backend.adopt(addon.slice(backend.id(x), begin, size), size, x.dtype);
      },
    },
    {
      name: "StridedSlice",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x)) return null;
        const a = attrs as Record<string, number | number[]>;
        const info = slice_util.sliceInfo(x.shape, a.begin as number[], a.end as number[], a.strides as number[],
          a.beginMask as number, a.endMask as number, a.ellipsisMask as number, a.newAxisMask as number, a.shrinkAxisMask as number);
        if (info.strides.some((s) => s <= 0)) return null;
        return backend.adopt(addon.stridedSlice(backend.id(x), info.begin, info.end, info.strides, info.finalShape), info.finalShape, x.dtype);
      },
    },
    {
      name: "Concat",
      run: ({ inputs, backend, attrs }) => {
        const list = Object.values(inputs) as TensorInfo[];
        const first = list[0];
        if (first === undefined || !list.every((t) => native(t) && t.dtype === first.dtype && t.shape.length === first.shape.length)) return null;
        const [axis] = util.parseAxisParam(attrs.axis as number, first.shape);
        if (list.length === 1) return backend.made(addon.alias(backend.id(first)));
        return backend.made(addon.concat(list.map((t) => backend.id(t)), axis as number));
      },
    },
    {
      name: "SplitV",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x)) return null;
        const [axis] = util.parseAxisParam(attrs.axis as number, x.shape) as [number];
        const sizes = backend_util.prepareSplitSize(x as unknown as Parameters<typeof backend_util.prepareSplitSize>[0], attrs.numOrSizeSplits as number | number[], axis);
        const ids = addon.split(backend.id(x), sizes, axis);
        return ids.map((id, i) => {
          const shape = x.shape.slice();
          shape[axis] = sizes[i] as number;
          return backend.adopt(id, shape, x.dtype);
        });
      },
    },
    {
      name: "Pack",
      run: ({ inputs, backend, attrs }) => {
        const list = Object.values(inputs) as TensorInfo[];
        const first = list[0];
        if (first === undefined || !list.every((t) => native(t) && t.dtype === first.dtype)) return null;
        const [axis] = axes(attrs.axis as number, first.shape.length + 1);
        return backend.made(addon.stack(list.map((t) => backend.id(t)), axis as number));
      },
    },
    {
      name: "Unpack",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.value;
        if (!native(x)) return null;
        const [axis] = axes(attrs.axis as number, x.shape.length) as [number];
        const shape = x.shape.filter((_, i) => i !== axis);
        return addon.unstack(backend.id(x), axis).map((id) => backend.adopt(id, shape.slice(), x.dtype));
      },
    },
    {
      name: "Tile",
      run: ({ inputs, backend, attrs }) => (native(inputs.x) ? backend.made(addon.tile(backend.id(inputs.x), attrs.reps as number[])) : null),
    },
    {
      name: "PadV2",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x) || x.dtype === "bool") return null;
        return backend.made(addon.pad(backend.id(x), (attrs.paddings as number[][]).flat(), Number(attrs.constantValue ?? 0)));
      },
    },
    {
      name: "GatherV2",
      run: ({ inputs, backend, attrs }) => {
        const { x, indices } = inputs;
        if (!native(x) || indices?.dtype !== "int32") return null;
        const [axis] = util.parseAxisParam(attrs.axis as number, x.shape);
        let batchDims = Number(attrs.batchDims ?? 0);
        if (batchDims < 0) batchDims += indices.shape.length;
        return backend.made(addon.gather(backend.id(x), backend.id(indices), axis as number, batchDims));
      },
    },
    {
      name: "GatherNd",
      run: ({ inputs, backend }) => {
        const { params, indices } = inputs;
        if (!native(params) || indices?.dtype !== "int32" || indices.shape.length === 0) return null;
        return backend.made(addon.gatherNd(backend.id(params), backend.id(indices)));
      },
    },
    {
      name: "OneHot",
      run: ({ inputs, backend, attrs }) => {
        const indices = inputs.indices;
        const code = dtypeCodeOf((attrs.dtype as string | undefined) ?? "int32");
        if (indices?.dtype !== "int32" || code === undefined) return null;
        return backend.made(addon.oneHot(backend.id(indices), attrs.depth as number, Number(attrs.onValue ?? 1), Number(attrs.offValue ?? 0), code));
      },
    },
    {
      name: "Reverse",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x)) return null;
        return backend.made(addon.reverse(backend.id(x), util.parseAxisParam(attrs.dims as number | number[], x.shape)));
      },
    },
    {
      name: "UnsortedSegmentSum",
      run: ({ inputs, backend, attrs }) => {
        const { x, segmentIds } = inputs;
        if (!native(x) || x.dtype === "bool" || segmentIds?.dtype !== "int32") return null;
        return backend.made(addon.unsortedSegmentSum(backend.id(x), backend.id(segmentIds), attrs.numSegments as number));
      },
    },
    {
      name: "ScatterNd",
      run: ({ inputs, backend, attrs }) => {
        const { indices, updates } = inputs;
        if (indices?.dtype !== "int32" || !native(updates) || updates.dtype === "bool" || indices.shape.length === 0) return null;
        return backend.made(addon.scatterNd(backend.id(indices), backend.id(updates), attrs.shape as number[]));
      },
    },
    {
      name: "Einsum",
      run: ({ inputs, backend, attrs }) => {
        const list = Object.values(inputs) as TensorInfo[];
        if (!list.every((t) => t.dtype === "float32")) return null;
        return backend.made(addon.einsum(attrs.equation as string, list.map((t) => backend.id(t))));
      },
    },
    {
      name: "MirrorPad",
      run: ({ inputs, backend, attrs }) => {
        const x = inputs.x;
        if (!native(x)) return null;
        return backend.made(addon.mirrorPad(backend.id(x), (attrs.paddings as number[][]).flat(), attrs.mode === "symmetric"));
      },
    },
  ];
}
