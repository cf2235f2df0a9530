/**
 * Rules: checked once when a controlled predictor is made (every problem reported at once, with
 * what to write instead), then run in order on each row. The hot loop keeps one small state per row
 * and records only what fired; the full trace is built when someone reads it.
 */
import type { Prediction, Row, Rule, RuleKind, RuleOutcome, Severity } from "./types";

export const RULE_KINDS: RuleKind[] = ["never", "always", "threshold", "monotonic", "clamp", "custom"];
const SEVERITIES: Severity[] = ["block", "correct", "flag"];

export interface Labels {
  threshold: number;
  above: string;
  below: string;
  blocked: string;
}

/** Bad rule definitions: `problems` lists each, with the rule it belongs to and how to fix it. */
export class RuleError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length === 1 ? "A rule definition is" : `${problems.length} rule definitions are`} not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "RuleError";
  }
}

const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Throws a RuleError naming every problem in `rules`; returns them unchanged when all are valid. */
export function validateRules(rules: unknown, features: string[], labels: Labels): Rule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw new RuleError([`rules must be a list (an array) of rule objects, got ${typeof rules}.`]);
  const problems: string[] = [];
  const names = new Set<string>();
  const decisions = [labels.above, labels.below];
  rules.forEach((r: unknown, i) => {
    const where = `rule ${i + 1}${r && typeof r === "object" && typeof (r as Rule).name === "string" ? ` ("${(r as Rule).name}")` : ""}`;
    const bad = (text: string) => problems.push(`${where}: ${text}`);
    if (!r || typeof r !== "object") return bad(`expected an object such as { kind: "never", name: "...", severity: "block", decision: "${labels.above}", when: (x) => ... }, got ${r === null ? "null" : typeof r}.`);
    const rule = r as Record<string, unknown>;
    if (typeof rule.name !== "string" || !rule.name.trim()) bad(`needs a name (a non-empty string), shown in traces and the audit.`);
    else if (names.has(rule.name)) bad(`the name "${rule.name}" is used twice; give each rule its own name.`);
    else names.add(rule.name);
    if (!RULE_KINDS.includes(rule.kind as RuleKind)) return bad(`kind ${JSON.stringify(rule.kind)} is not a rule kind; use one of ${RULE_KINDS.join(", ")}.`);
    if (!SEVERITIES.includes(rule.severity as Severity)) bad(`severity ${JSON.stringify(rule.severity)} is not one of block, correct, flag.`);
    const knownDecision = (field: string) => {
      if (!decisions.includes(rule[field] as string)) bad(`${field} ${JSON.stringify(rule[field])} is not a decision this predictor makes; use "${labels.above}" or "${labels.below}" (set them with options.decision.above / below).`);
    };
    const fn = (field: string, signature: string) => {
      if (typeof rule[field] !== "function") bad(`needs ${field}: a function ${signature}.`);
    };
    switch (rule.kind as RuleKind) {
      case "never":
      case "always":
        knownDecision("decision");
        fn("when", "(x, p) => boolean, e.g. (x) => x.debt_to_income > 0.6");
        break;
      case "threshold": {
        const t = rule.thresholds;
        if (!t || typeof t !== "object" || Array.isArray(t) || !Object.keys(t).length) bad(`needs thresholds: one number per group, e.g. { A: 0.5, B: 0.55 }.`);
        else for (const [g, v] of Object.entries(t)) if (!isFiniteNumber(v)) bad(`the threshold for group "${g}" is ${JSON.stringify(v)}; use a finite number.`);
        if (rule.otherwise !== undefined && !isFiniteNumber(rule.otherwise)) bad(`otherwise must be a number (the threshold for groups not listed).`);
        break;
      }
      case "monotonic":
        if (!features.includes(rule.feature as string)) bad(`feature ${JSON.stringify(rule.feature)} is not one of the features (${features.join(", ")}).`);
        if (rule.direction !== "increasing" && rule.direction !== "decreasing") bad(`direction must be "increasing" or "decreasing", got ${JSON.stringify(rule.direction)}.`);
        if (!isFiniteNumber(rule.step) || rule.step <= 0) bad(`step must be a positive number: how far to move the feature when probing the model, in its units.`);
        if (rule.tolerance !== undefined && (!isFiniteNumber(rule.tolerance) || rule.tolerance < 0)) bad(`tolerance must be a number ≥ 0.`);
        if (rule.severity === "correct") bad(`a monotonicity rule can "flag" or "block", not "correct": probing shows a violation, not what the score should be.`);
        break;
      case "clamp":
        if (rule.min === undefined && rule.max === undefined) bad(`needs min, max or both.`);
        if (rule.min !== undefined && !isFiniteNumber(rule.min)) bad(`min must be a finite number.`);
        if (rule.max !== undefined && !isFiniteNumber(rule.max)) bad(`max must be a finite number.`);
        if (isFiniteNumber(rule.min) && isFiniteNumber(rule.max) && rule.min > rule.max) bad(`min (${rule.min}) is above max (${rule.max}); swap them.`);
        break;
      case "custom":
        fn("check", "(x, p) => boolean that returns true when the rule fires");
        if (typeof rule.message !== "string" && typeof rule.message !== "function") bad(`needs a message (a string, or (x, p) => string) saying why it fired.`);
        if (rule.severity === "correct") fn("fix", `(x, p) => decision, giving the corrected decision (needed for severity "correct")`);
        break;
    }
  });
  if (problems.length) throw new RuleError(problems);
  return rules as Rule[];
}

