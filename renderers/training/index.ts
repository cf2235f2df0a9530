/**
 * VS Code notebook renderer for application/vnd.glassbox.training.v1+json: one chart per metric
 * group (train vs validation), batch or epoch axis, debiased-EMA smoothing, log-y, best-point
 * markers, and progress with ETA. update_display_data re-renders the same element: charts are
 * updated with Plotly.react and a constant uirevision, so zoom and the user's choices survive.
 */
import { TRAINING_MIME, type MetricInfo, type TrainingPayloadV1 as TrainingPayload } from "../../kernel/display/payloads";
import { el } from "../shared/dom";
import { formatDuration, formatFixed, formatInteger, t } from "../shared/i18n";
import { disposePlot, drawPlot, plotText, themedLayout, type PlotData } from "../shared/plot";
import type { RendererContext } from "../shared/contract";
import { defineRenderer, drawFirst } from "../shared/host";
import { ensureStyles } from "../shared/styles";
import { onThemeChange, readTheme, type Theme } from "../shared/theme";
import { bestIndex, debiasedEma, downsample } from "./series";
import { checkTraining } from "./check";

export interface TrainingUi { xAxis: "auto" | "batch" | "epoch"; smoothing: number; logY: boolean }
const DEFAULT_UI: TrainingUi = { xAxis: "auto", smoothing: 0.6, logY: false };
/** Points per drawn trace; more cannot be seen at notebook width and slow SVG charts down. */
const MAX_DRAWN = 1500;

interface Line { x: number[]; y: Array<number | null>; markers: boolean }

class TrainingOutput {
  private payload!: TrainingPayload;
  private readonly root = el("div", { class: "gb-root gb-training" });
  private readonly header = el("div", { class: "gb-row" });
  private readonly progressText = el("span", { class: "gb-muted", dataset: { role: "progress" } });
  private readonly bar = el("div", { class: "gb-progress-bar" });
  private readonly controls = el("div", { class: "gb-row gb-controls" });
  private readonly plotsBox = el("div", { class: "gb-plots" });
  private readonly summary = el("div", { class: "gb-summary" });
  private readonly plots = new Map<string, HTMLElement>();
  private readonly stopTheme: () => void;
  private xSelect!: HTMLSelectElement;
  private smoothingInput!: HTMLInputElement;
  private smoothingValue!: HTMLSpanElement;
  private logInput!: HTMLInputElement;
  private pending: number | undefined;

  constructor(private readonly element: HTMLElement, private ui: TrainingUi, private readonly saveUi: (ui: TrainingUi) => void) {
    ensureStyles();
    this.buildControls();
    this.root.append(this.header, el("div", { class: "gb-progress-track" }, this.bar), this.controls, this.plotsBox, this.summary);
    element.replaceChildren(this.root);
    this.stopTheme = onThemeChange(() => { void this.drawPlots(); });
  }

  async update(payload: TrainingPayload): Promise<void> {
    this.payload = payload;
    this.renderHeader();
    this.syncControls();
    await this.drawPlots();
  }

  private resolvedAxis(): "batch" | "epoch" {
    if (this.ui.xAxis !== "auto") return this.ui.xAxis;
    return this.payload.series.batch.step.length ? "batch" : "epoch";
  }

  private buildControls(): void {
    this.xSelect = el("select", { dataset: { control: "x-axis" }, on: { change: () => this.setUi({ xAxis: this.xSelect.value as "batch" | "epoch" }) } },
      el("option", { attrs: { value: "batch" } }, t("training.batch")), el("option", { attrs: { value: "epoch" } }, t("training.epoch")));
    this.smoothingInput = el("input", { dataset: { control: "smoothing" }, attrs: { type: "range", min: "0", max: "0.99", step: "0.01" }, on: {
      input: () => this.setUi({ smoothing: Number(this.smoothingInput.value) }),
    } });
    this.smoothingValue = el("span", { class: "gb-stat" });
    this.logInput = el("input", { dataset: { control: "log-y" }, attrs: { type: "checkbox" }, on: { change: () => this.setUi({ logY: this.logInput.checked }) } });
    this.controls.append(
      el("label", {}, t("training.xAxis"), " ", this.xSelect),
      el("label", { title: t("training.smoothingTip") }, t("training.smoothing"), " ", this.smoothingInput, " ", this.smoothingValue),
      el("label", {}, this.logInput, " ", t("training.logY")),
    );
  }

