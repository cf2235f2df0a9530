// control(): rules of every kind, review with scripted answers, the audit and its replay, drift
// monitoring, feedback export, and clear errors for bad rule definitions. Models are plain
// functions or small tf.LayersModels on the cpu backend; data are seeded.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { control, CONTROL_MIME, RuleError, type Rule, type ControlOptions } from "../../kernel/control";
import { FEATURES, makeApplicants } from "../../samples/credit-risk";

const dir = mkdtempSync(join(tmpdir(), "glassbox-control-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** The made-up world's own risk (log-odds of default), as a model. */
const risk = (r: number[]) => sigmoid(-1.9 - 0.035 * (r[0] - 50) + 5 * (r[1] - 0.3) - 0.06 * (r[2] - 9) + 0.55 * r[3] + 0.03 * (r[4] - 15));
const fair = (rows: number[][]) => rows.map(risk);
const credit = (extra: Partial<ControlOptions> = {}): ControlOptions => ({ features: FEATURES, decision: { threshold: 0.5, above: "decline", below: "approve", blocked: "refer" }, ...extra });
const row = (income: number, dti: number, years: number, late: number, loan: number) => [income, dti, years, late, loan];

before(() => tf.setBackend("cpu"));

test("each rule kind fires as defined, in order, and the trace shows every rule", async () => {
  const rules: Rule[] = [
    { kind: "clamp", name: "score-range", severity: "correct", min: 0.02, max: 0.95 },
    { kind: "threshold", name: "group-thresholds", severity: "correct", thresholds: { A: 0.5, B: 0.6 } },
    { kind: "never", name: "no-approve-over-indebted", severity: "correct", decision: "approve", when: (x) => x.debt_to_income > 0.6, message: "debt above 60% of income" },
    { kind: "always", name: "decline-many-late", severity: "block", decision: "decline", when: (x) => x.late_payments >= 6 },
    { kind: "custom", name: "big-loan", severity: "flag", check: (x) => x.loan_k > 3 * x.income_k, message: (x) => `loan ${x.loan_k}k is over three times income ${x.income_k}k` },
  ];
  const ctl = control(fair, credit({ rules }));
  const rows = [
    row(60, 0.3, 9, 0, 15), //   plain approve: nothing fires
    row(15, 0.6, 2, 4, 15), //   high risk → clamp at 0.95 → decline
    row(40, 0.35, 6, 2, 20), //  group B, score between 0.5 and 0.6: the per-group threshold approves
    row(90, 0.7, 12, 0, 10), //  would be approved, but debt > 60%: corrected to decline
    row(120, 0.1, 20, 6, 5), //  six late payments on a safe score: always-decline blocks → refer, later rules skipped
    row(30, 0.2, 9, 0, 100), //  a loan far above income: flagged
  ];
  const groups = ["A", "A", "B", "A", "A", "A"];
  const scores = fair(rows);
  assert.ok(scores[1] > 0.95 && scores[2] > 0.5 && scores[2] < 0.6 && scores[4] < 0.5, `the rows exercise the rules: ${scores.map((s) => s.toFixed(3))}`);
  const d = await ctl.decide(rows, { groups, keys: ["a1", "a2", "a3", "a4", "a5", "a6"] });

  assert.equal(d.length, 6);
  assert.deepEqual(d[0].fired, []);
  assert.equal(d[0].decision, "approve");
  assert.deepEqual(d[0].trace.map((t) => t.status), ["passed", "passed", "passed", "passed", "passed"]);

  assert.equal(d[1].score, 0.95, "clamped");
  assert.equal(d[1].modelScore, scores[1]);
  assert.match(d[1].fired[0].effect!, /^score 0\.9\d+ → 0\.95$/);
  assert.equal(d[1].decision, "decline");

  assert.equal(d[2].decision, "approve", "group B's threshold of 0.6 approves a score of " + scores[2].toFixed(3));
  assert.deepEqual(d[2].fired.map((f) => [f.rule, f.effect]), [["group-thresholds", "decline → approve"]]);

  assert.equal(d[3].decision, "decline");
  assert.deepEqual(d[3].fired.map((f) => [f.rule, f.effect, f.message]), [["no-approve-over-indebted", "approve → decline", "debt above 60% of income"]]);

  assert.equal(d[4].decision, "refer");
  assert.equal(d[4].blocked, true);
  assert.deepEqual(d[4].trace.map((t) => t.status), ["passed", "passed", "passed", "fired", "skipped"], "rules after a block are skipped");

  assert.equal(d[5].flagged, true);
  assert.equal(d[5].decision, "decline", "a flag changes nothing (the score 0.70 declines)");
  assert.equal(d[5].fired[0].message, "loan 100k is over three times income 30k");
  assert.equal(d[5].key, "a6");
  assert.ok(new Set(d.map((x) => x.id)).size === 6, "each decision has its own trace id");
});

test("a monotonicity rule catches a deliberately non-monotonic model by probing", async () => {
  // Risk rises with late payments up to 3, then (wrongly) falls: a model that learned a quirk.
  const quirky = (rows: number[][]) => rows.map((r) => sigmoid(-1 + 0.8 * Math.min(r[3], 3) - 1.2 * Math.max(0, r[3] - 3)));
  let calls = 0;
  const counted = (rows: number[][]) => (calls++, quirky(rows));
  const ctl = control(counted, credit({ rules: [{ kind: "monotonic", name: "late-raises-risk", severity: "flag", feature: "late_payments", direction: "increasing", step: 1 }] }));
  const rows = [0, 1, 2, 3, 4, 5].map((late) => row(50, 0.3, 9, late, 15));
  const d = await ctl.decide(rows);
  assert.equal(calls, 2, "one call for the scores, one for the probes of the rule");
  assert.deepEqual(d.map((x) => x.flagged), [false, false, false, true, true, true], "from 3 late payments on, one more lowers the risk");
  assert.match(d[3].fired[0].message!, /raising late_payments by 1 moves the score 0\.8\d+ → 0\.5\d+, but it should be increasing/);
  // The well-behaved model passes the same rule everywhere.
  const good = control(fair, credit({ rules: [{ kind: "monotonic", name: "late-raises-risk", severity: "flag", feature: "late_payments", direction: "increasing", step: 1 }] }));
  assert.ok((await good.decide(rows)).every((x) => !x.flagged));
});

test("bad rule definitions are rejected, each problem named with what to write instead", () => {
  const bad = [
    { kind: "threshhold", name: "typo", severity: "correct" },
    { kind: "never", name: "dup", severity: "block", decision: "accept", when: () => true },
    { kind: "never", name: "dup", severity: "warn", decision: "approve", when: "x > 1" },
    { kind: "monotonic", name: "mono", severity: "correct", feature: "salary", direction: "up", step: 0 },
    { kind: "clamp", name: "c", severity: "correct", min: 1, max: 0 },
    { kind: "custom", name: "k", severity: "correct", check: () => true },
    { kind: "threshold", name: "t", severity: "correct", thresholds: { A: "0.5" } },
    null,
  ];
  let error: unknown;
  try {
    control(fair, credit({ rules: bad as unknown as Rule[] }));
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof RuleError, String(error));
  const text = (error as RuleError).message;
  const expected = [
    /rule 1 \("typo"\): kind "threshhold" is not a rule kind; use one of never, always, threshold, monotonic, clamp, custom/,
    /rule 2 \("dup"\): decision "accept" is not a decision this predictor makes; use "decline" or "approve"/,
    /rule 3 \("dup"\): the name "dup" is used twice/,
    /rule 3 \("dup"\): severity "warn" is not one of block, correct, flag/,
    /rule 3 \("dup"\): needs when: a function/,
    /rule 4 \("mono"\): feature "salary" is not one of the features \(income_k, debt_to_income/,
    /rule 4 \("mono"\): direction must be "increasing" or "decreasing"/,
    /rule 4 \("mono"\): step must be a positive number/,
    /rule 4 \("mono"\): a monotonicity rule can "flag" or "block", not "correct"/,
    /rule 5 \("c"\): min \(1\) is above max \(0\); swap them/,
    /rule 6 \("k"\): needs a message/,
    /rule 6 \("k"\): needs fix/,
    /rule 7 \("t"\): the threshold for group "A" is "0.5"; use a finite number/,
    /rule 8: expected an object/,
  ];
  for (const re of expected) assert.match(text, re);
  assert.equal((error as RuleError).problems.length, expected.length, text);
  assert.throws(() => control(fair, credit({ rules: { kind: "never" } as unknown as Rule[] })), /rules must be a list/);
  assert.throws(() => control(fair, { features: [] } as unknown as ControlOptions), /options\.features must name the input columns/);
});

test("uncertain and blocked cases go to review; scripted answers from a file; overrides audited with who, when, why", async () => {
  const audit = join(dir, "review", "audit.jsonl");
  const answers = join(dir, "answers.jsonl");
  writeFileSync(answers, [
    { id: "a2", action: "override", decision: "approve", reason: "income verified with payslips", reviewer: "ana", at: "2026-01-05T10:00:00.000Z" },
    { action: "approve", reviewer: "ben", reason: "consistent file" },
    { action: "override", decision: "decline", reason: "fraud check failed", reviewer: "ben" },
  ].map((a) => JSON.stringify(a)).join("\n"));
  const ctl = control(fair, credit({
    rules: [{ kind: "always", name: "decline-many-late", severity: "block", decision: "decline", when: (x) => x.late_payments >= 6 }],
    review: { when: (p) => p.confidence < 0.7 || p.flagged, answers },
    audit,
  }));
  const rows = [row(60, 0.3, 9, 0, 15), row(38, 0.38, 8, 2, 18), row(48, 0.33, 7, 2, 16), row(120, 0.1, 20, 6, 5)];
  const scores = fair(rows);
  assert.ok(Math.max(scores[0], 1 - scores[0]) >= 0.7 && [1, 2].every((i) => Math.max(scores[i], 1 - scores[i]) < 0.7), `confidences ${scores.map((s) => s.toFixed(3))}`);
  const d = await ctl.decide(rows, { keys: ["a1", "a2", "a3", "a4"] });
  assert.equal(d[0].review, null, "a confident case is decided automatically");
  assert.deepEqual({ ...d[1].review }, { status: "overridden", reviewer: "ana", reason: "income verified with payslips", at: "2026-01-05T10:00:00.000Z", automated: d[1].automated });
  assert.equal(d[1].decision, "approve", "matched by key");
  assert.equal(d[2].review?.status, "approved");
  assert.equal(d[2].decision, d[2].automated);
  assert.equal(d[3].automated, "refer", "blocked: always goes to review");
  assert.equal(d[3].decision, "decline");
  assert.equal(d[3].review?.reviewer, "ben");

  const lines = readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type), ["session", "decision", "decision", "decision", "decision", "review", "review", "review"]);
  assert.equal(lines[0].rules[0].name, "decline-many-late");
  const overrides = lines.filter((l) => l.type === "review" && l.status === "overridden");
  assert.deepEqual(overrides.map((o) => [o.id, o.reviewer, o.reason, o.decision]), [[d[1].id, "ana", "income verified with payslips", "approve"], [d[3].id, "ben", "fraud check failed", "decline"]]);
  assert.ok(overrides.every((o) => !Number.isNaN(Date.parse(o.at))), "each override says when");

  // Answers that break the rules of review are refused with what is wrong.
  const strict = control(fair, credit({ review: { when: () => true, answers: [{ action: "override", decision: "approve" }] } }));
  await assert.rejects(strict.decide([row(20, 0.5, 1, 3, 30)]), /overrides without a reason; overrides are recorded with who, when and why/);
  // A case the scripted answers do not cover waits for a person.
  const short = control(fair, credit({ review: { when: () => true, answers: [] } }));
  const [waiting] = await short.decide([row(20, 0.5, 1, 3, 30)]);
  assert.equal(waiting.review?.status, "pending");
  assert.deepEqual(short.queue.map((c) => c.id), [waiting.id]);
});

test("without answers the kernel's input() asks, and a case with nobody to ask waits in the queue", async () => {
  const asked: string[] = [];
  const ctl = control(fair, credit({ review: { when: () => true, reviewer: "desk", ask: async (prompt) => (asked.push(prompt), "override approve documents checked") } }));
  const [d] = await ctl.decide([row(30, 0.45, 3, 2, 25)], { keys: ["k1"] });
  assert.match(asked[0], /^Review [0-9a-f]{6}-1 \(k1\): score 0\.\d{3}, decision decline\. Type "approve", or "override <decision> <reason>": $/);
  assert.deepEqual([d.decision, d.review?.reviewer, d.review?.reason], ["approve", "desk", "documents checked"]);

  const later = control(fair, credit({ review: { when: () => true } }));
  const [p] = await later.decide([row(30, 0.45, 3, 2, 25)]);
  assert.equal(p.review?.status, "pending");
  assert.equal(later.queue.length, 1);
  await assert.rejects(later.review(p.id, { action: "override", decision: "approve" }), /without a reason/);
  const done = await later.review(p.id, { action: "override", decision: "approve", reason: "manual check", reviewer: "cy" });
  assert.equal(done.decision, "approve");
  assert.equal(later.queue.length, 0);
});

test("replaying the audit reproduces every decision exactly, and notices a changed model", async () => {
  const audit = join(dir, "replay", "audit.jsonl");
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 8, activation: "relu", kernelInitializer: tf.initializers.randomNormal({ seed: 1 }) }), tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) })] });
  const data = makeApplicants(300, 5);
  const { mean, variance } = tf.moments(tf.tensor2d(data.features), 0);
  const prepare = (x: tf.Tensor2D) => x.sub(mean).div(variance.sqrt());
  const rules: Rule[] = [
    { kind: "threshold", name: "group-thresholds", severity: "correct", thresholds: { A: 0.5, B: 0.55 } },
    { kind: "never", name: "no-approve-over-indebted", severity: "correct", decision: "approve", when: (x) => x.debt_to_income > 0.55 },
    { kind: "monotonic", name: "late-raises-risk", severity: "flag", feature: "late_payments", direction: "increasing", step: 1 },
    { kind: "clamp", name: "cap", severity: "correct", max: 0.9 },
  ];
  const options = credit({ prepare, rules, audit, review: { when: (p) => p.confidence < 0.6, answers: (c) => (c.x.income_k > 50 ? { action: "override", reason: "long-standing customer", reviewer: "ana" } : { action: "approve", reviewer: "ben" }) } });
  const ctl = control(model, options);
  const first = await ctl.decide(data.features.slice(0, 200), { groups: data.group.slice(0, 200) });
  const second = await ctl.decide(data.features.slice(200), { groups: data.group.slice(200) });
  const all = [...first, ...second];
  assert.ok(all.some((d) => d.review?.status === "overridden") && all.some((d) => d.fired.length), "the run has overrides and rule hits to reproduce");

  const report = await control(model, { ...options, audit: undefined }).replay(audit);
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.decisions, 300);
  assert.equal(report.matched, 300);

  // A retrained (here: perturbed) model does not reproduce the audit, and replay says where.
  const changed = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 8, activation: "relu", kernelInitializer: tf.initializers.randomNormal({ seed: 1 }) }), tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tf.initializers.randomNormal({ seed: 3 }) })] });
  const drifted = await control(changed, { ...options, audit: undefined }).replay(audit);
  assert.ok(drifted.matched < 300 && drifted.mismatches.some((m) => m.field === "modelScore"));
});

