/**
 * The structural check of a Plotly figure ({ data: [...traces], layout? }): what this renderer reads
 * itself. The traces' own attributes are Plotly's to interpret, as in JupyterLab.
 */
import type { Figure } from "../../kernel/display/payloads";
import { array, object, optional } from "../shared/check";

export function checkFigure(json: unknown): Figure {
  const f = object(json, "figure");
  array(f.data, "data", object);
  optional(f.layout, "layout", object);
  return json as Figure;
}
