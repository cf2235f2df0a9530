/**
 * The display form of controlled decisions: application/vnd.glassbox.control.v1+json
 * (docs/mime/control.v1.md), with text/plain and image/png fallbacks drawn here, so a notebook reads
 * well without the extension. Two views: a decision trace and a dashboard.
 */
import type { Rgb } from "../display/colormap";
import { Raster } from "../display/raster";
import { CONTROL_MIME, type ControlView, type DashboardView, type TraceView } from "./payload";

export { CONTROL_MIME, type ControlView } from "./payload";

const f3 = (v: number) => v.toFixed(3);

export function controlText(view: ControlView): string {
  const lines: string[] = [];
  if (view.view === "trace") {
    lines.push(`${view.name}: ${view.total} decision${view.total === 1 ? "" : "s"}${view.decisions.length < view.total ? ` (first ${view.decisions.length} shown)` : ""}`);
    for (const d of view.decisions) {
      const review = d.review ? ` · review: ${d.review.status}${d.review.reviewer ? ` by ${d.review.reviewer}` : ""}${d.review.reason ? ` (${d.review.reason})` : ""}` : "";
      lines.push(`${d.id}${d.key ? ` [${d.key}]` : ""}${d.group !== undefined ? ` group ${d.group}` : ""}: score ${f3(d.modelScore)}${d.score !== d.modelScore ? ` → ${f3(d.score)}` : ""} → ${d.automated}${d.decision !== d.automated ? ` → ${d.decision}` : ""}${review}`);
      for (const t of d.trace) lines.push(`    ${t.status === "fired" ? "✗" : t.status === "skipped" ? "·" : "✓"} ${t.rule} (${t.kind}, ${t.severity})${t.status === "fired" ? `: ${t.effect}${t.message ? ` — ${t.message}` : ""}` : t.status === "skipped" ? ": skipped" : ""}`);
    }
  } else {
    const d = view.dashboard;
    lines.push(`${view.name}: ${view.total} decisions · ${Object.entries(d.counts).map(([k, v]) => `${k} ${v}`).join(", ") || "none yet"}`);
    lines.push(`reviews: ${d.reviewed} answered (${d.overridden} overridden), ${d.pending} pending`);
    lines.push(`rule hits: ${view.rules.map((r) => `${r.name} ${d.ruleHits[r.name] ?? 0}`).join(", ") || "no rules"}`);
    const last = d.history.at(-1);
    if (last) lines.push(`latest batch ${last.batch} (${last.rows} rows): PSI ${Object.entries(last.psi).map(([k, v]) => `${k} ${f3(v)}`).join(", ")}`);
    for (const a of d.alerts) lines.push(`ALERT (batch ${a.batch}): ${a.message}`);
  }
  return lines.join("\n");
}

const INK: Rgb = [60, 60, 60];
const MUTED: Rgb = [140, 140, 140];
const GRID: Rgb = [225, 225, 225];
const RED: Rgb = [214, 39, 40];
const BLUE: Rgb = [31, 119, 180];
const ORANGE: Rgb = [255, 127, 14];
const GREEN: Rgb = [44, 160, 44];
const SERIES: Rgb[] = [BLUE, ORANGE, GREEN, RED, [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127]];
const clip = (s: string, n: number) => ([...s].length > n ? [...s].slice(0, n - 1).join("") + "…" : s);

/** Trace PNG: one line per decision (score bar, decision, the rules that fired). */
function tracePng(view: TraceView): string {
  const shown = view.decisions.slice(0, 12);
  const lineH = 22;
  const r = new Raster(760, 40 + lineH * Math.max(1, shown.length));
  r.text(10, 10, clip(`${view.name}: ${view.total} decisions`, 90), INK, 2);
  shown.forEach((d, i) => {
    const y = 34 + i * lineH;
    r.text(10, y + 3, clip(d.key ?? d.id, 14), MUTED, 2);
    r.rect(130, y, 100, 12, GRID);
    r.rect(130, y, Math.round(100 * Math.min(1, Math.max(0, d.score))), 12, d.decision === view.labels.above ? RED : BLUE);
    r.line(130 + 100 * view.labels.threshold, y - 2, 130 + 100 * view.labels.threshold, y + 14, INK);
    r.text(240, y + 3, clip(`${d.automated}${d.decision !== d.automated ? `>${d.decision}` : ""}`, 20), d.review?.status === "overridden" ? ORANGE : INK, 2);
    r.text(420, y + 3, clip(d.fired.map((f) => f.rule).join(" ") || "-", 42), d.fired.length ? RED : MUTED, 2);
  });
  return r.toPngBase64();
}

/** Dashboard PNG: rule hits as bars, PSI per feature over batches, the PSI limit dashed. */
function dashboardPng(view: DashboardView): string {
  const d = view.dashboard;
  const r = new Raster(760, 260);
  r.text(10, 10, clip(`${view.name}: ${view.total} decisions, ${d.overridden} overridden, ${d.alerts.length} alerts`, 90), d.alerts.length ? RED : INK, 2);
  const hits = view.rules.map((rule) => [rule.name, d.ruleHits[rule.name] ?? 0] as const);
  const maxHit = Math.max(1, ...hits.map(([, v]) => v));
  r.text(10, 34, "RULE HITS", MUTED, 2);
  hits.slice(0, 10).forEach(([name, v], i) => {
    const y = 52 + i * 18;
    r.text(10, y + 2, clip(name, 14), INK, 2);
    r.rect(130, y, Math.max(1, Math.round((200 * v) / maxHit)), 12, BLUE);
    r.text(136 + Math.round((200 * v) / maxHit), y + 2, String(v), INK, 2);
  });
  const x0 = 400, y0 = 40, w = 340, h = 180;
  r.text(x0, 26, "PSI PER BATCH", MUTED, 2);
  r.rect(x0, y0, w, h, [250, 250, 250]);
  const hist = d.history;
  const limit = d.limits?.psi ?? 0.2;
  const top = Math.max(limit * 1.5, ...hist.flatMap((b) => Object.values(b.psi)));
  const px = (i: number) => x0 + (hist.length <= 1 ? w / 2 : (i * w) / (hist.length - 1));
  const py = (v: number) => y0 + h - (Math.min(v, top) / top) * h;
  for (let x = x0; x < x0 + w; x += 8) r.line(x, py(limit), x + 3, py(limit), RED);
  view.features.forEach((f, j) => {
    const c = SERIES[j % SERIES.length];
    hist.forEach((b, i) => {
      if (i) r.line(px(i - 1), py(hist[i - 1].psi[f]), px(i), py(b.psi[f]), c, 2);
      r.rect(px(i) - 2, py(b.psi[f]) - 2, 5, 5, c);
    });
    r.text(x0 + (j % 3) * 115, y0 + h + 8 + Math.floor(j / 3) * 12, clip(f, 13), c, 2);
  });
  return r.toPngBase64();
}

export function controlBundle(view: ControlView): Record<string, unknown> {
  return {
    [CONTROL_MIME]: JSON.parse(JSON.stringify(view)) as unknown,
    "text/plain": controlText(view),
    "image/png": view.view === "trace" ? tracePng(view) : dashboardPng(view),
  };
}
