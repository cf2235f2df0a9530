/**
 * Plotly defaults for notebook outputs: transparent background (the output's own shows through),
 * fonts and grid from the VS Code theme, no logo/editing chrome, and one place that draws or
 * redraws a plot in place with Plotly.react, keeping the user's zoom via `uirevision`.
 */
import Plotly, { type PlotData, type PlotElement, type PlotLayout } from "plotly.js-dist-min";
import { escapeHtml } from "../../kernel/display/escape";
import type { Theme } from "./theme";
import { CATALOGUES, language, t } from "./i18n";

export { Plotly };
export type { PlotData, PlotElement, PlotLayout };

/**
 * Plotly parses a few tags (<b>, <br>, <a>…) and entities in labels; this makes data show
 * literally. Quotes use numeric entities because Plotly decodes only a few named ones.
 */
export function plotText(text: string): string {
  return escapeHtml(text).replace(/&quot;/g, "&#34;");
}

export function axisDefaults(theme: Theme): PlotLayout {
  return {
    gridcolor: theme.grid, zerolinecolor: theme.grid, linecolor: theme.border, tickcolor: theme.border,
    color: theme.foreground, automargin: true,
  };
}

/** A layout with theme colours; `extra` is merged shallowly, its xaxis/yaxis over the axis defaults. */
export function themedLayout(theme: Theme, extra: PlotLayout = {}): PlotLayout {
  const { xaxis, yaxis, ...rest } = extra as { xaxis?: PlotLayout; yaxis?: PlotLayout };
  return {
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: theme.fontFamily, size: Math.max(11, theme.fontSize - 1), color: theme.foreground },
    colorway: theme.palette,
    margin: { l: 48, r: 16, t: 28, b: 36 },
    hoverlabel: { bgcolor: theme.background, bordercolor: theme.border, font: { color: theme.foreground, family: theme.fontFamily } },
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", bgcolor: "rgba(0,0,0,0)" },
    xaxis: { ...axisDefaults(theme), ...xaxis },
    yaxis: { ...axisDefaults(theme), ...yaxis },
    ...rest,
  };
}

/**
 * Plotly's own words (mode bar tooltips, notices) in the document's language: Plotly looks its
 * English strings up in `locales[locale].dictionary`, so the catalogue's `plot` section maps each
 * English text to the current language's.
 */
function plotlyDictionary(): Record<string, string> {
  const english = (CATALOGUES.en as { plot: Record<string, string> }).plot;
  return Object.fromEntries(Object.entries(english).map(([key, text]) => [text, t(`plot.${key}` as Parameters<typeof t>[0])]));
}

export function plotConfig(): Record<string, unknown> {
  const locale = language();
  return {
    displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d", "sendDataToCloud"],
    locale, locales: { [locale]: { dictionary: plotlyDictionary() } },
  };
}

/** Draws or updates `element` in place (never recreated), so zoom and DOM identity survive updates. */
export function drawPlot(element: HTMLElement, data: PlotData[], layout: PlotLayout): Promise<PlotElement> {
  fitToElement(element);
  return Plotly.react(element, data, layout, plotConfig());
}

const resizers = new WeakMap<HTMLElement, ResizeObserver>();

/**
 * Keeps a plot fitted to its element when the element (not the window) changes size: the output
 * column narrows, a grid reflows, a hidden view is shown. Plotly's `responsive` covers only window resizes.
 */
export function fitToElement(element: HTMLElement): void {
  if (resizers.has(element)) return;
  let width = element.clientWidth;
  const observer = new ResizeObserver(() => {
    // Hidden (e.g. another tab shown): nothing to fit now; it refits when shown again.
    if (!element.clientWidth || element.clientWidth === width || !element.classList.contains("js-plotly-plot")) return;
    width = element.clientWidth;
    void Promise.resolve(Plotly.Plots.resize(element)).catch(() => { /* purged meanwhile */ });
  });
  observer.observe(element);
  resizers.set(element, observer);
}

export function disposePlot(element: HTMLElement): void {
  resizers.get(element)?.disconnect();
  resizers.delete(element);
  Plotly.purge(element);
}