/** Serialisable description of a rule (functions shown as source), for the audit and the dashboard. */
export function describeRule(rule: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rule)) out[k] = typeof v === "function" ? String(v) : v;
  return out;
}

/** Per row: the outcome code of each rule (0 passed, 1 fired, 2 skipped) and the details of those that fired. */
export interface RowResult {
  score: number;
  decision: string;
  flagged: boolean;
  blocked: boolean;
  codes: Uint8Array;
  fired: RuleOutcome[];
}

const fmt = (v: number) => String(Number(v.toPrecision(4)));

/**
 * Runs the rules on one row. `probes[i]` is the model's score with rule i's feature moved by its step
 * (monotonic rules only); `record` builds the named row on first need.
 */
export function runRules(rules: Rule[], labels: Labels, modelScore: number, group: string | undefined, record: () => Row, probes: (Float64Array | undefined)[], row: number): RowResult {
  let score = modelScore;
  let threshold = labels.threshold;
  let decision = score >= threshold ? labels.above : labels.below;
  let flagged = false;
  let blocked = false;
  const codes = new Uint8Array(rules.length);
  const fired: RuleOutcome[] = [];
  let p: Prediction | undefined;
  const prediction = (): Prediction => {
    p ??= { score, modelScore, decision, confidence: 0, group, flagged, blocked, fired: [] };
    p.score = score;
    p.decision = decision;
    p.confidence = Math.max(score, 1 - score);
    p.flagged = flagged;
    p.blocked = blocked;
    p.fired = fired.map((f) => f.rule);
    return p;
  };
  const other = (d: string) => (d === labels.above ? labels.below : labels.above);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (blocked) {
      codes[i] = 2;
      continue;
    }
    let fires = false;
    let message = typeof rule.message === "string" ? rule.message : undefined;
    let next: { decision?: string; score?: number } = {};
    switch (rule.kind) {
      case "never":
        fires = decision === rule.decision && Boolean(rule.when(record(), prediction()));
        next = { decision: other(rule.decision) };
        break;
      case "always":
        fires = decision !== rule.decision && Boolean(rule.when(record(), prediction()));
        next = { decision: rule.decision };
        break;
      case "threshold": {
        const t = group !== undefined && group in rule.thresholds ? rule.thresholds[group] : rule.otherwise ?? labels.threshold;
        const d = score >= t ? labels.above : labels.below;
        if (rule.severity === "correct") threshold = t;
        fires = d !== decision;
        next = { decision: d };
        message ??= `threshold ${fmt(t)} for group ${group ?? "(none)"}`;
        break;
      }
      case "clamp": {
        const clamped = Math.min(rule.max ?? Infinity, Math.max(rule.min ?? -Infinity, score));
        fires = clamped !== score;
        next = { score: clamped };
        message ??= `score outside [${rule.min ?? "−∞"}, ${rule.max ?? "∞"}]`;
        break;
      }
      case "monotonic": {
        const probe = (probes[i] as Float64Array)[row];
        const change = probe - modelScore;
        const tolerance = rule.tolerance ?? 1e-6;
        fires = rule.direction === "increasing" ? change < -tolerance : change > tolerance;
        if (fires) message = `${message ? `${message}: ` : ""}raising ${rule.feature} by ${rule.step} moves the score ${fmt(modelScore)} → ${fmt(probe)}, but it should be ${rule.direction}`;
        break;
      }
      case "custom": {
        const x = record();
        const pr = prediction();
        fires = Boolean(rule.check(x, pr));
        if (fires) {
          if (typeof rule.message === "function") message = rule.message(x, pr);
          if (rule.fix) next = { decision: rule.fix(x, pr) };
        }
        break;
      }
    }
    if (!fires) continue;
    codes[i] = 1;
    if (message === undefined && typeof rule.message === "function") message = rule.message(record(), prediction());
    let effect: string;
    if (rule.severity === "flag") {
      flagged = true;
      effect = "flagged";
    } else if (rule.severity === "block") {
      blocked = true;
      effect = `blocked: ${decision} withheld`;
      decision = labels.blocked;
    } else if (next.score !== undefined) {
      effect = `score ${fmt(score)} → ${fmt(next.score)}`;
      score = next.score;
      const d = score >= threshold ? labels.above : labels.below;
      if (d !== decision) effect += `, ${decision} → ${d}`;
      decision = d;
    } else {
      const d = next.decision ?? decision;
      effect = d === decision ? "no change" : `${decision} → ${d}`;
      decision = d;
    }
    fired.push({ rule: rule.name, kind: rule.kind, severity: rule.severity, status: "fired", message, effect });
  }
  return { score, decision, flagged, blocked, codes, fired };
}

/** The full trace of a row from its codes: every rule with passed / fired / skipped. */
export function traceOf(rules: Rule[], codes: Uint8Array, fired: RuleOutcome[]): RuleOutcome[] {
  let f = 0;
  return rules.map((rule, i) =>
    codes[i] === 1 ? fired[f++] : { rule: rule.name, kind: rule.kind, severity: rule.severity, status: codes[i] === 2 ? "skipped" : "passed" },
  );
}