  private syncControls(): void {
    this.xSelect.value = this.resolvedAxis();
    this.smoothingInput.value = String(this.ui.smoothing);
    this.smoothingValue.textContent = formatFixed(this.ui.smoothing, 2);
    this.logInput.checked = this.ui.logY;
  }

  private setUi(change: Partial<TrainingUi>): void {
    this.ui = { ...this.ui, ...change };
    this.saveUi(this.ui);
    this.syncControls();
    // Coalesce slider drags into one redraw per frame.
    if (this.pending === undefined) this.pending = requestAnimationFrame(() => { this.pending = undefined; void this.drawPlots(); });
  }

  private renderHeader(): void {
    const p = this.payload, g = p.progress;
    const statusClass = { running: "gb-chip", completed: "gb-badge gb-badge-ok", stopped: "gb-badge gb-badge-warning", interrupted: "gb-badge gb-badge-warning", error: "gb-badge gb-badge-error" }[p.status];
    const parts: string[] = [];
    if (g.epochs) parts.push(t("training.epochOf", { epoch: Math.min(g.epoch + (p.status === "running" && g.epoch < g.epochs ? 1 : 0), g.epochs), epochs: g.epochs }));
    else if (g.epoch) parts.push(t("training.epochAt", { epoch: g.epoch }));
    if (g.batchesPerEpoch && p.status === "running") parts.push(t("training.batchOf", { batch: g.batch, batches: g.batchesPerEpoch }));
    parts.push(t("training.stepAt", { step: formatInteger(g.step) }), t("training.elapsed", { time: formatDuration(g.elapsedMs) }));
    if (g.etaMs !== undefined && p.status === "running") parts.push(t("training.eta", { time: formatDuration(g.etaMs) }));
    this.progressText.textContent = parts.join(" · ");
    this.header.replaceChildren(el("span", { class: "gb-title" }, p.title), el("span", { class: statusClass, dataset: { role: "status", status: p.status } }, t(`training.status.${p.status}`)), this.progressText);
    this.bar.style.width = `${Math.round((g.fraction ?? (p.status === "running" ? 0 : 1)) * 100)}%`;
    this.summary.textContent = p.summary ?? "";
    this.summary.hidden = !p.summary;
  }

  private lineFor(m: MetricInfo, axis: "batch" | "epoch"): Line | undefined {
    const { batch, epoch } = this.payload.series;
    const has = (values?: Array<number | null>) => !!values?.some((v) => v !== null);
    const perEpoch = epoch.values[m.key], perBatch = batch.values[m.key];
    if (axis === "batch") {
      if (has(perBatch)) return { x: batch.step, y: perBatch, markers: false };
      if (has(perEpoch)) return { x: epoch.batchStep, y: perEpoch, markers: true };
    } else {
      if (has(perEpoch)) return { x: epoch.step, y: perEpoch, markers: epoch.step.length < 60 };
      const per = this.payload.progress.batchesPerEpoch;
      if (has(perBatch) && per) return { x: batch.step.map((s) => s / per), y: perBatch, markers: false };
    }
    return undefined;
  }

