/** The explanation views. Canvas for image overlays (exact pixels), Plotly for the charts. */
import { el } from "../shared/dom";
import { formatNumber, t } from "../shared/i18n";
import { drawPlot, plotText, themedLayout, type PlotData } from "../shared/plot";
import { readTheme } from "../shared/theme";
import { applySign, CONVENTIONS, css, sharedScale } from "./colors";
import type { Convention, ExplanationPayloadV1 as ExplanationDoc, Overlay, Sign } from "../../kernel/display/payloads";

export interface ViewState {
  sign: Sign;
  overlay: Overlay;
  convention: Convention;
  row: number;
  clipPercentile: number;
  maxDisplay: number;
}

/** All image rows on one symmetric scale; returns the scale for the colour bar. */
export function renderImages(host: HTMLElement, doc: ExplanationDoc, s: ViewState): { scale: number } {
  const image = doc.image as NonNullable<ExplanationDoc["image"]>;
  const { width, height } = image;
  const scale = sharedScale(image.attributions, s.sign, s.clipPercentile);
  const palette = CONVENTIONS[s.convention];
  const zoom = Math.max(1, Math.floor(160 / Math.max(width, height)));
  const grid = el("div", { class: "gb-grid" });
  image.attributions.forEach((map, r) => {
    const canvas = el("canvas", { attrs: { width: String(width), height: String(height) }, dataset: { row: String(r) }, style: { width: `${width * zoom}px`, height: `${height * zoom}px` } });
    const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
    const paint = (pixels: Uint8ClampedArray | null) => {
      const out = ctx.createImageData(width, height);
      for (let i = 0; i < width * height; i++) {
        const grey = pixels ? (pixels[i * 4] + pixels[i * 4 + 1] + pixels[i * 4 + 2]) / 3 : 128;
        const v = applySign(map[i], s.sign);
        const t = Math.min(1, Math.abs(v) / scale);
        const c = v >= 0 ? palette.positive : palette.negative;
        let rgb: number[];
        if (s.overlay === "masked") rgb = [grey * t, grey * t, grey * t];
        else if (s.overlay === "heatmap" || !pixels) rgb = c.map((k) => 255 + (k - 255) * t);
        else rgb = c.map((k) => grey * (1 - 0.85 * t) + k * 0.85 * t);
        out.data.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
      }
      ctx.putImageData(out, 0, 0);
    };
    const png = image.pixels[r];
    if (png && s.overlay !== "heatmap") {
      // The input image arrives as a PNG; decode it through an <img> (a data: URL, never markup).
      const img = new Image();
      img.onload = () => {
        ctx.drawImage(img, 0, 0);
        paint(ctx.getImageData(0, 0, width, height).data);
        canvas.dataset.ready = "true";
      };
      img.src = `data:image/png;base64,${png.base64}`;
    } else {
      paint(null);
      canvas.dataset.ready = "true";
    }
    const r0 = doc.rows[r];
    grid.append(el("div", { class: "gb-tile" }, canvas, el("span", { class: "gb-muted" }, r0 ? t("explanation.tile", { row: r, target: r0.target, value: formatNumber(r0.prediction) }) : t("explanation.tileRow", { row: r }))));
  });
  host.append(grid);
  if (image.layerShape) host.append(el("div", { class: "gb-note" }, t("explanation.layerMap", { layer: image.layerShape.join("×"), height: String(height), width: String(width) })));
  return { scale };
}

export function renderColorBar(scale: number, s: ViewState): HTMLElement {
  const p = CONVENTIONS[s.convention];
  const lo = s.sign === "positive" || s.sign === "absolute" ? 0 : -scale;
  const hi = s.sign === "negative" ? 0 : scale;
  const stops = s.sign === "negative" ? `${css(p.negative)}, white` : lo === 0 ? `white, ${css(p.positive)}` : `${css(p.negative)}, white, ${css(p.positive)}`;
  return el("div", { class: "gb-row gb-colorbar" },
    el("span", { class: "gb-stat" }, formatNumber(lo)),
    el("span", { style: { display: "inline-block", width: "180px", height: "10px", background: `linear-gradient(to right, ${stops})`, border: "1px solid var(--vscode-panel-border, rgba(128,128,128,.4))" } }),
    el("span", { class: "gb-stat" }, formatNumber(hi)),
    el("span", { class: "gb-muted" }, t("explanation.sharedScale", { percentile: formatNumber(s.clipPercentile) })));
}

export function renderTokens(doc: ExplanationDoc, s: ViewState): HTMLElement {
  const text = doc.text as NonNullable<ExplanationDoc["text"]>;
  const values = text.attributions[s.row].map((v) => applySign(v, s.sign));
  const scale = Math.max(...values.map(Math.abs), 1e-12);
  const p = CONVENTIONS[s.convention];
  return el("div", { class: "gb-tokens", style: { lineHeight: "2" } }, ...text.tokens[s.row].map((token, i) =>
    el("span", {
      class: "gb-token", title: `${formatNumber(text.attributions[s.row][i])}`, dataset: { value: String(values[i]) },
      style: { background: css(values[i] >= 0 ? p.positive : p.negative, Math.min(1, Math.abs(values[i]) / scale) * 0.6), padding: "1px 3px", margin: "0 1px", borderRadius: "3px" },
    }, token)));
}

