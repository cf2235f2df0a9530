/**
 * VS Code notebook renderer for application/vnd.glassbox.runs.v1+json: several training runs in
 * one live chart per metric group (one colour per run, its hyperparameters in the legend,
 * validation dashed) and a table of each run's best metrics, sortable by any column.
 * Updates redraw in place (Plotly.react with the board id as uirevision keeps the user's zoom).
 */
import { RUNS_MIME, type RunRecord, type RunsPayloadV1 } from "../../kernel/display/payloads";
import { el } from "../shared/dom";
import { formatDuration, formatNumber, t } from "../shared/i18n";
import { defineRenderer, drawFirst } from "../shared/host";
import { disposePlot, drawPlot, plotText, themedLayout, type PlotData } from "../shared/plot";
import { ensureStyles } from "../shared/styles";
import { onThemeChange, readTheme, type Theme } from "../shared/theme";
import { checkRuns } from "./check";

/** More runs than the theme's six chart colours: these follow (Plotly's remaining defaults). */
const EXTRA_COLORS = ["#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#1f77b4", "#ff7f0e", "#2ca02c"];
const colorOf = (theme: Theme, i: number) => [...theme.palette, ...EXTRA_COLORS][i % (theme.palette.length + EXTRA_COLORS.length)];

interface Sort { column: string; descending: boolean }

class RunsOutput {
  private payload!: RunsPayloadV1;
  private readonly root = el("div", { class: "gb-root gb-runs" });
  private readonly header = el("div", { class: "gb-row" });
  private readonly plotsBox = el("div", { class: "gb-plots" });
  private readonly tableBox = el("div", { class: "gb-table-wrap" });
  private readonly plots = new Map<string, HTMLElement>();
  private readonly stopTheme: () => void;
  private sort: Sort = { column: "run", descending: false };

  constructor(readonly node: HTMLElement) {
    ensureStyles();
    this.root.append(this.header, this.plotsBox, this.tableBox);
    node.replaceChildren(this.root);
    this.stopTheme = onThemeChange(() => { void this.draw(); });
  }

  async update(payload: RunsPayloadV1): Promise<void> {
    this.payload = payload;
    await this.draw();
  }

  private async draw(): Promise<void> {
    if (!this.payload) return;
    const theme = readTheme();
    const p = this.payload;
    const statusClass = { running: "gb-chip", done: "gb-badge gb-badge-ok", stopped: "gb-badge gb-badge-warning" }[p.status];
    this.header.replaceChildren(el("span", { class: "gb-title" }, p.title), el("span", { class: statusClass, dataset: { role: "status" } }, t(`runs.status.${p.status}`)),
      el("span", { class: "gb-muted" }, t("runs.count", { count: p.runs.length })));
    this.renderTable(theme);
    const groups = [...new Set(p.metrics.map((m) => m.group))];
    for (const [group, host] of this.plots) if (!groups.includes(group)) { disposePlot(host); host.remove(); this.plots.delete(group); }
    for (const group of groups) {
      if (this.plots.has(group)) continue;
      const host = el("div", { class: "gb-plot", dataset: { group } });
      host.style.height = "300px";
      this.plots.set(group, host);
      this.plotsBox.append(host);
    }
    await Promise.all(groups.map((group) => drawPlot(this.plots.get(group)!, this.traces(group, theme), themedLayout(theme, {
      uirevision: `${p.boardId}|${group}`,
      title: { text: plotText(group), x: 0, xanchor: "left", font: { size: theme.fontSize + 1 } },
      margin: { l: 52, r: 12, t: 40, b: 36 },
      xaxis: { title: { text: t("runs.epoch") } },
      legend: { orientation: "v", x: 1.02, xanchor: "left", y: 1, bgcolor: "rgba(0,0,0,0)" },
    }))));
  }

