/**
 * A PNG of a Plotly figure, drawn in the kernel with the small raster (no browser, no native
 * code), for clients without a Plotly renderer: scatter (lines and markers), bar, histogram and
 * heatmap traces, axis ticks and titles, a legend. Other trace types are named in a note.
 */
import { viridis, type Rgb } from "./colormap";
import type { Figure, Trace } from "./figure";
import { titleOf } from "./figure";
import { Raster } from "./raster";

const INK: Rgb = [60, 60, 60];
const GRID: Rgb = [228, 228, 228];
const NAMED: Record<string, string> = { black: "#000000", white: "#ffffff", red: "#ff0000", green: "#008000", blue: "#0000ff", orange: "#ffa500", purple: "#800080", gray: "#808080", grey: "#808080", steelblue: "#4682b4", teal: "#008080" };
/** Plotly's default colorway, so the PNG and the live chart agree. */
const COLORWAY: Rgb[] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"].map((c) => parseColor(c)!);

export function parseColor(c: unknown): Rgb | undefined {
  if (typeof c !== "string") return undefined;
  const s = NAMED[c.toLowerCase()] ?? c.trim();
  let m = /^#([0-9a-f]{6})$/i.exec(s);
  if (m) return [parseInt(m[1].slice(0, 2), 16), parseInt(m[1].slice(2, 4), 16), parseInt(m[1].slice(4, 6), 16)];
  m = /^#([0-9a-f]{3})$/i.exec(s);
  if (m) return [...m[1]].map((h) => parseInt(h + h, 16)) as unknown as Rgb;
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const nums = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const axisTitle = (axis: unknown): string | undefined => titleOf(axis && typeof axis === "object" ? { title: (axis as { title?: unknown }).title } : undefined);

/** The drawable marks of one trace, on a shared x (numbers or categories) and y. */
interface Marks { name?: string; color: Rgb; kind: "line" | "markers" | "lines+markers" | "bar"; x: Array<number | string>; y: number[]; horizontal?: boolean; barWidth?: number }

function histogramMarks(t: Trace, color: Rgb): Marks {
  const values = nums(t.x ?? t.y).filter(isNum);
  const n = Math.max(1, Math.min(Number(t.nbinsx ?? 0) || 20, values.length || 1));
  const lo = Math.min(...values), hi = Math.max(...values);
  const width = hi > lo ? (hi - lo) / n : 1;
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - lo) / width))]++;
  return { name: t.name, color, kind: "bar", x: counts.map((_, i) => lo + (i + 0.5) * width), y: counts, barWidth: width };
}

function traceMarks(t: Trace, color: Rgb): Marks | undefined {
  const type = t.type ?? "scatter";
  if (type === "histogram") return histogramMarks(t, color);
  const y = nums(t.y);
  const x = t.x === undefined ? y.map((_, i) => i) : nums(t.x);
  if (type === "bar") {
    const horizontal = t.orientation === "h";
    return horizontal
      ? { name: t.name, color, kind: "bar", x: y.map((v) => (typeof v === "number" ? v : String(v))), y: x.map(Number), horizontal }
      : { name: t.name, color, kind: "bar", x: x.map((v) => (typeof v === "number" ? v : String(v))), y: y.map(Number) };
  }
  if (type === "scatter" || type === "scattergl") {
    const mode = String(t.mode ?? (y.length > 20 ? "lines" : "lines+markers"));
    const kind = mode.includes("lines") ? (mode.includes("markers") ? "lines+markers" : "line") : "markers";
    return { name: t.name, color, kind, x: x.map((v) => (typeof v === "number" ? v : String(v))), y: y.map((v) => (v === null ? NaN : Number(v))) };
  }
  return undefined;
}

function traceColor(t: Trace, i: number): Rgb {
  const line = t.line as { color?: unknown } | undefined, marker = t.marker as { color?: unknown } | undefined;
  return parseColor(line?.color) ?? parseColor(marker?.color) ?? COLORWAY[i % COLORWAY.length];
}

