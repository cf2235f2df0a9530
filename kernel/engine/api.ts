/**
 * Types of the globals every cell sees (display, clearOutput, input). The runtime implements them
 * in kernel/engine/display-api.ts; the compiler shows them to cells through globals.d.ts.
 */

export interface DisplayOptions {
  /** Shows the value under this display id, so a later `update` replaces it in place. */
  id?: string;
  metadata?: Record<string, unknown>;
}

export interface DisplayHandle {
  readonly id: string;
  /** Replaces what this handle shows, wherever it is shown (update_display_data). */
  update(value: unknown): void;
}

export interface Display {
  (value: unknown, options?: DisplayOptions): DisplayHandle;
  html(html: string, options?: DisplayOptions): DisplayHandle;
  markdown(markdown: string, options?: DisplayOptions): DisplayHandle;
  svg(svg: string, options?: DisplayOptions): DisplayHandle;
  /** PNG bytes, or a base64 string of them. */
  png(png: Uint8Array | string, options?: DisplayOptions): DisplayHandle;
  json(value: unknown, options?: DisplayOptions): DisplayHandle;
  /** A raw MIME bundle, e.g. { "text/latex": "$x^2$" }. */
  bundle(data: Record<string, unknown>, options?: DisplayOptions): DisplayHandle;
  /** Live training curves for a custom loop: `const run = display.training(); run.log(step, { loss })`. */
  training(options?: import("../display").TrainingCurvesOptions): import("../display").TrainingRun;
  /** A Plotly figure ({ data: traces, layout }) as a chart, with a PNG for other clients; `handle.update(figure)` redraws it. */
  plot(figure: import("../display").Figure, options?: { id?: string }): import("../display").PlotHandle;
  /** Several training runs compared in one live chart and table: `const board = display.runs(); model.fit(x, y, { callbacks: board.run({ lr }).callbacks })`. */
  runs(options?: import("../display").RunsOptions): import("../display").RunsBoard;
  /** Rich display settings: live curves on model.fit (on by default), update rate, tensor data cap. */
  configure(options?: import("../display").RichDisplayOptions): Required<import("../display").RichDisplayOptions>;
}

/** Clears the cell's output; with `wait`, only when the next output arrives (no flicker). */
export type ClearOutput = (options?: { wait?: boolean }) => void;

export interface Input {
  (prompt?: string): Promise<string>;
  password(prompt?: string): Promise<string>;
}
