/**
 * VS Code notebook renderer for application/vnd.plotly.v1+json (code-server has no Jupyter
 * extension to draw it): the figure as given, on the editor's theme (fonts, grid, colorway, table
 * colours) unless the figure sets its own. update_display_data redraws the same element with
 * Plotly.react, keeping the user's zoom.
 */
import { PLOTLY_MIME, type Figure } from "../../kernel/display/payloads";
import { defineRenderer, drawFirst } from "../shared/host";
import { axisDefaults, disposePlot, drawPlot, themedLayout, type PlotData, type PlotLayout } from "../shared/plot";
import { ensureStyles } from "../shared/styles";
import { onThemeChange, readTheme, type Theme } from "../shared/theme";
import { checkFigure } from "./check";

/** The figure's layout over the theme: its own settings win, axes it names get the theme's colours. */
export function themedFigure(figure: Figure, theme: Theme, uirevision: string): { data: PlotData[]; layout: PlotLayout } {
  const layout = { ...(figure.layout ?? {}) } as PlotLayout & Record<string, unknown>;
  for (const key of Object.keys(layout)) {
    if (/^[xy]axis\d+$/.test(key)) layout[key] = { ...axisDefaults(theme), ...(layout[key] as PlotLayout) };
  }
  const hasTitle = !!layout.title;
  const data = figure.data.map((trace) => {
    if (trace.type !== "table") return trace;
    // Tables carry their own colours in Plotly; give them the theme's unless the figure chose.
    const header = (trace.header ?? {}) as Record<string, unknown>, cells = (trace.cells ?? {}) as Record<string, unknown>;
    return {
      ...trace,
      header: { fill: { color: theme.dark ? "rgba(255,255,255,0.08)" : "rgba(0,0,0,0.05)" }, line: { color: theme.border }, font: { color: theme.foreground, family: theme.fontFamily }, ...header },
      cells: { fill: { color: "rgba(0,0,0,0)" }, line: { color: theme.border }, font: { color: theme.foreground, family: theme.monoFontFamily }, height: 24, ...cells },
    };
  });
  return {
    data,
    layout: themedLayout(theme, {
      uirevision,
      ...(hasTitle ? { margin: { l: 56, r: 16, t: 56, b: 44 } } : {}),
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom", bgcolor: "rgba(0,0,0,0)" },
      ...layout,
      title: typeof layout.title === "string" ? { text: layout.title, x: 0, xanchor: "left" } : layout.title ? { x: 0, xanchor: "left", ...(layout.title as object) } : undefined,
    }),
  };
}

let outputCounter = 0;

class PlotlyOutput {
  private figure!: Figure;
  private readonly host: HTMLElement;
  private readonly stopTheme: () => void;
  /** Plotly's uirevision: constant while this output lives, so updates keep the user's zoom. */
  private readonly id = `plotly-${++outputCounter}`;

  constructor(readonly node: HTMLElement) {
    ensureStyles();
    this.host = document.createElement("div");
    this.host.className = "gb-root gb-plot gb-plotly";
    node.replaceChildren(this.host);
    this.stopTheme = onThemeChange(() => { void this.draw(); });
  }

  async update(figure: Figure): Promise<void> {
    this.figure = figure;
    await this.draw();
  }

  private async draw(): Promise<void> {
    const { data, layout } = themedFigure(this.figure, readTheme(), this.id);
    this.host.style.height = `${typeof layout.height === "number" ? layout.height : 360}px`;
    await drawPlot(this.host, data, layout);
  }

  dispose(): void {
    this.stopTheme();
    disposePlot(this.host);
    this.node.replaceChildren();
  }
}

export const activate = defineRenderer<Figure>({
  mime: PLOTLY_MIME,
  // Plotly's JSON has no version field: the MIME type names it.
  version: null,
  check: checkFigure,
  render: (element, figure) => drawFirst(new PlotlyOutput(element), figure),
});
