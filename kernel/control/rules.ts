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

/**
 * A function building { [feature]: value } with the same property order and shape every time
 * (V8 then keeps property reads in predicates monomorphic). Names are embedded as JSON strings.
 */
function recordMaker(features: string[]): (values: number[]) => Row {
  const body = `return { ${features.map((f, j) => `${JSON.stringify(f)}: v[${j}]`).join(", ")} };`;
  return new Function("v", body) as (values: number[]) => Row;
}

const fmt = (v: number) => String(Number(v.toPrecision(4)));
/** Shared by every row on which no rule fired (most rows): no allocation for them. */
const NONE: RuleOutcome[] = Object.freeze([]) as unknown as RuleOutcome[];
const NO_NAMES: string[] = Object.freeze([]) as unknown as string[];

/**
 * Runs the rules on rows, one at a time. Per row it allocates only what it must (the named row and
 * the prediction, on a predicate's first need; an outcome per fired rule), so `decide` stays close
 * to the cost of the model call.
 */
export class RuleRunner {
  score = 0;
  decision = "";
  flagged = false;
  blocked = false;
  /** Rules from this index on were skipped (an earlier rule blocked). */
  skippedFrom = 0;
  /** The rules that fired, in order (a shared empty list when none did). */
  fired: RuleOutcome[] = NONE;
  private modelScore = 0;
  private group: string | undefined;
  private values: number[] = [];
  private rec: Row | undefined;

  /** Builds the named row; one shape for every row, so rule predicates stay fast. */
  readonly toRecord: (values: number[]) => Row;
  /** The prediction predicates see, reused from row to row: read it during the call, do not keep it. */
  private readonly p: Prediction = { score: 0, modelScore: 0, decision: "", confidence: 0, group: undefined, flagged: false, blocked: false, fired: NO_NAMES };

  constructor(readonly rules: Rule[], readonly labels: Labels, readonly features: string[]) {
    this.toRecord = recordMaker(features);
  }

  private record(): Row {
    return (this.rec ??= this.toRecord(this.values));
  }

  private prediction(): Prediction {
    const p = this.p;
    p.modelScore = this.modelScore;
    p.group = this.group;
    p.score = this.score;
    p.decision = this.decision;
    p.confidence = Math.max(this.score, 1 - this.score);
    p.flagged = this.flagged;
    p.blocked = this.blocked;
    p.fired = this.fired.length ? this.fired.map((f) => f.rule) : NO_NAMES;
    return p;
  }

  /**
   * Decides one row; the outcome is left in `score`, `decision`, `flagged`, `blocked`, `skippedFrom`
   * and `fired` until the next call. `probes[i]` holds the model's scores with rule i's feature moved
   * by its step (monotonic rules only).
   */
  run(values: number[], modelScore: number, group: string | undefined, probes: (Float64Array | undefined)[], row: number): void {
    const { rules, labels } = this;
    this.values = values;
    this.rec = undefined;
    this.group = group;
    this.modelScore = this.score = modelScore;
    let threshold = labels.threshold;
    this.decision = modelScore >= threshold ? labels.above : labels.below;
    this.flagged = this.blocked = false;
    this.fired = NONE;
    this.skippedFrom = rules.length;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (this.blocked) {
        this.skippedFrom = i;
        break;
      }
      let fires = false;
      let message = typeof rule.message === "string" ? rule.message : undefined;
      let nextDecision: string | undefined;
      let nextScore: number | undefined;
      switch (rule.kind) {
        case "never":
          fires = this.decision === rule.decision && Boolean(rule.when(this.record(), this.prediction()));
          nextDecision = rule.decision === labels.above ? labels.below : labels.above;
          break;
        case "always":
          fires = this.decision !== rule.decision && Boolean(rule.when(this.record(), this.prediction()));
          nextDecision = rule.decision;
          break;
        case "threshold": {
          const t = group !== undefined && group in rule.thresholds ? rule.thresholds[group] : rule.otherwise ?? labels.threshold;
          nextDecision = this.score >= t ? labels.above : labels.below;
          if (rule.severity === "correct") threshold = t;
          fires = nextDecision !== this.decision;
          if (fires) message ??= `threshold ${fmt(t)} for group ${group ?? "(none)"}`;
          break;
        }
        case "clamp": {
          const clamped = Math.min(rule.max ?? Infinity, Math.max(rule.min ?? -Infinity, this.score));
          fires = clamped !== this.score;
          nextScore = clamped;
          if (fires) message ??= `score outside [${rule.min ?? "−∞"}, ${rule.max ?? "∞"}]`;
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
          fires = Boolean(rule.check(this.record(), this.prediction()));
          if (fires && rule.fix) nextDecision = rule.fix(this.record(), this.prediction());
          break;
        }
      }
      if (!fires) continue;
      if (message === undefined && typeof rule.message === "function") message = rule.message(this.record(), this.prediction());
      let effect: string;
      if (rule.severity === "flag") {
        this.flagged = true;
        effect = "flagged";
      } else if (rule.severity === "block") {
        this.blocked = true;
        effect = `blocked: ${this.decision} withheld`;
        this.decision = labels.blocked;
      } else if (nextScore !== undefined) {
        effect = `score ${fmt(this.score)} → ${fmt(nextScore)}`;
        this.score = nextScore;
        const d = this.score >= threshold ? labels.above : labels.below;
        if (d !== this.decision) effect += `, ${this.decision} → ${d}`;
        this.decision = d;
      } else {
        const d = nextDecision ?? this.decision;
        effect = d === this.decision ? "no change" : `${this.decision} → ${d}`;
        this.decision = d;
      }
      if (this.fired === NONE) this.fired = [];
      this.fired.push({ rule: rule.name, kind: rule.kind, severity: rule.severity, status: "fired", message, effect });
    }
  }
}

/** The full trace of a row: every rule with passed / fired / skipped. */
export function traceOf(rules: Rule[], skippedFrom: number, fired: RuleOutcome[]): RuleOutcome[] {
  return rules.map((rule, i) =>
    fired.find((f) => f.rule === rule.name) ?? { rule: rule.name, kind: rule.kind, severity: rule.severity, status: i >= skippedFrom ? "skipped" : "passed" },
  );
}