  private traces(group: string, theme: Theme): PlotData[] {
    const metrics = this.payload.metrics.filter((m) => m.group === group);
    return this.payload.runs.flatMap((run, i) => metrics.map((m) => ({
      type: "scatter", mode: run.epochs.epoch.length < 40 ? "lines+markers" : "lines", x: run.epochs.epoch, y: run.epochs.values[m.key] ?? [],
      name: plotText(metrics.length > 1 ? `${run.label} · ${m.key}` : run.label), legendgroup: run.id, meta: `${run.id}|${m.key}`,
      line: { color: colorOf(theme, i), width: 2, dash: m.split === "val" ? "dash" : "solid" }, marker: { size: 5, color: colorOf(theme, i) },
      opacity: run.status === "running" ? 1 : 0.9,
      hovertemplate: `${plotText(run.label)}<br>${plotText(m.key)} %{y:.4g}<extra>${plotText(t("runs.hover", { epoch: "%{x}" }))}</extra>`,
    })));
  }

  private cell(run: RunRecord, column: string, index: number): string | number {
    if (column === "run") return index + 1;
    if (column === "status") return run.status;
    if (column === "epochs") return run.epochs.epoch.length;
    if (column === "time") return run.elapsedMs;
    if (column.startsWith("hp:")) return run.hparams[column.slice(3)] as string | number ?? "";
    return run.best[column.slice(5)]?.value ?? NaN;
  }

  private renderTable(theme: Theme): void {
    const p = this.payload;
    const columns = ["run", ...p.hparams.map((h) => `hp:${h}`), "status", "epochs", "time", ...p.metrics.map((m) => `best:${m.key}`)];
    const label = (c: string) =>
      c.startsWith("hp:") ? c.slice(3) : c.startsWith("best:") ? t("runs.column.best", { name: c.slice(5) }) : t(`runs.column.${c as "run" | "status" | "epochs" | "time"}`);
    const rows = p.runs.map((run, i) => ({ run, i }));
    const { column, descending } = this.sort;
    rows.sort((a, b) => {
      const x = this.cell(a.run, column, a.i), y = this.cell(b.run, column, b.i);
      // Runs without a value go last whichever way the column is sorted.
      if (typeof x === "number" && Number.isNaN(x)) return 1;
      if (typeof y === "number" && Number.isNaN(y)) return -1;
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
    const head = el("tr", {}, ...columns.map((c) => el("th", {
      dataset: { column: c }, attrs: { "aria-sort": c === column ? (descending ? "descending" : "ascending") : "none", role: "button", tabindex: "0" },
      style: { cursor: "pointer" }, title: t("runs.sortTip"),
      on: { click: () => { this.sort = { column: c, descending: c === column ? !descending : c.startsWith("best:") && p.metrics.find((m) => `best:${m.key}` === c)?.goal === "max" }; this.renderTable(readTheme()); } },
    }, label(c) + (c === column ? (descending ? " ▼" : " ▲") : ""))));
    const body = rows.map(({ run, i }) => el("tr", { dataset: { run: run.id } }, ...columns.map((c) => {
      const v = this.cell(run, c, i);
      if (c === "run") return el("td", {}, el("span", { style: { display: "inline-block", width: "10px", height: "10px", background: colorOf(theme, i), marginRight: "6px", borderRadius: "2px" } }), String(v));
      if (c === "time") return el("td", {}, formatDuration(v as number));
      if (c.startsWith("best:")) {
        const best = run.best[c.slice(5)];
        return el("td", { title: best ? t("runs.bestAt", { epoch: best.epoch }) : "" }, best ? formatNumber(best.value) : "–");
      }
      return el("td", {}, String(v));
    })));
    this.tableBox.replaceChildren(el("table", { class: "gb-table" }, el("thead", {}, head), el("tbody", {}, ...body)));
  }

  dispose(): void {
    this.stopTheme();
    for (const host of this.plots.values()) disposePlot(host);
    this.node.replaceChildren();
  }
}

export const activate = defineRenderer<RunsPayloadV1>({
  mime: RUNS_MIME,
  version: 1,
  check: checkRuns,
  // Another board drawn into the same output starts over; an older emission of the shown board is dropped.
  relation: (shown, next) => (shown.boardId !== next.boardId ? "new" : next.seq <= shown.seq ? "stale" : "update"),
  render: (element, payload) => drawFirst(new RunsOutput(element), payload),
});
