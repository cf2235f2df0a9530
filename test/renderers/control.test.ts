// The control renderer in Chromium, on payloads from the kernel's real control(): the decision
// trace (every rule with its status, fired badges, reviews) and the dashboard (tiles, rule hits,
// drift per feature with the limit, alerts, overrides), live updates in place, light and dark themes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { control, CONTROL_MIME, type Controlled, type Rule } from "../../kernel/control";
import { FEATURES, makeApplicants } from "../../samples/credit-risk";
import { launchChromium as launch } from "../helpers/chromium";
import { buildRenderers, openPage, render, screenshot, setTheme } from "./harness";

let browser: Browser, page: Page, errors: Error[];

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const model = (rows: number[][]) => rows.map((r) => sigmoid(-1.9 - 0.035 * (r[0] - 50) + 5 * (r[1] - 0.3) - 0.06 * (r[2] - 9) + 0.55 * r[3] + 0.03 * (r[4] - 15)));
const evil = '<img src=x onerror="window.__xss=1">';

function predictor(): Controlled {
  const reference = makeApplicants(1500, 3);
  const rules: Rule[] = [
    { kind: "threshold", name: "group-thresholds", severity: "correct", thresholds: { A: 0.5, B: 0.55 } },
    { kind: "never", name: "no-approve-over-indebted", severity: "correct", decision: "approve", when: (x) => x.debt_to_income > 0.55, message: "debt above 55% of income" },
    { kind: "always", name: "decline-many-late", severity: "block", decision: "decline", when: (x) => x.late_payments >= 5 },
    { kind: "custom", name: evil, severity: "flag", check: (x) => x.loan_k > x.income_k, message: evil },
  ];
  return control(model, {
    name: "credit policy", features: FEATURES, rules, decision: { above: "decline", below: "approve", blocked: "refer" },
    review: { when: (p) => p.confidence < 0.6, answers: (c) => (c.prediction.blocked || c.x.income_k < 45 ? { action: "override", decision: "decline", reason: "documents missing", reviewer: "ana" } : { action: "approve", reviewer: "ben" }) },
    monitor: { reference: reference.features, referenceGroups: reference.group },
  });
}
const bundleOf = (value: unknown) => (value as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]()[CONTROL_MIME];

before(async () => {
  await buildRenderers(["control"]);
  browser = await launch();
  ({ page, errors } = await openPage(browser, ["control"]));
});
after(async () => {
  await browser?.close();
  assert.deepEqual(errors.map(String), [], "no uncaught errors in the page");
});

test("decision trace: every rule in order with its status, fired rules as badges, reviews with who and why", async () => {
  const ctl = predictor();
  const data = makeApplicants(59, 4);
  // One applicant with six late payments, whom the always-decline rule blocks.
  data.features.splice(1, 0, [150, 0.2, 15, 6, 10]);
  data.group.splice(1, 0, "A");
  const decisions = await ctl.decide(data.features, { groups: data.group, keys: data.features.map((_, i) => `app-${i}`) });
  const doc = bundleOf(decisions) as { decisions: { id: string }[] };
  await render(page, "control", "trace", CONTROL_MIME, doc);
  assert.equal(await page.locator("#trace .gb-control-decision").count(), 50, "the first 50 of 60 are carried");
  assert.match(await page.textContent("#trace") ?? "", /showing 50 of 60 decisions/);
  const fired = decisions.slice(0, 50).find((d) => d.fired.some((f) => f.rule === "no-approve-over-indebted"))!;
  assert.ok(fired, "a decision where the debt rule fired");
  const item = `#trace [data-decision="${fired.id}"]`;
  assert.deepEqual(await page.locator(`${item} li`).evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.rule}:${(e as HTMLElement).dataset.status}`)), fired.trace.map((t) => `${t.rule}:${t.status}`));
  assert.match(await page.textContent(`${item} li[data-rule="no-approve-over-indebted"]`) ?? "", /approve → decline — debt above 55% of income/);
  const overridden = decisions.slice(0, 50).find((d) => d.review?.status === "overridden")!;
  assert.ok(overridden);
  assert.match(await page.textContent(`#trace [data-decision="${overridden.id}"] [data-role="review"]`) ?? "", /^overridden by ana at .+: documents missing$/);
  const blocked = decisions[1];
  assert.equal(blocked.decision, "decline", "blocked, then overridden by the reviewer");
  assert.deepEqual(await page.locator(`#trace [data-decision="${blocked.id}"] li`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status)), ["passed", "passed", "fired", "skipped"]);
  assert.match(await page.textContent(`#trace [data-decision="${blocked.id}"] li[data-status="skipped"]`) ?? "", /skipped \(an earlier rule blocked\)/);
  // The rule named like markup shows as text.
  assert.equal(await page.locator("#trace img").count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  // Filter: only decisions where a rule fired.
  await page.selectOption('#trace [data-control="filter"]', "fired");
  const withFired = decisions.slice(0, 50).filter((d) => d.fired.length).length;
  assert.equal(await page.locator("#trace .gb-control-decision").count(), withFired);
  await page.selectOption('#trace [data-control="filter"]', "all");
  // Screenshots of a short trace: a plain case, rules firing, a block, reviews.
  const sample = [...new Set([decisions[0], fired, overridden, ...decisions.filter((d) => d.blocked || d.flagged).slice(0, 2), ...decisions.filter((d) => d.review?.status === "approved").slice(0, 1)])];
  await render(page, "control", "trace-shot", CONTROL_MIME, bundleOf(ctl.trace(sample)));
  await screenshot(page, "#trace-shot", "control-trace-light");
  await setTheme(page, "vscode-dark");
  await page.waitForTimeout(100);
  await screenshot(page, "#trace-shot", "control-trace-dark");
  await setTheme(page, "vscode-light");
});

