/**
 * VS Code notebook renderer for application/vnd.glassbox.control.v1+json: a decision trace (each
 * decision with its score, every rule in order and what it did, the review) or a dashboard (counts,
 * rule hits and overrides, drift per feature and output rates per group over batches, alerts).
 * A live dashboard (display handle updates) redraws in place. Data strings only go through textContent.
 */
import { CONTROL_MIME, type ControlView, type DashboardView, type TraceView } from "../../kernel/control/payload";
import { el } from "../shared/dom";
import { t } from "../shared/i18n";
import { defineRenderer, drawFirst } from "../shared/host";
import { disposePlot } from "../shared/plot";
import { ensureStyles } from "../shared/styles";
import { onThemeChange } from "../shared/theme";
import { checkControl } from "./check";
import { alertsAndOverrides, drawDrift, drawRates, drawRuleHits, renderTrace, tiles } from "./views";

const CSS = `
.gb-control-decision { border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.25)); padding: 2px 0; }
.gb-control-decision summary { cursor: pointer; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.gb-control-rules { margin: 2px 0 4px 18px; padding: 0; }
.gb-decision { font-weight: 600; }
.gb-control-tile { padding: 4px 10px; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); border-radius: 4px; min-width: 80px; }
.gb-control-alerts { margin: 4px 0; padding-left: 18px; }
`;

function ensureControlStyles(): void {
  ensureStyles();
  if (document.getElementById("glassbox-control-styles")) return;
  document.head.append(el("style", { attrs: { id: "glassbox-control-styles" } }, CSS));
}

type Filter = "all" | "fired" | "reviewed";

class ControlOutput {
  readonly root = el("div", { class: "gb-root gb-control" });
  private view!: ControlView;
  private filter: Filter = "all";
  private readonly plots: HTMLElement[] = [];
  private readonly stopTheme: () => void;

  constructor(element: HTMLElement) {
    ensureControlStyles();
    element.replaceChildren(this.root);
    this.stopTheme = onThemeChange(() => void this.drawPlots());
  }

  async update(view: ControlView): Promise<void> {
    const kindChanged = this.view && this.view.view !== view.view;
    this.view = view;
    if (kindChanged) for (const p of this.plots.splice(0)) disposePlot(p);
    this.root.dataset.view = view.view;
    if (view.view === "trace") this.drawTrace(view);
    else await this.drawDashboard(view);
  }

  private header(): HTMLElement {
    const v = this.view;
    return el("div", { class: "gb-row gb-header" },
      el("span", { class: "gb-title" }, v.name),
      el("span", { class: "gb-chip" }, t(`control.view.${v.view}`)),
      el("span", { class: "gb-muted" }, `${t("control.rules", { count: v.rules.length })} · ${t("control.threshold", { above: v.labels.above, threshold: String(v.labels.threshold), below: v.labels.below })}`));
  }

  private drawTrace(view: TraceView): void {
    const select = el("select", { dataset: { control: "filter" }, on: { change: () => { this.filter = select.value as Filter; this.drawTrace(view); } } },
      ...(["all", "fired", "reviewed"] as const).map((f) => el("option", { attrs: { value: f } }, t(`control.filter.${f}`))));
    select.value = this.filter;
    const more = view.total > view.decisions.length ? el("div", { class: "gb-note" }, t("control.showingDecisions", { shown: view.decisions.length, total: view.total })) : null;
    this.root.replaceChildren(this.header(), el("div", { class: "gb-row" }, el("label", { class: "gb-muted" }, t("control.show"), " ", select)), renderTrace(view, this.filter), ...(more ? [more] : []));
  }

  private plot(name: string): HTMLElement {
    let p = this.plots.find((x) => x.dataset.plot === name);
    if (!p) {
      p = el("div", { class: "gb-plot", dataset: { plot: name } });
      this.plots.push(p);
    }
    return p;
  }

  private async drawDashboard(view: DashboardView): Promise<void> {
    const charts = [this.plot("rule-hits")];
    if (view.dashboard.history.length) charts.push(this.plot("drift"), this.plot("rates"));
    // Plot elements are kept across updates (zoom and identity survive); the rest is rebuilt.
    this.root.replaceChildren(this.header(), tiles(view), el("div", { class: "gb-plots" }, ...charts), alertsAndOverrides(view));
    await this.drawPlots();
  }

  private async drawPlots(): Promise<void> {
    const v = this.view;
    if (v?.view !== "dashboard") return;
    const draws: Promise<unknown>[] = [drawRuleHits(this.plot("rule-hits"), v)];
    if (v.dashboard.history.length) draws.push(drawDrift(this.plot("drift"), v), drawRates(this.plot("rates"), v));
    await Promise.all(draws);
  }

  dispose(): void {
    this.stopTheme();
    for (const p of this.plots.splice(0)) disposePlot(p);
  }
}

export const activate = defineRenderer<ControlView>({
  mime: CONTROL_MIME,
  version: 1,
  check: checkControl,
  render: (element, view) => drawFirst(new ControlOutput(element), view),
});