test("monitoring: a shifted population raises drift alerts, the same population does not (seeded)", async () => {
  const reference = makeApplicants(4000, 11);
  const make = () => control(fair, credit({ monitor: { reference: reference.features, referenceGroups: reference.group, limits: { psi: 0.2, rate: 0.1 } } }));
  const same = make();
  const unshifted = makeApplicants(2000, 12);
  await same.decide(unshifted.features, { groups: unshifted.group });
  const psi = same.monitor!.history[0].psi;
  assert.ok(Object.values(psi).every((v) => v < 0.05), `same population: PSI ${JSON.stringify(psi)}`);
  assert.deepEqual(same.alerts, []);

  const recession = makeApplicants(2000, 13, { income: -15, debt: 0.1 });
  const shifted = make();
  await shifted.decide(recession.features, { groups: recession.group });
  const kinds = shifted.alerts.map((a) => `${a.kind}:${a.subject}`);
  assert.ok(kinds.includes("psi:income_k") && kinds.includes("psi:debt_to_income"), kinds.join(", "));
  assert.ok(!kinds.some((k) => /psi:(credit_years|late_payments|loan_k)/.test(k)), `only the shifted features alert: ${kinds}`);
  assert.ok(kinds.includes("rate:all") && kinds.includes("rate:B"), `the model's decline rate moved: ${kinds}`);
  assert.match(shifted.alerts[0].message, /income_k drifted: PSI \d\.\d{3} > 0\.2 against the reference/);
});

