/** The control views: a decision trace (DOM), and a dashboard (tiles, Plotly charts, alerts, overrides). */
import type { DashboardView, TraceView } from "../../kernel/control/payload";
import { el } from "../shared/dom";
import { formatDate, formatInteger, formatNumber, t } from "../shared/i18n";
import { drawPlot, plotText, themedLayout, type PlotData } from "../shared/plot";
import { readTheme } from "../shared/theme";

const STATUS_MARK = { passed: "✓", fired: "✗", skipped: "·" } as const;

/** Rule severities are words of the rules API (block, correct, flag); others show as written. */
function severity(name: string): string {
  return name === "block" || name === "correct" || name === "flag" ? t(`control.severity.${name}`) : name;
}

/** Fired rules as badges (block: error colour, correct: warning, flag: muted); every rule in order below. */
export function renderTrace(view: TraceView, filter: "all" | "fired" | "reviewed"): HTMLElement {
  const shown = view.decisions.filter((d) => filter === "all" || (filter === "fired" ? d.trace.some((t) => t.status === "fired") : d.review !== null));
  const list = el("div", { class: "gb-control-trace" });
  for (const d of shown) {
    const changed = d.decision !== d.automated;
    const review = d.review;
    const summary = el("summary", {},
      el("span", { class: "gb-stat" }, d.key ?? d.id),
      d.group !== undefined && el("span", { class: "gb-chip" }, t("control.group", { group: d.group })),
      el("span", { class: "gb-stat", title: t("control.scoreTip") }, t("control.score", { score: `${formatNumber(d.modelScore)}${d.score !== d.modelScore ? ` → ${formatNumber(d.score)}` : ""}` })),
      el("span", { class: "gb-decision", dataset: { role: "decision" } }, changed ? `${d.automated} → ${d.decision}` : d.decision),
      ...d.trace.filter((t) => t.status === "fired").map((t) =>
        el("span", { class: `gb-badge ${t.severity === "block" ? "gb-badge-error" : t.severity === "correct" ? "gb-badge-warning" : "gb-muted"}`, dataset: { fired: t.rule, severity: t.severity } }, t.rule)),
      review && el("span", { class: "gb-badge gb-muted", dataset: { review: review.status } }, review.status === "pending" ? t("control.reviewPending")
        : review.reviewer ? t("control.reviewBy", { status: t(`control.review.${review.status}`), reviewer: review.reviewer }) : t(`control.review.${review.status}`)),
    );
    const rules = el("ol", { class: "gb-control-rules" }, ...d.trace.map((o) =>
      el("li", { dataset: { rule: o.rule, status: o.status }, class: o.status === "fired" ? "" : "gb-muted" },
        el("span", { class: "gb-stat" }, `${STATUS_MARK[o.status]} ${o.rule}`), ` (${o.kind}, ${severity(o.severity)})`,
        o.status === "fired" ? `: ${o.effect ?? ""}${o.message ? ` — ${o.message}` : ""}` : o.status === "skipped" ? `: ${t("control.skipped")}` : "")));
    const details = el("details", { class: "gb-control-decision", dataset: { decision: d.id } }, summary, rules,
      review && review.status !== "pending" && el("div", { class: "gb-note", dataset: { role: "review" } },
        t("control.reviewBy", { status: t(`control.review.${review.status}`), reviewer: review.reviewer ?? t("control.unknownReviewer") }),
        review.at ? ` ${t("control.reviewAt", { at: formatDate(review.at) })}` : "", review.reason ? `: ${review.reason}` : ""));
    if (d.trace.some((t) => t.status === "fired") || review) details.open = list.childElementCount < 8;
    list.append(details);
  }
  if (!shown.length) list.append(el("div", { class: "gb-note" }, t("control.noMatch")));
  return list;
}

export function tiles(view: DashboardView): HTMLElement {
  const d = view.dashboard;
  const tile = (label: string, value: number | string, role: string, level?: string) =>
    el("div", { class: `gb-tile gb-control-tile${level ? ` gb-badge-${level}` : ""}`, dataset: { tile: role } }, el("span", { class: "gb-title" }, String(value)), el("span", { class: "gb-muted" }, label));
  return el("div", { class: "gb-row gb-control-tiles" },
    tile(t("control.tile.decisions"), formatInteger(view.total), "total"),
    ...Object.entries(d.counts).map(([k, v]) => tile(k, formatInteger(v), `count-${k}`)),
    tile(t("control.tile.reviewed"), formatInteger(d.reviewed), "reviewed"),
    tile(t("control.tile.overridden"), formatInteger(d.overridden), "overridden", d.overridden ? "warning" : undefined),
    tile(t("control.tile.pending"), formatInteger(d.pending), "pending"),
    tile(t("control.tile.alerts"), formatInteger(d.alerts.length), "alerts", d.alerts.length ? "error" : "ok"));
}