const W = 640, H = 400;

export function figurePng(figure: Figure): string {
  const r = new Raster(W, H);
  const layout = figure.layout ?? {};
  const title = titleOf(layout);
  if (title) r.text(12, 8, title, INK, 2);
  const heat = figure.data.find((t) => t.type === "heatmap");
  const table = figure.data.find((t) => t.type === "table");
  if (table) drawTable(r, table, title ? 32 : 8);
  else if (heat) drawHeatmap(r, heat, layout);
  else drawXY(r, figure, layout);
  const skipped = [...new Set(figure.data.map((t) => t.type ?? "scatter").filter((k) => !["scatter", "scattergl", "bar", "histogram", "heatmap", "table"].includes(k)))];
  if (skipped.length) r.text(12, H - 12, `(${skipped.join(", ")} not drawn in this image)`, INK, 1);
  return r.toPngBase64();
}

function drawXY(r: Raster, figure: Figure, layout: Record<string, unknown>): void {
  const marks = figure.data.map((t, i) => traceMarks(t, traceColor(t, i))).filter((m): m is Marks => !!m);
  const x0 = 72, y0 = 44, w = W - x0 - 24, h = H - y0 - 56;
  // Legend: named traces, in one row under the title.
  let lx = x0;
  for (const m of marks) if (m.name && marks.length > 1) {
    r.rect(lx, 30, 10, 4, m.color);
    lx += 14 + r.text(lx + 14, 28, m.name, INK, 1) + 12;
  }
  r.line(x0, y0 + h, x0 + w, y0 + h, INK);
  r.line(x0, y0, x0, y0 + h, INK);
  const xt = axisTitle(layout.xaxis), yt = axisTitle(layout.yaxis);
  if (xt) r.text(x0 + w / 2 - Raster.textWidth(xt) / 2, H - 18, xt, INK, 2);
  if (yt) r.text(4, y0 - 14 < 28 ? 30 : y0 - 14, yt, INK, 1);
  const categorical = marks.some((m) => m.x.some((v) => typeof v === "string"));
  const cats = categorical ? [...new Set(marks.flatMap((m) => m.x.map(String)))] : [];
  const xv = (v: number | string) => (categorical ? cats.indexOf(String(v)) : Number(v));
  const xs = marks.flatMap((m) => m.x.map(xv)).filter(isNum);
  const ys = marks.flatMap((m) => m.y).filter(isNum);
  if (marks.some((m) => m.kind === "bar")) ys.push(0);
  if (!xs.length || !ys.length) return;
  const range = (axis: unknown): [number, number] | undefined => {
    const rg = (axis as { range?: unknown } | undefined)?.range;
    return Array.isArray(rg) && isNum(rg[0]) && isNum(rg[1]) ? [rg[0], rg[1]] : undefined;
  };
  const halfBar = Math.max(0, ...marks.map((m) => (m.kind === "bar" ? (m.barWidth ?? 1) / 2 : 0)));
  let [xlo, xhi] = range(layout.xaxis) ?? [Math.min(...xs) - halfBar, Math.max(...xs) + halfBar];
  let [ylo, yhi] = range(layout.yaxis) ?? [Math.min(...ys), Math.max(...ys)];
  if (xhi === xlo) { xlo -= 0.5; xhi += 0.5; }
  if (yhi === ylo) { ylo -= 0.5; yhi += 0.5; }
  const horizontal = marks.some((m) => m.horizontal);
  if (horizontal) [xlo, xhi, ylo, yhi] = [Math.min(0, ...ys), Math.max(...ys), Math.min(...xs) - 0.5, Math.max(...xs) + 0.5];
  const px = (v: number) => x0 + ((v - xlo) / (xhi - xlo)) * w;
  const py = (v: number) => y0 + h - ((v - ylo) / (yhi - ylo)) * h;
  for (const t of niceTicks(ylo, yhi)) {
    if (!horizontal || !categorical) { r.line(x0 + 1, py(t), x0 + w, py(t), GRID); r.text(x0 - 6 - Raster.textWidth(fmt(t), 1), py(t) - 2, fmt(t), INK, 1); }
  }
  if (categorical) {
    const step = Math.max(1, Math.ceil(cats.length / 12));
    cats.forEach((c, i) => {
      if (i % step) return;
      const label = c.length > 10 ? c.slice(0, 9) + ".." : c;
      if (horizontal) r.text(4, py(i) - 2, label, INK, 1);
      else r.text(px(i) - Raster.textWidth(label, 1) / 2, y0 + h + 6, label, INK, 1);
    });
  } else {
    for (const t of niceTicks(xlo, xhi, 6)) r.text(px(t) - Raster.textWidth(fmt(t), 1) / 2, y0 + h + 6, fmt(t), INK, 1);
  }
  const bars = marks.filter((m) => m.kind === "bar");
  marks.forEach((m) => {
    if (m.kind === "bar") {
      const k = bars.indexOf(m), n = bars.length;
      const slot = (m.barWidth ?? (categorical || horizontal ? 0.8 : minGap(m.x.map(xv)) * 0.8)) / (m.barWidth ? 1 : n);
      m.x.forEach((xi, i) => {
        const c = xv(xi), v = m.y[i];
        if (!isNum(c) || !isNum(v)) return;
        const from = m.barWidth ? c - slot / 2 : c - (slot * n) / 2 + k * slot;
        if (horizontal) { const a = py(from + slot), b = py(from); r.rect(px(0), a, px(v) - px(0), Math.max(1, b - a - 1), m.color); }
        else { const a = px(from), b = px(from + slot); const top = py(Math.max(0, v)), bottom = py(Math.min(0, v)); r.rect(a, top, Math.max(1, b - a - 1), Math.max(1, bottom - top), m.color); }
      });
      return;
    }
    let prev: [number, number] | undefined;
    m.x.forEach((xi, i) => {
      const c = xv(xi), v = m.y[i];
      if (!isNum(c) || !isNum(v)) { prev = undefined; return; }
      const pt: [number, number] = [px(c), py(v)];
      if (m.kind !== "markers" && prev) r.line(prev[0], prev[1], pt[0], pt[1], m.color, 2);
      if (m.kind !== "line") r.rect(pt[0] - 2, pt[1] - 2, 5, 5, m.color);
      prev = pt;
    });
  });
}

