/** The control views: a decision trace (DOM), and a dashboard (tiles, Plotly charts, alerts, overrides). */
import type { DashboardView, TraceView } from "../../kernel/control/payload";
import { el, formatNumber } from "../shared/dom";
import { drawPlot, plotText, themedLayout, type PlotData } from "../shared/plot";
import { readTheme } from "../shared/theme";

const STATUS_MARK = { passed: "✓", fired: "✗", skipped: "·" } as const;

/** Fired rules as badges (block: error colour, correct: warning, flag: muted); every rule in order below. */
export function renderTrace(view: TraceView, filter: "all" | "fired" | "reviewed"): HTMLElement {
  const shown = view.decisions.filter((d) => filter === "all" || (filter === "fired" ? d.trace.some((t) => t.status === "fired") : d.review !== null));
  const list = el("div", { class: "gb-control-trace" });
  for (const d of shown) {
    const changed = d.decision !== d.automated;
    const review = d.review;
    const summary = el("summary", {},
      el("span", { class: "gb-stat" }, d.key ?? d.id),
      d.group !== undefined && el("span", { class: "gb-chip" }, `group ${d.group}`),
      el("span", { class: "gb-stat", title: "the model's score" }, `score ${formatNumber(d.modelScore)}${d.score !== d.modelScore ? ` → ${formatNumber(d.score)}` : ""}`),
      el("span", { class: "gb-decision", dataset: { role: "decision" } }, changed ? `${d.automated} → ${d.decision}` : d.decision),
      ...d.trace.filter((t) => t.status === "fired").map((t) =>
        el("span", { class: `gb-badge ${t.severity === "block" ? "gb-badge-error" : t.severity === "correct" ? "gb-badge-warning" : "gb-muted"}`, dataset: { fired: t.rule, severity: t.severity } }, t.rule)),
      review && el("span", { class: "gb-badge gb-muted", dataset: { review: review.status } }, review.status === "pending" ? "review pending" : `${review.status}${review.reviewer ? ` by ${review.reviewer}` : ""}`),
    );
    const rules = el("ol", { class: "gb-control-rules" }, ...d.trace.map((t) =>
      el("li", { dataset: { rule: t.rule, status: t.status }, class: t.status === "fired" ? "" : "gb-muted" },
        el("span", { class: "gb-stat" }, `${STATUS_MARK[t.status]} ${t.rule}`), ` (${t.kind}, ${t.severity})`,
        t.status === "fired" ? `: ${t.effect ?? ""}${t.message ? ` — ${t.message}` : ""}` : t.status === "skipped" ? ": skipped (an earlier rule blocked)" : "")));
    const details = el("details", { class: "gb-control-decision", dataset: { decision: d.id } }, summary, rules,
      review && review.status !== "pending" && el("div", { class: "gb-note", dataset: { role: "review" } }, `${review.status} by ${review.reviewer ?? "unknown"}${review.at ? ` at ${review.at}` : ""}${review.reason ? `: ${review.reason}` : ""}`));
    if (d.trace.some((t) => t.status === "fired") || review) details.open = list.childElementCount < 8;
    list.append(details);
  }
  if (!shown.length) list.append(el("div", { class: "gb-note" }, "no decisions match"));
  return list;
}

export function tiles(view: DashboardView): HTMLElement {
  const d = view.dashboard;
  const tile = (label: string, value: number | string, role: string, level?: string) =>
    el("div", { class: `gb-tile gb-control-tile${level ? ` gb-badge-${level}` : ""}`, dataset: { tile: role } }, el("span", { class: "gb-title" }, String(value)), el("span", { class: "gb-muted" }, label));
  return el("div", { class: "gb-row gb-control-tiles" },
    tile("decisions", formatNumber(view.total, true), "total"),
    ...Object.entries(d.counts).map(([k, v]) => tile(k, formatNumber(v, true), `count-${k}`)),
    tile("reviewed", d.reviewed, "reviewed"),
    tile("overridden", d.overridden, "overridden", d.overridden ? "warning" : undefined),
    tile("pending", d.pending, "pending"),
    tile("alerts", d.alerts.length, "alerts", d.alerts.length ? "error" : "ok"));
}