/** Features of the current row, strongest first, the rest summed into one entry. */
function topFeatures(doc: ExplanationDoc, s: ViewState): { label: string; value: number }[] {
  const names = doc.features ? doc.features.names : (doc.text as NonNullable<ExplanationDoc["text"]>).tokens[s.row];
  const att = (doc.features ?? (doc.text as NonNullable<ExplanationDoc["text"]>)).attributions[s.row];
  const inputs = doc.features?.values?.[s.row];
  const items = names.map((name, i) => ({ label: inputs && inputs[i] !== null ? `${name} = ${formatNumber(inputs[i])}` : name, value: applySign(att[i], s.sign) }));
  items.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  if (items.length <= s.maxDisplay) return items;
  const rest = items.slice(s.maxDisplay - 1);
  return [...items.slice(0, s.maxDisplay - 1), { label: t("explanation.otherFeatures", { count: rest.length }), value: rest.reduce((p, q) => p + q.value, 0) }];
}

export function renderBars(host: HTMLElement, doc: ExplanationDoc, s: ViewState): Promise<unknown> {
  const items = topFeatures(doc, s).reverse();
  const p = CONVENTIONS[s.convention];
  const data: PlotData[] = [{
    type: "bar", orientation: "h", x: items.map((i) => i.value), y: items.map((i) => plotText(i.label)),
    marker: { color: items.map((i) => css(i.value >= 0 ? p.positive : p.negative)) }, hovertemplate: "%{y}: %{x}<extra></extra>",
  }];
  return drawPlot(host, data, themedLayout(readTheme(), { height: 60 + 24 * items.length, xaxis: { title: { text: t("explanation.attribution") } }, yaxis: { automargin: true } }));
}

/** From the base value through each feature's push to f(x). */
export function renderWaterfall(host: HTMLElement, doc: ExplanationDoc, s: ViewState): Promise<unknown> {
  const r = doc.rows[s.row];
  const items = topFeatures(doc, s).reverse();
  const p = CONVENTIONS[s.convention];
  const data: PlotData[] = [{
    type: "waterfall", orientation: "h", base: r.baseValue ?? 0,
    measure: items.map(() => "relative"), x: items.map((i) => i.value), y: items.map((i) => plotText(i.label)),
    increasing: { marker: { color: css(p.positive) } }, decreasing: { marker: { color: css(p.negative) } },
    connector: { line: { color: readTheme().grid } }, hovertemplate: "%{y}: %{x}<extra></extra>",
  }];
  const theme = readTheme();
  const gap = r.gap ?? 0;
  return drawPlot(host, data, themedLayout(theme, {
    height: 80 + 24 * items.length,
    xaxis: { title: { text: t("explanation.waterfallAxis", { base: formatNumber(r.baseValue), value: formatNumber(r.prediction) }) } },
    shapes: [r.baseValue, r.prediction - gap].map((x) => ({ type: "line", x0: x, x1: x, yref: "paper", y0: 0, y1: 1, line: { color: theme.muted, dash: "dot", width: 1 } })),
  }));
}

/** SHAP's force plot: positive pushes stack up from the base, negative ones down, meeting at f(x). */
export function renderForce(host: HTMLElement, doc: ExplanationDoc, s: ViewState): Promise<unknown> {
  const r = doc.rows[s.row];
  const p = CONVENTIONS[s.convention];
  const items = topFeatures(doc, s);
  const data: PlotData[] = [];
  let at = r.baseValue ?? 0;
  for (const sign of [1, -1]) {
    for (const item of items.filter((i) => Math.sign(i.value) === sign || (sign === 1 && i.value === 0))) {
      data.push({
        type: "bar", orientation: "h", y: ["f(x)"], x: [Math.abs(item.value)], base: [item.value >= 0 ? at : at + item.value],
        marker: { color: css(item.value >= 0 ? p.positive : p.negative), line: { color: "white", width: 1 } },
        name: plotText(item.label), hovertemplate: `${plotText(item.label)}: ${formatNumber(item.value)}<extra></extra>`, showlegend: false,
        text: [plotText(item.label)], textposition: "inside", insidetextanchor: "middle",
      });
      at += item.value;
    }
  }
  const theme = readTheme();
  return drawPlot(host, data, themedLayout(theme, {
    height: 160, barmode: "overlay", yaxis: { visible: false },
    annotations: [
      { x: r.baseValue, y: 1, yref: "paper", text: t("explanation.baseAt", { value: formatNumber(r.baseValue) }), showarrow: false, font: { color: theme.muted } },
      { x: r.prediction, y: 0, yref: "paper", yanchor: "top", text: `<b>f(x) ${formatNumber(r.prediction)}</b>`, showarrow: false },
    ],
  }));
}