function minGap(xs: number[]): number {
  const sorted = [...new Set(xs.filter(isNum))].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  return Number.isFinite(gap) ? gap : 1;
}

function drawHeatmap(r: Raster, t: Trace, layout: Record<string, unknown>): void {
  const z = nums(t.z).map((row) => nums(row).map((v) => (isNum(v) ? v : NaN)));
  const rows = z.length, cols = Math.max(0, ...z.map((row) => row.length));
  if (!rows || !cols) return;
  const flat = z.flat().filter(isNum);
  let lo = isNum(t.zmin) ? t.zmin : Math.min(...flat), hi = isNum(t.zmax) ? t.zmax : Math.max(...flat);
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const x0 = 96, y0 = 40, w = W - x0 - 60, h = H - y0 - 56;
  const cw = w / cols, ch = h / rows;
  // Plotly draws row 0 at the bottom unless the y axis is reversed (confusion matrices reverse it).
  const reversed = (layout.yaxis as { autorange?: unknown } | undefined)?.autorange === "reversed";
  const xl = nums(t.x).map(String), yl = nums(t.y).map(String);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    const v = z[i][j];
    const k = Math.round(((v - lo) / (hi - lo)) * 255);
    const c: Rgb = isNum(v) ? [viridis[k * 3], viridis[k * 3 + 1], viridis[k * 3 + 2]] : [255, 0, 255];
    const y = reversed ? y0 + i * ch : y0 + (rows - 1 - i) * ch;
    r.rect(x0 + j * cw, y, Math.ceil(cw), Math.ceil(ch), c);
    const text = nums(t.text)[i] !== undefined ? String(nums(nums(t.text)[i])[j] ?? "") : "";
    if (text && cw >= Raster.textWidth(text, 1) + 4 && ch >= 9) r.text(x0 + j * cw + cw / 2 - Raster.textWidth(text, 1) / 2, y + ch / 2 - 2, text, k > 150 ? INK : [255, 255, 255], 1);
  }
  const step = (n: number, size: number) => Math.max(1, Math.ceil(n / Math.max(1, Math.floor(size / 14))));
  for (let j = 0; j < cols; j += step(cols, w)) { const s = (xl[j] ?? String(j)).slice(0, 8); r.text(x0 + j * cw + cw / 2 - Raster.textWidth(s, 1) / 2, y0 + h + 6, s, INK, 1); }
  for (let i = 0; i < rows; i += step(rows, h)) { const s = (yl[i] ?? String(i)).slice(0, 10); const y = reversed ? y0 + i * ch : y0 + (rows - 1 - i) * ch; r.text(x0 - 6 - Raster.textWidth(s, 1), y + ch / 2 - 2, s, INK, 1); }
  const xt = axisTitle(layout.xaxis), yt = axisTitle(layout.yaxis);
  if (xt) r.text(x0 + w / 2 - Raster.textWidth(xt) / 2, H - 18, xt, INK, 2);
  if (yt) r.text(4, 28, yt, INK, 1);
  // Colour bar with its range.
  for (let y = 0; y < h; y++) { const k = Math.round((1 - y / h) * 255); r.rect(W - 44, y0 + y, 12, 1, [viridis[k * 3], viridis[k * 3 + 1], viridis[k * 3 + 2]]); }
  r.text(W - 28, y0, fmt(hi), INK, 1);
  r.text(W - 28, y0 + h - 5, fmt(lo), INK, 1);
}

