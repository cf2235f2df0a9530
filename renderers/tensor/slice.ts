/**
 * N-D slicing for the table and heatmap: two axes become rows and columns, every other axis is
 * fixed at an index. Indices are in the (possibly downsampled) data; `origin` maps them back.
 */
import type { NumericArray } from "../shared/data";

export interface Slice { rowAxis: number; colAxis: number; index: number[] }

export function defaultSlice(shape: readonly number[]): Slice {
  const rank = shape.length;
  return { rowAxis: Math.max(0, rank - 2), colAxis: rank >= 2 ? rank - 1 : -1, index: shape.map(() => 0) };
}

export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = s; s *= shape[i]; }
  return strides;
}

/** The rows × cols matrix of a slice, as one flat Float64Array (row-major) for speed. */
export function extract(values: NumericArray, shape: readonly number[], slice: Slice): { rows: number; cols: number; z: Float64Array } {
  const strides = rowMajorStrides(shape);
  const rows = shape.length ? shape[slice.rowAxis] : 1;
  const cols = slice.colAxis >= 0 ? shape[slice.colAxis] : 1;
  let base = 0;
  shape.forEach((_, a) => { if (a !== slice.rowAxis && a !== slice.colAxis) base += slice.index[a] * strides[a]; });
  const rs = shape.length ? strides[slice.rowAxis] : 0, cs = slice.colAxis >= 0 ? strides[slice.colAxis] : 0;
  const z = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) z[r * cols + c] = values[base + r * rs + c * cs];
  return { rows, cols, z };
}
