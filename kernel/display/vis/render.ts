/** tfvis.render.*: the chart kinds of tfjs-vis, drawn as Plotly figures in the cell's output. */
import { histogram as binValues, tensorStats } from "../tensor";
import type { Figure, Trace } from "../figure";
import { escapeHtml } from "../escape";
import { baseLayout, drawFigure, type ChartOptions, type Drawable } from "./surface";

export interface Point2D { x: number; y: number }
export interface XYPlotData { values: Point2D[][] | Point2D[]; series?: string[] }
export interface XYPlotOptions extends ChartOptions {
  xAxisDomain?: [number, number];
  yAxisDomain?: [number, number];
  zoomToFit?: boolean;
  seriesColors?: string[];
}
export interface BarChartOptions extends ChartOptions { color?: string | string[] }
export interface HistogramOptions extends ChartOptions { maxBins?: number; stats?: false | Record<string, unknown>; color?: string }
export interface HeatmapData { values: number[][] | TensorLike; xTickLabels?: string[]; yTickLabels?: string[] }
export interface HeatmapOptions extends ChartOptions { colorMap?: "viridis" | "blues" | "greyscale"; domain?: number[]; rowMajor?: boolean }
export interface ConfusionMatrixData { values: number[][]; tickLabels?: string[] }
export interface ConfusionMatrixOptions extends ChartOptions { shadeDiagonal?: boolean; showTextOverlay?: boolean }
export interface TableData { headers: string[]; values: unknown[][] }

/** A tensor as far as tfvis needs one (so any tfjs instance's tensors work). */
export interface TensorLike { shape: number[]; arraySync(): unknown; dataSync(): ArrayLike<number> }
export const isTensor = (v: unknown): v is TensorLike => !!v && typeof v === "object" && Array.isArray((v as TensorLike).shape) && typeof (v as TensorLike).dataSync === "function";

function fail(call: string, message: string): never {
  throw new TypeError(`tfvis.${call}: ${message}`);
}

function seriesOf(call: string, data: XYPlotData): Point2D[][] {
  if (!data || !Array.isArray(data.values)) fail(call, "data must be { values: [{ x, y }, …] } or { values: [[…], […]], series: [\"a\", \"b\"] }.");
  const values = data.values.length && Array.isArray(data.values[0]) ? (data.values as Point2D[][]) : [data.values as Point2D[]];
  values.forEach((s, i) => {
    if (!Array.isArray(s)) fail(call, `series ${i} is not an array of { x, y } points.`);
    const bad = s.findIndex((p) => !p || typeof p !== "object" || typeof p.x !== "number" || typeof p.y !== "number");
    if (bad >= 0) fail(call, `series ${i}, point ${bad} is ${JSON.stringify(s[bad])}; each point is { x: number, y: number }.`);
  });
  return values;
}

function xyChart(call: string, surface: Drawable, data: XYPlotData, opts: XYPlotOptions, mode: "markers" | "lines"): Promise<void> {
  const values = seriesOf(call, data);
  const traces: Trace[] = values.map((s, i) => {
    const color = opts.seriesColors?.[i];
    return {
      type: "scatter", mode, name: data.series?.[i] ?? (values.length > 1 ? `Series ${i + 1}` : undefined),
      x: s.map((p) => p.x), y: s.map((p) => p.y),
      ...(color ? { marker: { color }, line: { color } } : {}),
      ...(mode === "markers" ? { marker: { size: 6, opacity: 0.8, ...(color ? { color } : {}) } } : {}),
    };
  });
  const layout = baseLayout(typeof surface === "string" ? surface : surface?.name ?? call, opts);
  if (opts.xAxisDomain) (layout.xaxis as Record<string, unknown>).range = opts.xAxisDomain;
  if (opts.yAxisDomain) (layout.yaxis as Record<string, unknown>).range = opts.yAxisDomain;
  layout.showlegend = values.length > 1;
  drawFigure(surface, call, { data: traces, layout });
  return Promise.resolve();
}

function title(surface: Drawable, fallback: string): string {
  return typeof surface === "string" ? surface : surface?.name ?? fallback;
}

export function scatterplot(surface: Drawable, data: XYPlotData, opts: XYPlotOptions = {}): Promise<void> {
  return xyChart("render.scatterplot", surface, data, opts, "markers");
}