/** Header and rows of a table trace (columns of cell values), cut to what fits. */
function drawTable(r: Raster, t: Trace, top: number): void {
  const header = nums((t.header as { values?: unknown } | undefined)?.values).map(String);
  const columns = nums((t.cells as { values?: unknown } | undefined)?.values).map((c) => nums(c).map(String));
  const rows = Math.max(0, ...columns.map((c) => c.length));
  const charW = 8, rowH = 16, maxChars = Math.floor((W - 24) / charW);
  const widths = header.map((h, j) => Math.min(32, Math.max(h.length, ...(columns[j] ?? []).map((c) => c.length))) + 2);
  const total = widths.reduce((a, b) => a + b, 0);
  const scale = total > maxChars ? maxChars / total : 1;
  const xs = widths.reduce<number[]>((acc, w) => [...acc, acc[acc.length - 1] + Math.floor(w * scale) * charW], [12]);
  const cut = (s: string, j: number) => { const n = Math.max(1, Math.floor(widths[j] * scale) - 2); return s.length > n ? s.slice(0, n - 1) + ".." : s; };
  header.forEach((h, j) => r.text(xs[j], top + 4, cut(h, j), INK, 2));
  r.line(12, top + rowH + 2, xs[xs.length - 1], top + rowH + 2, INK);
  const fit = Math.floor((H - top - rowH - 24) / rowH);
  for (let i = 0; i < Math.min(rows, fit); i++) {
    const y = top + rowH * (i + 1) + 8;
    if (i % 2) r.rect(12, y - 3, xs[xs.length - 1] - 12, rowH, [245, 245, 245]);
    columns.forEach((c, j) => r.text(xs[j], y, cut(c[i] ?? "", j), INK, 2));
  }
  if (rows > fit) r.text(12, H - 14, `.. ${rows - fit} more rows`, INK, 1);
}
