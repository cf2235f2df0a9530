/**
 * tfjs-vis draws into "surfaces" (visor tabs or DOM elements); in a notebook a surface is an
 * output of the running cell. Drawing twice on the same surface name in one cell replaces that
 * output in place (a chart updated in a loop); another cell gets a new output.
 */
import { figurePayload, type Figure } from "../figure";
import type { DisplayPayload } from "../mime";
import { currentSink } from "../sink";

/** A visor surface `{ name, tab }`, its `drawArea`, or a plain name. */
export type Drawable = { name?: string; tab?: string; styles?: Record<string, unknown>; drawArea?: unknown } | string;

export function surfaceName(surface: Drawable | undefined, fallback: string): string {
  if (typeof surface === "string") return surface;
  return surface?.name ?? fallback;
}

let counter = 0;
const ids = new Map<string, string>();

/** Shows `payload` as the surface's output, or replaces it when this cell already drew there. */
export function drawOn(surface: Drawable | undefined, fallback: string, payload: DisplayPayload): void {
  const sink = currentSink();
  const name = surfaceName(surface, fallback);
  const key = sink.cell === undefined ? undefined : `${sink.cell}\u0000${name}`;
  const existing = key === undefined ? undefined : ids.get(key);
  if (existing) { sink.update(payload, existing); return; }
  const id = `tfvis-${Date.now().toString(36)}-${++counter}`;
  if (key !== undefined) {
    ids.set(key, id);
    if (ids.size > 500) ids.delete(ids.keys().next().value!); // old cells' surfaces
  }
  sink.show(payload, id);
}

export function drawFigure(surface: Drawable | undefined, fallback: string, figure: Figure, extra?: Record<string, unknown>): void {
  drawOn(surface, fallback, figurePayload(figure, extra));
}

/** Common chart options of tfjs-vis; width is ignored (outputs fit the notebook's width). */
export interface ChartOptions { xLabel?: string; yLabel?: string; width?: number; height?: number; fontSize?: number }

export function baseLayout(title: string, opts: ChartOptions = {}): Record<string, unknown> {
  return {
    title: { text: title },
    ...(opts.height ? { height: Math.max(120, opts.height) } : {}),
    xaxis: { title: { text: opts.xLabel ?? "" } },
    yaxis: { title: { text: opts.yLabel ?? "" } },
  };
}
