/** The structural check of an explanation.v1 document: every field the renderer reads (docs/mime/explanation.v1.md). */
import type { ExplanationPayloadV1 } from "../../kernel/display/payloads";
import { PayloadError, array, nullable, number, numberOrNull, numbers, numbersOrNull, object, oneOf, string, strings } from "../shared/check";

const matrix = (value: unknown, path: string) => array(value, path, numbers);

export function checkExplanation(json: unknown): ExplanationPayloadV1 {
  const p = object(json, "payload");
  string(p.method, "method");
  const modality = oneOf(p.modality, "modality", ["tabular", "image", "text"] as const);
  number(p.rowCount, "rowCount");
  const rows = array(p.rows, "rows", (r, path) => {
    const o = object(r, path);
    number(o.target, `${path}.target`);
    number(o.prediction, `${path}.prediction`);
    numberOrNull(o.baseValue, `${path}.baseValue`);
    numberOrNull(o.gap, `${path}.gap`);
  });
  if (!rows.length) throw new PayloadError("rows", "at least one row", rows);
  const d = object(p.display, "display");
  oneOf(d.sign, "display.sign", ["all", "positive", "negative", "absolute"] as const);
  oneOf(d.overlay, "display.overlay", ["blended", "masked", "heatmap"] as const);
  oneOf(d.colorConvention, "display.colorConvention", ["shap", "captum"] as const);
  number(d.clipPercentile, "display.clipPercentile");
  number(d.maxDisplay, "display.maxDisplay");
  const g = object(p.diagnostics, "diagnostics");
  for (const k of ["evaluations", "batches", "ms"]) number(g[k], `diagnostics.${k}`);
  if (modality === "image") {
    const image = object(p.image, "image");
    number(image.height, "image.height");
    number(image.width, "image.width");
    nullable(image.layerShape, "image.layerShape", numbers);
    array(image.pixels, "image.pixels", (px, path) => nullable(px, path, (v, vp) => {
      const o = object(v, vp);
      string(o.mime, `${vp}.mime`);
      string(o.base64, `${vp}.base64`);
    }));
    matrix(image.attributions, "image.attributions");
  } else if (modality === "text") {
    const text = object(p.text, "text");
    array(text.tokens, "text.tokens", strings);
    matrix(text.attributions, "text.attributions");
  } else {
    const features = object(p.features, "features");
    strings(features.names, "features.names");
    nullable(features.values, "features.values", (v, path) => array(v, path, numbersOrNull));
    matrix(features.attributions, "features.attributions");
  }
  return json as ExplanationPayloadV1;
}