test("dashboard: tiles, rule hits, drift per batch with the limit, alerts; live updates redraw in place; dark theme", async () => {
  const ctl = predictor();
  const steady = makeApplicants(400, 5);
  await ctl.decide(steady.features, { groups: steady.group });
  await render(page, "control", "dash", CONTROL_MIME, bundleOf(ctl.dashboard()));
  assert.equal(await page.textContent('#dash [data-tile="alerts"] .gb-title'), "0");
  assert.equal(await page.locator('#dash [data-role="no-alerts"]').count(), 1);
  const plot = '#dash .gb-plot[data-plot="drift"]';
  await page.locator(`${plot} .main-svg`).first().waitFor();
  await page.evaluate((sel) => { (document.querySelector(sel) as HTMLElement & { __mark?: number }).__mark = 7; }, plot);

  // A recession: incomes fall, debts rise. The same output is updated (a display handle's update).
  const recession = makeApplicants(400, 6, { income: -15, debt: 0.1 });
  await ctl.decide(recession.features, { groups: recession.group });
  await render(page, "control", "dash", CONTROL_MIME, bundleOf(ctl.dashboard()));
  assert.equal(await page.evaluate((sel) => (document.querySelector(sel) as HTMLElement & { __mark?: number }).__mark, plot), 7, "the same plot element, updated in place");
  type Gd = HTMLElement & { data: { meta: string; y: number[] }[]; layout: { shapes: { y0: number }[] }; _fullLayout: { font: { color: string } } };
  const drift = await page.evaluate((sel) => { const gd = document.querySelector(sel) as Gd; return { series: gd.data.map((d) => [d.meta, d.y]), limit: gd.layout.shapes[0].y0 }; }, plot);
  assert.equal(drift.limit, 0.2);
  const income = drift.series.find(([m]) => m === "income_k")![1] as number[];
  assert.ok(income.length === 2 && income[0] < 0.1 && income[1] > 0.2, `income PSI per batch ${income}`);
  const alerts = await page.locator("#dash [data-alert]").evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.alert}:${(e as HTMLElement).dataset.subject}`));
  assert.ok(alerts.includes("psi:income_k") && alerts.includes("psi:debt_to_income"), alerts.join(", "));
  assert.equal(await page.textContent('#dash [data-tile="alerts"] .gb-title'), String(ctl.alerts.length));
  const hits = await page.evaluate(() => (document.querySelector('#dash .gb-plot[data-plot="rule-hits"]') as Gd).data.map((d) => (d as unknown as { x: number[] }).x));
  const view = bundleOf(ctl.dashboard()) as { dashboard: { ruleHits: Record<string, number>; ruleOverrides: Record<string, number> } };
  assert.deepEqual(hits[0], Object.values(view.dashboard.ruleHits));
  assert.deepEqual(hits[1], Object.values(view.dashboard.ruleOverrides));
  assert.ok(await page.locator("#dash [data-override]").count() > 0, "recent overrides are listed");
  await screenshot(page, "#dash", "control-dashboard-light");
  await setTheme(page, "vscode-dark");
  await page.waitForFunction((sel) => (document.querySelector(sel) as Gd)._fullLayout.font.color === "#cccccc", plot);
  await screenshot(page, "#dash", "control-dashboard-dark");
  await setTheme(page, "vscode-light");
});

test("a payload of another version or missing a field falls back to the PNG; nothing half-drawn", async () => {
  const ctl = predictor();
  await ctl.decide(makeApplicants(20, 8).features);
  const doc = bundleOf(ctl.dashboard()) as Record<string, unknown>;
  const fallback = (json: unknown, id: string) => render(page, "control", id, CONTROL_MIME, json).then(() => "drawn", (e: Error) => (/fallbackToNextRenderer/.test(String(e)) ? "fallback" : String(e)));
  assert.equal(await fallback({ ...doc, version: 2 }, "v2"), "fallback");
  const { dashboard: _, ...noDashboard } = doc;
  assert.equal(await fallback(noDashboard, "broken"), "fallback");
  assert.equal(await page.evaluate(() => document.getElementById("broken")?.childElementCount), 0);
});
