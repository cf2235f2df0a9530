// The slice of plotly.js that Glassbox renderers call; the package ships no types.
declare module "plotly.js-dist-min" {
  export type PlotData = Record<string, unknown>;
  export type PlotLayout = Record<string, unknown>;
  export interface PlotElement extends HTMLElement {
    layout?: PlotLayout & { xaxis?: { range?: [number, number]; autorange?: boolean }; yaxis?: { range?: [number, number]; type?: string } };
    data?: PlotData[];
    on?(event: string, handler: (event: unknown) => void): void;
  }
  interface PlotlyStatic {
    react(root: HTMLElement, data: PlotData[], layout?: PlotLayout, config?: Record<string, unknown>): Promise<PlotElement>;
    newPlot(root: HTMLElement, data: PlotData[], layout?: PlotLayout, config?: Record<string, unknown>): Promise<PlotElement>;
    relayout(root: HTMLElement, update: PlotLayout): Promise<PlotElement>;
    purge(root: HTMLElement): void;
    Plots: { resize(root: HTMLElement): Promise<void> | void };
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