export function linechart(surface: Drawable, data: XYPlotData, opts: XYPlotOptions = {}): Promise<void> {
  return xyChart("render.linechart", surface, data, opts, "lines");
}

export function barchart(surface: Drawable, data: Array<{ index: number | string; value: number }>, opts: BarChartOptions = {}): Promise<void> {
  if (!Array.isArray(data) || data.some((d) => !d || typeof d.value !== "number")) fail("render.barchart", "data must be [{ index, value: number }, …].");
  const color = opts.color;
  const figure: Figure = {
    data: [{ type: "bar", x: data.map((d) => String(d.index)), y: data.map((d) => d.value), ...(color ? { marker: { color } } : {}) }],
    layout: { ...baseLayout(title(surface, "bar chart"), opts), xaxis: { type: "category", title: { text: opts.xLabel ?? "" } } },
  };
  drawFigure(surface, "render.barchart", figure);
  return Promise.resolve();
}

/** Numbers from tfjs-vis's histogram inputs: [{ value }], number[], a typed array or a tensor. */
function numbersOf(call: string, data: unknown): ArrayLike<number> {
  if (isTensor(data)) return data.dataSync();
  if (ArrayBuffer.isView(data)) return data as unknown as ArrayLike<number>;
  if (Array.isArray(data)) return data.map((d, i) => {
    const v = typeof d === "number" ? d : d && typeof d === "object" ? (d as { value?: unknown }).value : undefined;
    if (typeof v !== "number") fail(call, `item ${i} is ${JSON.stringify(d)}; give numbers or [{ value: number }, …].`);
    return v;
  });
  return fail(call, "data must be numbers, [{ value }, …], a typed array or a tensor.");
}

/** Bars over fixed bins, with the statistics tfjs-vis shows above a histogram in the title. */
export function histogramFigure(name: string, values: ArrayLike<number>, opts: HistogramOptions = {}, integer = false): Figure {
  const stats = tensorStats(values);
  const bins = binValues(values, stats, integer, opts.maxBins ?? 30);
  const centers = bins ? bins.counts.map((_, i) => (bins.edges[i] + bins.edges[i + 1]) / 2) : [];
  const width = bins ? bins.edges[1] - bins.edges[0] : 1;
  const fmt = (v: number | null) => (v === null ? "–" : String(Number(v.toPrecision(4))));
  const facts = opts.stats === false ? "" : ` · n=${values.length} min=${fmt(stats.min)} max=${fmt(stats.max)} mean=${fmt(stats.mean)} zeros=${stats.zeros}${stats.nan ? ` NaN=${stats.nan}` : ""}`;
  return {
    data: [{ type: "bar", x: centers, y: bins?.counts ?? [], width: centers.map(() => width), name: "count", ...(opts.color ? { marker: { color: opts.color } } : {}) }],
    layout: { ...baseLayout(`${name}${facts}`, opts), bargap: 0.02, yaxis: { title: { text: opts.yLabel ?? "count" } } },
  };
}

export function histogram(surface: Drawable, data: Array<{ value: number }> | number[] | ArrayLike<number> | TensorLike, opts: HistogramOptions = {}): Promise<void> {
  drawFigure(surface, "render.histogram", histogramFigure(title(surface, "histogram"), numbersOf("render.histogram", data), opts));
  return Promise.resolve();
}

function matrixOf(call: string, values: unknown): number[][] {
  const m = isTensor(values) ? values.arraySync() : values;
  if (!Array.isArray(m) || !m.every((row) => Array.isArray(row) && row.every((v) => typeof v === "number"))) fail(call, "values must be a 2-D array of numbers (or a 2-D tensor).");
  return m as number[][];
}

const transpose = (m: number[][]) => (m[0] ?? []).map((_, j) => m.map((row) => row[j]));
const COLOR_SCALES: Record<string, unknown> = { viridis: "Viridis", blues: "Blues", greyscale: [[0, "#ffffff"], [1, "#000000"]] };

