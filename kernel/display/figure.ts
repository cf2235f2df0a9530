/**
 * Plotly figures as notebook outputs: application/vnd.plotly.v1+json (the MIME type JupyterLab,
 * VS Code and Glassbox's own renderer draw), a PNG drawn here in the kernel (so reports and
 * code-hosting sites show the chart), and a one-line text description.
 */
import { figurePng } from "./figure-png";
import { JUPYTER_DISPLAY, type DisplayPayload } from "./mime";
import type { DisplaySink } from "./sink";

import { PLOTLY_MIME, type Figure } from "./payloads";

export { PLOTLY_MIME } from "./payloads";
export type { Figure, Trace } from "./payloads";

export interface PlotHandle {
  readonly id: string;
  /** Redraws the same output with a new figure (update_display_data). */
  update(figure: Figure): void;
}

/** Checks that `figure` looks like { data: [...traces], layout?: {...} }; says what to fix otherwise. */
export function checkFigure(figure: unknown): Figure {
  if (!figure || typeof figure !== "object") throw new TypeError(`display.plot needs a Plotly figure { data: [...traces], layout?: {...} }, got ${figure === null ? "null" : typeof figure}.`);
  const f = figure as Partial<Figure>;
  if (!Array.isArray(f.data)) throw new TypeError("display.plot: the figure has no `data` array of traces, e.g. { data: [{ x: [1, 2, 3], y: [2, 4, 1], type: \"scatter\" }] }.");
  f.data.forEach((t, i) => {
    if (!t || typeof t !== "object" || Array.isArray(t)) throw new TypeError(`display.plot: trace ${i} is not an object (each trace is like { x: [...], y: [...], type: "scatter" }).`);
  });
  if (f.layout !== undefined && (typeof f.layout !== "object" || f.layout === null || Array.isArray(f.layout))) throw new TypeError("display.plot: `layout` must be an object, e.g. { title: { text: \"Loss\" } }.");
  // Through JSON: typed arrays become arrays, functions and undefined drop out, as they would on the wire.
  return JSON.parse(JSON.stringify(figure, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v))) as Figure;
}

export function titleOf(layout: Record<string, unknown> | undefined): string | undefined {
  const t = layout?.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return undefined;
}

export function figureText(figure: Figure): string {
  const kinds = [...new Set(figure.data.map((t) => t.type ?? "scatter"))].join(", ");
  const title = titleOf(figure.layout);
  return `${title ? `${title}: ` : ""}Plotly figure, ${figure.data.length} trace${figure.data.length === 1 ? "" : "s"} (${kinds || "none"})`;
}

/** The bundle for one figure; `extra` adds other representations (e.g. text/html for a table). */
export function figurePayload(figure: unknown, extra: Record<string, unknown> = {}): DisplayPayload {
  const f = checkFigure(figure);
  return { data: { [PLOTLY_MIME]: f, "image/png": figurePng(f), "text/plain": figureText(f), ...extra }, metadata: {} };
}

let plotCounter = 0;

/** Shows a figure under a display id; the handle's `update` replaces it in place. */
export function showFigure(sink: DisplaySink, figure: unknown, id = `plot-${Date.now().toString(36)}-${++plotCounter}`): PlotHandle {
  sink.show(figurePayload(figure), id);
  return {
    id,
    update: (next: Figure) => sink.update(figurePayload(next), id),
    // A handle as a cell's last value shows nothing more, like display()'s handles.
    [JUPYTER_DISPLAY]: () => null,
  } as PlotHandle;
}