  private tracesFor(group: string, axis: "batch" | "epoch", theme: Theme): PlotData[] {
    const traces: PlotData[] = [];
    const metrics = this.payload.metrics.filter((m) => m.group === group);
    let extra = 2;
    for (const m of metrics) {
      const line = this.lineFor(m, axis);
      if (!line) continue;
      const color = m.split === "val" && metrics.filter((k) => k.split === "val").length === 1 ? theme.palette[1]
        : m.split === "train" && metrics.filter((k) => k.split === "train").length === 1 ? theme.palette[0] : theme.palette[extra++ % theme.palette.length];
      const name = plotText(m.key);
      // Sparse series (per-epoch validation) are shown as they are: an EMA over a handful of
      // points mostly lags, and would move the line away from its own best-point marker.
      const smoothing = line.y.length >= 20 ? this.ui.smoothing : 0;
      const smoothed = downsample(line.x, debiasedEma(line.y, smoothing), MAX_DRAWN);
      if (smoothing > 0) {
        const raw = downsample(line.x, line.y, MAX_DRAWN);
        traces.push({ type: "scatter", mode: "lines", x: raw.x, y: raw.y, line: { color, width: 1 }, opacity: 0.25, hoverinfo: "skip", showlegend: false, legendgroup: name, meta: `raw:${m.key}` });
      }
      traces.push({
        type: "scatter", mode: line.markers ? "lines+markers" : "lines", x: smoothed.x, y: smoothed.y, name, legendgroup: name, connectgaps: true,
        line: { color, width: 2 }, marker: { size: 5, color }, meta: m.key,
        hovertemplate: `${name} %{y:.4g}<extra>${t(`training.${axis}`)} %{x}</extra>`,
      });
      if (m.goal) {
        const i = bestIndex(line.y, m.goal);
        if (i >= 0) traces.push({
          type: "scatter", mode: "markers", x: [line.x[i]], y: [line.y[i]], showlegend: false, legendgroup: name, meta: `best:${m.key}`,
          marker: { symbol: "star", size: 13, color, line: { color: theme.foreground, width: 1 } },
          hovertemplate: `${t(m.goal === "min" ? "training.bestLowest" : "training.bestHighest", { name })} %{y:.4g}<extra>${t(`training.${axis}`)} %{x}</extra>`,
        });
      }
    }
    return traces;
  }

  private async drawPlots(): Promise<void> {
    if (!this.payload) return;
    const theme = readTheme();
    const axis = this.resolvedAxis();
    const groups = [...new Set(this.payload.metrics.map((m) => m.group))];
    for (const [group, host] of this.plots) if (!groups.includes(group)) { disposePlot(host); host.remove(); this.plots.delete(group); }
    // All hosts first: Plotly measures its element when drawing, so the grid must be laid out.
    for (const group of groups) {
      if (this.plots.has(group)) continue;
      const host = el("div", { class: "gb-plot", dataset: { group } });
      host.style.height = "280px";
      this.plots.set(group, host);
      this.plotsBox.append(host);
    }
    await Promise.all(groups.map(async (group) => {
      const host = this.plots.get(group)!;
      const domain = this.payload.metrics.find((m) => m.group === group && m.domain)?.domain;
      await drawPlot(host, this.tracesFor(group, axis, theme), themedLayout(theme, {
        // Constant for a run and view mode: Plotly keeps the user's zoom across data updates.
        uirevision: `${this.payload.runId}|${group}|${axis}|${this.ui.logY}`,
        title: { text: plotText(group), x: 0, xanchor: "left", font: { size: theme.fontSize + 1 } },
        margin: { l: 52, r: 12, t: 48, b: 36 },
        xaxis: { title: { text: t(axis === "batch" ? "training.step" : "training.epoch") } },
        yaxis: { type: this.ui.logY ? "log" : "linear", ...(domain && !this.ui.logY ? { rangemode: "normal" } : {}) },
        legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom", bgcolor: "rgba(0,0,0,0)" },
      }));
    }));
  }

  dispose(): void {
    this.stopTheme();
    if (this.pending !== undefined) cancelAnimationFrame(this.pending);
    for (const host of this.plots.values()) disposePlot(host);
    this.element.replaceChildren();
  }
}

interface SavedState { ui?: Record<string, TrainingUi> }

/**
 * The user's choices per run: they survive updates, re-renders and (via setState) reloads. One map
 * per activation (VS Code activates a renderer once per notebook webview), keyed by run id.
 */
const uisByActivation = new WeakMap<RendererContext<SavedState>, Map<string, TrainingUi>>();

export const activate = defineRenderer<TrainingPayload, SavedState>({
  mime: TRAINING_MIME,
  version: 1,
  check: checkTraining,
  // Another run drawn into the same output starts over; an older emission of the shown run is dropped.
  relation: (shown, next) => (shown.runId !== next.runId ? "new" : next.seq <= shown.seq ? "stale" : "update"),
  render(element, payload, { vscode }) {
    let uis = uisByActivation.get(vscode);
    if (!uis) uisByActivation.set(vscode, (uis = new Map(Object.entries(vscode.getState?.()?.ui ?? {}))));
    const save = (ui: TrainingUi) => {
      uis.set(payload.runId, ui);
      vscode.setState?.({ ui: Object.fromEntries([...uis].slice(-50)) });
    };
    return drawFirst(new TrainingOutput(element, { ...DEFAULT_UI, ...uis.get(payload.runId) }, save), payload);
  },
});
