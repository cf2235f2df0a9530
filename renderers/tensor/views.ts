/**
 * The four tensor views. Each draws into a container it owns and returns a function that
 * re-applies the theme (Plotly views) or nothing (pure DOM/canvas views styled by CSS).
 */
import type { NumericArray } from "../shared/data";
import { el } from "../shared/dom";
import { formatNumber, t } from "../shared/i18n";
import { drawPlot, plotText, themedLayout, type PlotData } from "../shared/plot";
import type { Theme } from "../shared/theme";
import { extract, type Slice } from "./slice";
import type { ImageLayout, PreviewValue, TensorPayloadV1 as TensorPayload } from "../../kernel/display/payloads";

export interface ViewInput {
  payload: TensorPayload;
  values: NumericArray | null;
  slice: Slice;
  /** Original index of position i along axis a (the data may be strided). */
  origin(axis: number, i: number): number;
}

// ---------- table ----------

const PAGE_ROWS = 50, PAGE_COLS = 20;

export function renderTable(host: HTMLElement, input: ViewInput, page: { row: number; col: number }, onPage: (p: { row: number; col: number }) => void): void {
  host.replaceChildren();
  const { payload, values, slice } = input;
  if (!values || !payload.data) {
    host.append(el("pre", { class: "gb-pre" }, previewText(payload.preview.values)));
    return;
  }
  const integer = payload.dtype !== "float32";
  const { rows, cols, z } = extract(values, payload.data.shape, slice);
  const r0 = Math.min(page.row, Math.max(0, rows - 1)), c0 = Math.min(page.col, Math.max(0, cols - 1));
  const r1 = Math.min(rows, r0 + PAGE_ROWS), c1 = Math.min(cols, c0 + PAGE_COLS);
  const table = el("table", { class: "gb-table" });
  const head = el("tr", {}, el("th", {}, ""));
  const hasCols = slice.colAxis >= 0;
  for (let c = c0; c < c1; c++) head.append(el("th", {}, hasCols ? String(input.origin(slice.colAxis, c)) : ""));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  for (let r = r0; r < r1; r++) {
    const tr = el("tr", {}, el("th", {}, payload.shape.length ? String(input.origin(slice.rowAxis, r)) : ""));
    for (let c = c0; c < c1; c++) {
      const v = z[r * cols + c];
      const text = payload.dtype === "bool" ? (v ? "true" : "false") : formatNumber(v, integer);
      tr.append(el("td", Number.isFinite(v) ? {} : { class: "gb-nonfinite" }, text));
    }
    body.append(tr);
  }
  table.append(body);
  const pager = el("div", { class: "gb-row gb-muted" });
  const nav = (arrow: string, tip: string, enabled: boolean, next: { row: number; col: number }) =>
    el("button", { class: "gb-button", title: tip, attrs: enabled ? {} : { disabled: "" }, on: { click: () => onPage(next) } }, arrow);
  if (rows > PAGE_ROWS || cols > PAGE_COLS) {
    const [previous, following] = [t("tensor.previous"), t("tensor.next")];
    pager.append(
      t("tensor.pageRows", { from: r0, to: r1 - 1, total: rows }), nav("▲", previous, r0 > 0, { row: Math.max(0, r0 - PAGE_ROWS), col: c0 }), nav("▼", following, r1 < rows, { row: r1, col: c0 }),
      " ", t("tensor.pageCols", { from: c0, to: c1 - 1, total: cols }), nav("◀", previous, c0 > 0, { row: r0, col: Math.max(0, c0 - PAGE_COLS) }), nav("▶", following, c1 < cols, { row: r0, col: c1 }),
    );
  }
  host.append(el("div", { class: "gb-table-wrap" }, table), pager);
}