test("feedback: overrides and user feedback export as labelled examples and a suggested threshold change", async () => {
  const ctl = control(fair, credit({
    rules: [{ kind: "threshold", name: "group-thresholds", severity: "correct", thresholds: { A: 0.5, B: 0.5 } }],
    // Reviewers keep approving group B applicants scored a little above 0.5.
    review: { when: (p) => p.confidence < 0.65, answers: (c) => (c.prediction.group === "B" && c.prediction.score >= 0.5 ? { action: "override", reason: "thin file, pays rent on time", reviewer: "ana" } : { action: "approve", reviewer: "ben" }) },
  }));
  const data = makeApplicants(600, 21);
  const d = await ctl.decide(data.features, { groups: data.group });
  ctl.feedback(d[0].id, { label: "decline", by: "collections", note: "defaulted after 3 months" });
  const { examples, suggestions } = ctl.exportFeedback();
  const overrides = examples.filter((e) => e.source === "override");
  assert.ok(overrides.length >= 3, `${overrides.length} overrides`);
  assert.ok(overrides.every((e) => e.label === "approve" && e.target === 0 && e.group === "B" && e.x.length === 5 && e.by === "ana"));
  assert.deepEqual(examples.filter((e) => e.source === "feedback").map((e) => [e.id, e.label, e.target, e.by]), [[d[0].id, "decline", 1, "collections"]]);
  const s = suggestions.find((x) => x.rule === "group-thresholds" && x.group === "B");
  assert.ok(s, JSON.stringify(suggestions));
  assert.equal(s.change, "raise threshold");
  assert.equal(s.current, 0.5);
  assert.ok(s.suggested! > 0.5 && s.suggested! < 0.65, `suggested ${s.suggested}`);
  assert.match(s.evidence, /overrides in group B went to "approve" for scores 0\.5\d+–0\.6\d+ above the threshold 0\.5/);
  assert.ok(!suggestions.some((x) => x.group === "A"), "group A's overrides do not point anywhere");
});