export function drawRuleHits(host: HTMLElement, view: DashboardView): Promise<unknown> {
  const names = view.rules.map((r) => r.name);
  const theme = readTheme();
  const data: PlotData[] = [
    { type: "bar", orientation: "h", name: t("control.fired"), y: names.map(plotText), x: names.map((n) => view.dashboard.ruleHits[n] ?? 0), marker: { color: theme.palette[0] } },
    { type: "bar", orientation: "h", name: t("control.thenOverridden"), y: names.map(plotText), x: names.map((n) => view.dashboard.ruleOverrides[n] ?? 0), marker: { color: theme.palette[1] } },
  ];
  return drawPlot(host, data, themedLayout(theme, { barmode: "group", height: 90 + 36 * Math.max(1, names.length), title: { text: t("control.ruleHits") }, yaxis: { automargin: true, autorange: "reversed" }, xaxis: { title: { text: t("control.decisionsAxis") } }, uirevision: view.session }));
}

/** PSI per feature against the reference, one point per decide call, with the alert limit. */
export function drawDrift(host: HTMLElement, view: DashboardView): Promise<unknown> {
  const h = view.dashboard.history;
  const theme = readTheme();
  const x = h.map((b) => b.batch);
  const data: PlotData[] = view.features.map((f) => ({ type: "scatter", mode: "lines+markers", name: plotText(f), meta: f, x, y: h.map((b) => b.psi[f] ?? null) }));
  const limit = view.dashboard.limits?.psi;
  return drawPlot(host, data, themedLayout(theme, {
    height: 320, margin: { l: 48, r: 16, t: 96, b: 40 }, title: { text: t("control.drift"), y: 0.98, yanchor: "top" }, xaxis: { title: { text: t("control.batchAxis") }, dtick: 1 }, yaxis: { title: { text: "PSI" }, rangemode: "tozero" }, uirevision: view.session,
    shapes: limit === undefined ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: limit, y1: limit, line: { color: theme.error, dash: "dash", width: 1 } }],
  }));
}

/** The model's "above" rate per group and batch, the reference rates dashed. */
export function drawRates(host: HTMLElement, view: DashboardView): Promise<unknown> {
  const h = view.dashboard.history;
  const theme = readTheme();
  const groups = [...new Set(h.flatMap((b) => Object.keys(b.rates)))];
  const data: PlotData[] = groups.map((g, i) => ({ type: "scatter", mode: "lines+markers", name: plotText(g === "all" ? t("control.everyone") : t("control.group", { group: g })), meta: g, x: h.map((b) => b.batch), y: h.map((b) => b.rates[g] ?? null), line: { color: theme.palette[i % theme.palette.length] } }));
  const shapes = groups.flatMap((g, i) => {
    const ref = view.dashboard.referenceRates[g];
    return ref === null || ref === undefined ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: ref, y1: ref, line: { color: theme.palette[i % theme.palette.length], dash: "dot", width: 1 } }];
  });
  return drawPlot(host, data, themedLayout(theme, { height: 320, margin: { l: 48, r: 16, t: 96, b: 40 }, title: { text: t("control.rate", { above: plotText(view.labels.above) }), y: 0.98, yanchor: "top" }, xaxis: { title: { text: t("control.batchAxis") }, dtick: 1 }, yaxis: { rangemode: "tozero" }, shapes, uirevision: view.session }));
}

export function alertsAndOverrides(view: DashboardView): HTMLElement {
  const d = view.dashboard;
  return el("div", {},
    d.alerts.length ? el("ul", { class: "gb-control-alerts" }, ...d.alerts.map((a) => el("li", { class: "gb-badge-error", dataset: { alert: a.kind, subject: a.subject } }, t("control.alert", { batch: a.batch, message: a.message })))) : el("div", { class: "gb-note", dataset: { role: "no-alerts" } }, t("control.noAlerts")),
    d.overrides.length ? el("div", { class: "gb-table-wrap" }, el("table", { class: "gb-table gb-control-overrides" },
      el("thead", {}, el("tr", {}, ...(["case", "automated", "final", "reviewer", "reason", "when"] as const).map((h) => el("th", {}, t(`control.column.${h}`))))),
      el("tbody", {}, ...d.overrides.map((o) => el("tr", { dataset: { override: o.id } }, ...[o.key ?? o.id, o.automated, o.decision, o.reviewer ?? "", o.reason ?? "", o.at ? formatDate(o.at) : ""].map((v) => el("td", {}, v))))))) : null);
}