export function heatmap(surface: Drawable, data: HeatmapData, opts: HeatmapOptions = {}): Promise<void> {
  if (!data || typeof data !== "object") fail("render.heatmap", "data must be { values: number[][] | Tensor2D, xTickLabels?, yTickLabels? }.");
  const m = matrixOf("render.heatmap", data.values);
  // tfjs-vis reads values[i] as the i-th column unless rowMajor is set; Plotly's z is row-major.
  const z = opts.rowMajor ? m : transpose(m);
  const trace: Trace = {
    type: "heatmap", z, colorscale: COLOR_SCALES[opts.colorMap ?? "viridis"] ?? "Viridis", reversescale: opts.colorMap === "blues",
    ...(data.xTickLabels ? { x: data.xTickLabels } : {}), ...(data.yTickLabels ? { y: data.yTickLabels } : {}),
    ...(opts.domain ? { zmin: opts.domain[0], zmax: opts.domain[opts.domain.length - 1] } : {}),
  };
  drawFigure(surface, "render.heatmap", { data: [trace], layout: baseLayout(title(surface, "heatmap"), opts) });
  return Promise.resolve();
}

export function confusionMatrixFigure(name: string, data: ConfusionMatrixData, opts: ConfusionMatrixOptions = {}): Figure {
  const m = matrixOf("render.confusionMatrix", data?.values);
  const labels = data.tickLabels ?? m.map((_, i) => String(i));
  // Without shading the diagonal, the colours show the mistakes (as tfjs-vis does by default).
  const shaded = opts.shadeDiagonal === false ? m.map((row, i) => row.map((v, j) => (i === j ? 0 : v))) : m;
  return {
    data: [{
      type: "heatmap", z: shaded, x: labels, y: labels, colorscale: "Blues", reversescale: true, showscale: true,
      text: m.map((row) => row.map(String)), texttemplate: opts.showTextOverlay === false ? "" : "%{text}",
      hovertemplate: "actual %{y}<br>predicted %{x}<br>count %{text}<extra></extra>",
    }],
    layout: {
      ...baseLayout(name, { xLabel: opts.xLabel ?? "Prediction", yLabel: opts.yLabel ?? "Label", height: opts.height }),
      yaxis: { title: { text: opts.yLabel ?? "Label" }, autorange: "reversed", type: "category" },
      xaxis: { title: { text: opts.xLabel ?? "Prediction" }, type: "category", side: "bottom" },
    },
  };
}

export function confusionMatrix(surface: Drawable, data: ConfusionMatrixData, opts: ConfusionMatrixOptions = {}): Promise<void> {
  drawFigure(surface, "render.confusionMatrix", confusionMatrixFigure(title(surface, "confusion matrix"), data, opts));
  return Promise.resolve();
}

/** A table as a Plotly table trace (themed by the renderer), with HTML and text for other clients. */
export function tableFigure(name: string, data: TableData): { figure: Figure; html: string; text: string } {
  if (!data || !Array.isArray(data.headers) || !Array.isArray(data.values)) fail("render.table", "data must be { headers: string[], values: any[][] }.");
  const cell = (v: unknown) => (typeof v === "number" ? String(Number(v.toPrecision(6))) : String(v ?? ""));
  const rows = data.values.map((row) => (Array.isArray(row) ? row.map(cell) : [cell(row)]));
  const columns = data.headers.map((_, j) => rows.map((row) => row[j] ?? ""));
  const widths = data.headers.map((h, j) => Math.max(h.length, ...columns[j].map((c) => c.length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(widths[j])).join("  ");
  const text = [name, line(data.headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
  const td = "padding:2px 10px;border-bottom:1px solid rgba(128,128,128,.35);text-align:left";
  const html = `<div><div style="font-weight:600;margin-bottom:4px">${escapeHtml(name)}</div><table style="border-collapse:collapse"><thead><tr>${data.headers.map((h) => `<th style="${td}">${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td style="${td}">${escapeHtml(c)}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`;
  const figure: Figure = {
    data: [{ type: "table", header: { values: data.headers, align: "left" }, cells: { values: columns, align: "left" } }],
    layout: { title: { text: name }, height: Math.min(640, 110 + 28 * (rows.length + 1)), margin: { l: 8, r: 8, t: 48, b: 8 } },
  };
  return { figure, html, text };
}

export function table(surface: Drawable, data: TableData, _opts: { fontSize?: number } = {}): Promise<void> {
  const { figure, html, text } = tableFigure(title(surface, "table"), data);
  drawFigure(surface, "render.table", figure, { "text/html": html, "text/plain": text });
  return Promise.resolve();
}