test("decisions display as a control output with text and PNG fallbacks", async () => {
  const ctl = control(fair, credit({
    name: "credit policy",
    rules: [{ kind: "never", name: "no-approve-over-indebted", severity: "correct", decision: "approve", when: (x) => x.debt_to_income > 0.6 }],
    monitor: { reference: makeApplicants(500, 1).features },
  }));
  const d = await ctl.decide([row(90, 0.7, 12, 0, 10), row(60, 0.3, 9, 0, 15)]);
  const bundle = (d as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]();
  const doc = bundle[CONTROL_MIME] as { version: number; view: string; decisions: { trace: { status: string }[] }[] };
  assert.equal(doc.version, 1);
  assert.equal(doc.view, "trace");
  assert.deepEqual(doc.decisions.map((x) => x.trace.map((t) => t.status)), [["fired"], ["passed"]]);
  assert.match(bundle["text/plain"] as string, /✗ no-approve-over-indebted \(never, correct\): approve → decline/);
  const png = Buffer.from(bundle["image/png"] as string, "base64");
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  const dash = (ctl.dashboard() as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]();
  assert.equal((dash[CONTROL_MIME] as { view: string }).view, "dashboard");
  assert.match(dash["text/plain"] as string, /credit policy: 2 decisions · decline 1, approve 1/);
  assert.match(dash["text/plain"] as string, /latest batch 1 \(2 rows\): PSI income_k/);
});

