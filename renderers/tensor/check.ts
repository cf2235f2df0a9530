/** The structural check of a tensor.v1 payload: every field the renderer reads (docs/mime/tensor.v1.md). */
import type { TensorPayloadV1, TensorView } from "../../kernel/display/payloads";
import { boolean, nullable, number, numberOrNull, numbers, object, oneOf, optional, string, array } from "../shared/check";

const VIEWS: readonly TensorView[] = ["table", "heatmap", "image", "histogram"];

export function checkTensor(json: unknown): TensorPayloadV1 {
  const p = object(json, "payload");
  optional(p.name, "name", string);
  string(p.dtype, "dtype");
  numbers(p.shape, "shape");
  string(p.backend, "backend");
  number(p.size, "size");
  nullable(p.stats, "stats", (s, path) => {
    const o = object(s, path);
    for (const k of ["min", "max", "mean", "std"]) numberOrNull(o[k], `${path}.${k}`);
    for (const k of ["finite", "zeros", "nan", "posInf", "negInf"]) number(o[k], `${path}.${k}`);
  });
  nullable(p.histogram, "histogram", (h, path) => {
    const o = object(h, path);
    numbers(o.edges, `${path}.edges`);
    numbers(o.counts, `${path}.counts`);
  });
  const preview = object(p.preview, "preview");
  boolean(preview.summarized, "preview.summarized");
  nullable(p.data, "data", (d, path) => {
    const o = object(d, path);
    oneOf(o.dtype, `${path}.dtype`, ["float32", "int32", "uint8"] as const);
    numbers(o.shape, `${path}.shape`);
    numbers(o.strides, `${path}.strides`);
    string(o.bytes, `${path}.bytes`);
    optional(o.note, `${path}.note`, string);
  });
  const view = object(p.view, "view");
  oneOf(view.default, "view.default", VIEWS);
  array(view.available, "view.available", (v, path) => oneOf(v, path, VIEWS));
  return json as TensorPayloadV1;
}
