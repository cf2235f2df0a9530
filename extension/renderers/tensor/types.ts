/**
 * The tensor payload as the renderer reads it (docs/mime/tensor.v1.md). Kept separate from the
 * kernel's types on purpose: the renderer must cope with any notebook's saved JSON.
 */
export type TensorView = "table" | "heatmap" | "image" | "histogram";
export type ImageLayout = "HW" | "HWC" | "NHW" | "NHWC";
export type PreviewValue = number | string | boolean | null | PreviewValue[];

export interface TensorPayload {
  version: 1;
  name?: string;
  dtype: string;
  shape: number[];
  backend: string;
  size: number;
  stats: { min: number | null; max: number | null; mean: number | null; std: number | null; finite: number; zeros: number; nan: number; posInf: number; negInf: number } | null;
  histogram: { edges: number[]; counts: number[] } | null;
  preview: { edgeItems: number; threshold: number; summarized: boolean; values: PreviewValue };
  data: { dtype: "float32" | "int32" | "uint8"; shape: number[]; strides: number[]; downsampled: boolean; note?: string; encoding: "base64"; byteOrder: "little"; bytes: string } | null;
  view: { default: TensorView; available: TensorView[]; layout?: ImageLayout; valueRange?: [number, number] };
}