test("bad input is refused with what is wrong and where, and the predictor keeps working", async () => {
  const ctl = control(fair, credit());
  await assert.rejects(ctl.decide([row(50, 0.3, 9, 0, 15), [50, Number.NaN, 9, 0, 15]]), /decide: row 1 has debt_to_income = NaN; every feature must be a finite number/);
  await assert.rejects(ctl.decide([[1, 2, 3]]), /decide: row 0 has 3 values; expected 5 \(income_k, debt_to_income/);
  await assert.rejects(ctl.decide([row(50, 0.3, 9, 0, 15)], { groups: ["A", "B"] }), /options\.groups must have one entry per row \(1\), got 2/);
  await assert.rejects(ctl.decide([{ income_k: 50 }] as never), /row 0 has no "debt_to_income"/);
  const two = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 2 })] });
  await assert.rejects(control(two, credit()).decide([row(50, 0.3, 9, 0, 15)]), /the model must give one score per row \(output shape \[rows, 1\]\); it gave shape \[1,2\]/);
  const [ok] = await ctl.decide([{ income_k: 50, debt_to_income: 0.3, credit_years: 9, late_payments: 0, loan_k: 15 }]);
  assert.equal(ok.decision, "approve", "rows as objects keyed by feature work too");
  assert.throws(() => ctl.feedback("nope-1", { label: "approve" }), /is not among the last 10000 decisions/);
  assert.throws(() => ctl.feedback(ok, { label: "maybe" }), /label must be "decline" or "approve"/);
});