export function drawRuleHits(host: HTMLElement, view: DashboardView): Promise<unknown> {
  const names = view.rules.map((r) => r.name);
  const theme = readTheme();
  const data: PlotData[] = [
    { type: "bar", orientation: "h", name: "fired", y: names.map(plotText), x: names.map((n) => view.dashboard.ruleHits[n] ?? 0), marker: { color: theme.palette[0] } },
    { type: "bar", orientation: "h", name: "then overridden", y: names.map(plotText), x: names.map((n) => view.dashboard.ruleOverrides[n] ?? 0), marker: { color: theme.palette[1] } },
  ];
  return drawPlot(host, data, themedLayout(theme, { barmode: "group", height: 90 + 36 * Math.max(1, names.length), title: { text: "rule hits" }, yaxis: { automargin: true, autorange: "reversed" }, xaxis: { title: { text: "decisions" } }, uirevision: view.session }));
}

/** PSI per feature against the reference, one point per decide call, with the alert limit. */
export function drawDrift(host: HTMLElement, view: DashboardView): Promise<unknown> {
  const h = view.dashboard.history;
  const theme = readTheme();
  const x = h.map((b) => b.batch);
  const data: PlotData[] = view.features.map((f) => ({ type: "scatter", mode: "lines+markers", name: plotText(f), meta: f, x, y: h.map((b) => b.psi[f] ?? null) }));
  const limit = view.dashboard.limits?.psi;
  return drawPlot(host, data, themedLayout(theme, {
    height: 320, margin: { l: 48, r: 16, t: 96, b: 40 }, title: { text: "drift: PSI per feature", y: 0.98, yanchor: "top" }, xaxis: { title: { text: "batch (decide call)" }, dtick: 1 }, yaxis: { title: { text: "PSI" }, rangemode: "tozero" }, uirevision: view.session,
    shapes: limit === undefined ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: limit, y1: limit, line: { color: theme.error, dash: "dash", width: 1 } }],
  }));
}

/** The model's "above" rate per group and batch, the reference rates dashed. */
export function drawRates(host: HTMLElement, view: DashboardView): Promise<unknown> {
  const h = view.dashboard.history;
  const theme = readTheme();
  const groups = [...new Set(h.flatMap((b) => Object.keys(b.rates)))];
  const data: PlotData[] = groups.map((g, i) => ({ type: "scatter", mode: "lines+markers", name: plotText(g === "all" ? "everyone" : `group ${g}`), meta: g, x: h.map((b) => b.batch), y: h.map((b) => b.rates[g] ?? null), line: { color: theme.palette[i % theme.palette.length] } }));
  const shapes = groups.flatMap((g, i) => {
    const ref = view.dashboard.referenceRates[g];
    return ref === null || ref === undefined ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: ref, y1: ref, line: { color: theme.palette[i % theme.palette.length], dash: "dot", width: 1 } }];
  });
  return drawPlot(host, data, themedLayout(theme, { height: 320, margin: { l: 48, r: 16, t: 96, b: 40 }, title: { text: `model rate of "${plotText(view.labels.above)}" (dotted: reference)`, y: 0.98, yanchor: "top" }, xaxis: { title: { text: "batch (decide call)" }, dtick: 1 }, yaxis: { rangemode: "tozero" }, shapes, uirevision: view.session }));
}

export function alertsAndOverrides(view: DashboardView): HTMLElement {
  const d = view.dashboard;
  return el("div", {},
    d.alerts.length ? el("ul", { class: "gb-control-alerts" }, ...d.alerts.map((a) => el("li", { class: "gb-badge-error", dataset: { alert: a.kind, subject: a.subject } }, `batch ${a.batch}: ${a.message}`))) : el("div", { class: "gb-note", dataset: { role: "no-alerts" } }, "no alerts"),
    d.overrides.length ? el("div", { class: "gb-table-wrap" }, el("table", { class: "gb-table gb-control-overrides" },
      el("thead", {}, el("tr", {}, ...["case", "automated", "final", "reviewer", "reason", "when"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...d.overrides.map((o) => el("tr", { dataset: { override: o.id } }, ...[o.key ?? o.id, o.automated, o.decision, o.reviewer ?? "", o.reason ?? "", o.at ?? ""].map((v) => el("td", {}, v))))))) : null);
}