function previewText(v: PreviewValue): string {
  if (v === null) return "…";
  if (Array.isArray(v)) return "[" + v.map(previewText).join(", ") + "]";
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

// ---------- heatmap ----------

/** Beyond this many cells per side the heatmap strides further: the screen has no more pixels. */
const MAX_HEATMAP_SIDE = 600;

export async function renderHeatmap(host: HTMLElement, input: ViewInput, theme: Theme, uirevision: string): Promise<void> {
  const { payload, values, slice } = input;
  if (!values || !payload.data) return;
  const { rows, cols, z } = extract(values, payload.data.shape, slice);
  const sr = Math.ceil(rows / MAX_HEATMAP_SIDE), sc = Math.ceil(cols / MAX_HEATMAP_SIDE);
  const zRows: Array<Array<number | null>> = [];
  for (let r = 0; r < rows; r += sr) {
    const row = new Array<number | null>(Math.ceil(cols / sc));
    for (let c = 0, k = 0; c < cols; c += sc, k++) { const v = z[r * cols + c]; row[k] = Number.isFinite(v) ? v : null; }
    zRows.push(row);
  }
  const x = Array.from({ length: zRows[0]?.length ?? 0 }, (_, k) => input.origin(slice.colAxis, k * sc));
  const y = zRows.map((_, k) => input.origin(slice.rowAxis, k * sr));
  const data: PlotData[] = [{
    type: "heatmap", z: zRows, x, y, colorscale: "Viridis", hoverongaps: false,
    colorbar: { outlinewidth: 0, tickfont: { color: theme.foreground }, thickness: 12 },
    hovertemplate: `${t("tensor.heatmapHover")}<extra></extra>`,
  }];
  const height = Math.max(240, Math.min(520, 40 + (480 * zRows.length) / Math.max(zRows.length, x.length)));
  host.style.height = `${height}px`;
  await drawPlot(host, data, themedLayout(theme, {
    uirevision,
    margin: { l: 48, r: 8, t: 8, b: 32 },
    // Square cells unless the matrix is very elongated (then it would be a thin strip).
    yaxis: { autorange: "reversed", title: { text: t("tensor.axisTitle", { axis: slice.rowAxis }) }, constrain: "domain", ...(rows * 4 < cols || cols * 4 < rows ? {} : { scaleanchor: "x" }) },
    xaxis: { title: { text: t("tensor.axisTitle", { axis: slice.colAxis }) }, constrain: "domain", side: "bottom" },
  }));
}

// ---------- image ----------

interface Tile { item: number; channel: number; label: string }

const MAX_TILES = 64;

/** Tiles: one per batch item (N), and one per channel unless C is 1 (gray), 3 (RGB) or 4 (RGBA). */
export function imageTiles(shape: readonly number[], layout: ImageLayout): { n: number; h: number; w: number; c: number; tiles: Tile[]; total: number } {
  const full = layout === "HW" ? [1, shape[0], shape[1], 1] : layout === "HWC" ? [1, ...shape] : layout === "NHW" ? [...shape, 1] : [...shape];
  const [n, h, w, c] = full;
  const colour = c === 3 || c === 4;
  const perItem = colour || c === 1 ? 1 : c;
  const tiles: Tile[] = [];
  for (let i = 0; i < n && tiles.length < MAX_TILES; i++) {
    for (let ch = 0; ch < perItem && tiles.length < MAX_TILES; ch++) {
      const channel = perItem === 1 ? -1 : ch;
      const label = [n > 1 ? `#${i}` : "", channel >= 0 ? `c${ch}` : ""].filter(Boolean).join(" ");
      tiles.push({ item: i, channel, label });
    }
  }
  return { n, h, w, c, tiles, total: n * perItem };
}

export function renderImage(host: HTMLElement, input: ViewInput): void {
  host.replaceChildren();
  const { payload, values } = input;
  const layout = payload.view.layout;
  if (!values || !payload.data || !layout) return;
  const { h, w, c, tiles, total } = imageTiles(payload.data.shape, layout);
  const [lo, hi] = payload.view.valueRange ?? [payload.stats?.min ?? 0, payload.stats?.max ?? 1];
  const span = hi - lo || 1;
  const colour = c === 3 || c === 4;
  // Integer CSS scale so pixels stay crisp; big tiles for single images, smaller in grids.
  const target = tiles.length === 1 ? 320 : tiles.length <= 16 ? 128 : 72;
  const scale = Math.max(1, Math.floor(target / Math.max(h, w))) || 1;
  const grid = el("div", { class: "gb-grid" });
  for (const tile of tiles) {
    const canvas = el("canvas", { attrs: { width: String(w), height: String(h) }, style: { width: `${w * scale}px`, height: `${h * scale}px` } });
    const ctx = canvas.getContext("2d");
    if (ctx) {
      const img = ctx.createImageData(w, h);
      const px = img.data;
      const byte = (v: number) => (Number.isFinite(v) ? ((v - lo) / span) * 255 : 0);
      for (let p = 0; p < w * h; p++) {
        const base = (tile.item * h * w + p) * c;
        if (colour) {
          px[p * 4] = byte(values[base]); px[p * 4 + 1] = byte(values[base + 1]); px[p * 4 + 2] = byte(values[base + 2]);
          px[p * 4 + 3] = c === 4 ? byte(values[base + 3]) : 255;
        } else {
          const g = byte(values[base + Math.max(0, tile.channel)]);
          px[p * 4] = px[p * 4 + 1] = px[p * 4 + 2] = g;
          px[p * 4 + 3] = 255;
        }
      }
      ctx.putImageData(img, 0, 0);
    }
    grid.append(el("div", { class: "gb-tile" }, canvas, tile.label ? el("span", { class: "gb-muted" }, tile.label) : null));
  }
  host.append(grid);
  const notes = [t("tensor.imageRange", { low: formatNumber(lo), high: formatNumber(hi) })];
  if (total > tiles.length) notes.push(t("tensor.firstTiles", { shown: tiles.length, total }));
  host.append(el("div", { class: "gb-note" }, notes.join(" · ")));
}

// ---------- histogram ----------

export async function renderHistogram(host: HTMLElement, payload: TensorPayload, theme: Theme, uirevision: string): Promise<void> {
  const hist = payload.histogram;
  if (!hist) { host.replaceChildren(el("div", { class: "gb-note" }, t("tensor.noFinite"))); return; }
  const centers = hist.counts.map((_, i) => (hist.edges[i] + hist.edges[i + 1]) / 2);
  const widths = hist.counts.map((_, i) => hist.edges[i + 1] - hist.edges[i]);
  host.style.height = "260px";
  await drawPlot(host, [{
    type: "bar", x: centers, y: hist.counts, width: widths, marker: { color: theme.palette[0], line: { width: 0 } },
    name: plotText(payload.name ?? t("tensor.values")), hovertemplate: "%{x}: %{y}<extra></extra>",
  }], themedLayout(theme, { uirevision, bargap: 0.02, showlegend: false, margin: { l: 48, r: 8, t: 8, b: 32 }, yaxis: { title: { text: t("tensor.count") } }, xaxis: { title: { text: t("tensor.value") } } }));
}
