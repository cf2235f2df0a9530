/**
 * The types of controlled prediction: y = f(x, θ, R). A model gives a score per row, rules R keep
 * the decision within policy, a review policy sends some cases to a person, a monitor watches drift.
 * Type-only (no runtime imports): the cell compiler reads it through globals.d.ts, also in the .vsix.
 */
import type * as tf from "@tensorflow/tfjs";

/** One input row by feature name, as rules see it: `x.income_k`. */
export type Row = Record<string, number>;

/** What the model and the rules so far say about one row; review policies and predicates read it. */
export interface Prediction {
  /** The model's score (after any clamp so far), e.g. a probability of the "above" outcome. */
  score: number;
  /** The model's own score, before any rule. */
  modelScore: number;
  /** The decision so far. */
  decision: string;
  /** max(score, 1 − score): how sure a binary model is of the outcome it leans to. */
  confidence: number;
  group: string | undefined;
  /** A rule with severity "flag" fired. */
  flagged: boolean;
  /** A rule with severity "block" fired: the case cannot be decided automatically. */
  blocked: boolean;
  /** Names of the rules that fired so far. */
  fired: string[];
}

export type Severity = "block" | "correct" | "flag";
export type Predicate = (x: Row, p: Prediction) => boolean;

interface RuleBase {
  /** Unique; shown in traces, dashboards and the audit. */
  name: string;
  /** block: stop and hold the case; correct: change the outcome and go on; flag: mark it and go on. */
  severity: Severity;
  /** Why the rule exists, shown when it fires (a custom rule may compute it from the row). */
  message?: string | ((x: Row, p: Prediction) => string);
}

/** The decision `decision` is never allowed when `when` holds. */
export interface NeverRule extends RuleBase { kind: "never"; decision: string; when: Predicate }
/** When `when` holds, the decision must be `decision`. */
export interface AlwaysRule extends RuleBase { kind: "always"; decision: string; when: Predicate }
/** Decide by the score against a threshold per group (e.g. { A: 0.5, B: 0.56 }); `otherwise` for other groups. */
export interface ThresholdRule extends RuleBase { kind: "threshold"; thresholds: Record<string, number>; otherwise?: number }
/** The score must rise (or fall) with `feature`; checked by probing the model at x + step in that feature. */
export interface MonotonicRule extends RuleBase { kind: "monotonic"; feature: string; direction: "increasing" | "decreasing"; step: number; tolerance?: number }
/** The score must stay within [min, max]. */
export interface ClampRule extends RuleBase { kind: "clamp"; min?: number; max?: number }
/** Fires when `check` returns true; `fix` gives the corrected decision (needed for severity "correct"). */
export interface CustomRule extends RuleBase { kind: "custom"; check: Predicate; message: string | ((x: Row, p: Prediction) => string); fix?: (x: Row, p: Prediction) => string }

export type Rule = NeverRule | AlwaysRule | ThresholdRule | MonotonicRule | ClampRule | CustomRule;
export type RuleKind = Rule["kind"];

/** One rule's outcome for one row, as the trace shows it. */
export interface RuleOutcome {
  rule: string;
  kind: RuleKind;
  severity: Severity;
  /** passed: checked, did not fire; fired: it applied; skipped: an earlier rule blocked the case. */
  status: "passed" | "fired" | "skipped";
  /** Why it fired, and what it changed ("approve → decline", "score 0.97 → 0.9"). */
  message?: string;
  effect?: string;
}

export interface ReviewAnswer {
  /** approve: keep the automated decision; override: replace it with `decision`. */
  action: "approve" | "override";
  decision?: string;
  reason?: string;
  reviewer?: string;
  /** ISO time; defaults to when the answer was recorded. */
  at?: string;
  /** For answers from a file: the trace id or the case's `key` this answer is for (else: queue order). */
  id?: string;
}

export interface ReviewRecord {
  status: "pending" | "approved" | "overridden";
  reviewer?: string;
  reason?: string;
  at?: string;
  /** The decision before the review. */
  automated: string;
}

/** One decided example. */
export interface Decision {
  id: string;
  /** The caller's key for this row (e.g. an applicant id), when given. */
  key?: string;
  x: number[];
  group?: string;
  /** The model's output for the row. */
  modelScore: number;
  /** The score after the rules (clamps). */
  score: number;
  /** The decision by the rules, before any review. */
  automated: string;
  /** The final decision (a reviewer's override, or the automated one). */
  decision: string;
  flagged: boolean;
  blocked: boolean;
  /** Rules that fired, in order. */
  fired: RuleOutcome[];
  /** Every rule, in order, with its status. */
  readonly trace: RuleOutcome[];
  review: ReviewRecord | null;
}

/** The model: a tf.LayersModel (one output unit: the score) or a function from rows to scores. */
export type ControlModel = tf.LayersModel | ((rows: number[][]) => ArrayLike<number> | Promise<ArrayLike<number>>);

/** Where reviewers' answers come from in a run without a person: a JSON / JSON Lines file, a list, or a function. */
export type AnswerSource = string | ReviewAnswer[] | ((c: ReviewCase) => ReviewAnswer | Promise<ReviewAnswer>);

export interface ReviewCase {
  id: string;
  key?: string;
  x: Row;
  prediction: Prediction;
  fired: RuleOutcome[];
}

export interface ReviewOptions {
  /** Which cases go to a person, e.g. (p) => p.confidence < 0.7 || p.flagged. Blocked cases always do. */
  when: (p: Prediction, x: Row) => boolean;
  /** Scripted answers (headless runs). Without them, the kernel's `input` asks in the notebook, if it can. */
  answers?: AnswerSource;
  /** Asks a person: defaults to the kernel's `input` global. */
  ask?: (prompt: string) => Promise<string>;
  /** Name recorded for answers that do not say who gave them. */
  reviewer?: string;
}

export interface MonitorLimits {
  /** Population stability index per feature above which an alert is raised (default 0.2; 0.1 is "moderate"). */
  psi?: number;
  /** Largest allowed change of the "above" rate per group against the reference (default 0.1). */
  rate?: number;
  /** Largest allowed share of rows a rule fires on, by rule name (default: none). */
  ruleHits?: Record<string, number>;
}

export interface MonitorOptions {
  /** Rows the model was validated on: the reference for drift. */
  reference: number[][];
  /** Groups of the reference rows, for output rates per group. */
  referenceGroups?: string[];
  /** Bins per feature (reference quantiles; default 10). */
  bins?: number;
  limits?: MonitorLimits;
}

export interface ControlOptions {
  /** Feature names, in column order; rules use them (`x.income_k`). */
  features: string[];
  /** Turns the rows into the model's input tensor (e.g. standardising); LayersModel only. */
  prepare?: (x: tf.Tensor2D) => tf.Tensor;
  /** Score ≥ threshold → `above`, else `below` (defaults 0.5, "positive", "negative"). */
  decision?: { threshold?: number; above?: string; below?: string; blocked?: string };
  rules?: Rule[];
  review?: ReviewOptions;
  monitor?: MonitorOptions;
  /** Append-only JSON Lines audit file. */
  audit?: string;
  /** Names this controlled predictor in the audit and dashboards. */
  name?: string;
}

export interface DecideOptions {
  /** Group per row (e.g. a protected attribute the model does not see), for per-group rules and rates. */
  groups?: string[];
  /** Caller's key per row (e.g. applicant ids), kept in traces and the audit. */
  keys?: string[];
}

export interface Alert {
  batch: number;
  kind: "psi" | "rate" | "ruleHits";
  /** The feature, group or rule concerned. */
  subject: string;
  value: number;
  limit: number;
  message: string;
}

export interface BatchStats {
  batch: number;
  rows: number;
  psi: Record<string, number>;
  /** Share of rows the model scored above the threshold, per group ("all" for everyone). */
  rates: Record<string, number>;
  /** Share of rows each rule fired on. */
  ruleHits: Record<string, number>;
  reviews: number;
  overrides: number;
}

export interface LabelledExample {
  id: string;
  key?: string;
  x: number[];
  group?: string;
  /** The decision people said is right. */
  label: string;
  /** 1 when `label` is the "above" decision, else 0: a target for retraining. */
  target: 0 | 1;
  source: "override" | "feedback";
  by?: string;
  reason?: string;
}

export interface RuleSuggestion {
  rule: string;
  change: "raise threshold" | "lower threshold" | "review rule";
  group?: string;
  current?: number;
  suggested?: number;
  /** How many cases support it, and what they were. */
  evidence: string;
}

export interface FeedbackExport {
  examples: LabelledExample[];
  suggestions: RuleSuggestion[];
}

export interface ReplayReport {
  decisions: number;
  matched: number;
  mismatches: { id: string; field: string; logged: unknown; replayed: unknown }[];
}

/** What `control(model, options)` returns (kernel/control/index.ts implements it). */
export interface ControlledPredictor {
  readonly name: string;
  readonly features: string[];
  readonly rules: Rule[];
  /** Cases waiting for a person. */
  readonly queue: ReviewCase[];
  readonly alerts: Alert[];
  /** The model's scores, one per row. */
  predict(x: number[][] | tf.Tensor2D | Row[]): Promise<Float64Array>;
  /** Model, rules in order, review where the policy says; audited and monitored. Shows as a decision trace. */
  decide(x: number[][] | tf.Tensor2D | Row[], options?: DecideOptions): Promise<Decision[]>;
  /** Answers a pending case. */
  review(id: string, answer: ReviewAnswer): Promise<Decision>;
  /** What a person says the right decision was (e.g. the real outcome, learned later). */
  feedback(decision: Decision | string, feedback: { label: string; by?: string; note?: string }): void;
  /** Overrides and feedback as labelled examples, and suggested rule changes. */
  exportFeedback(): FeedbackExport;
  /** Re-runs the decisions of an audit file and lists every difference. */
  replay(path?: string): Promise<ReplayReport>;
  /** A decision trace to display (default: the latest 20 decisions). */
  trace(decisions?: Decision[] | Decision): object;
  /** The dashboard to display: rule hits, reviews, drift per batch, alerts. */
  dashboard(): object;
  /** Shows the dashboard below the cell, updated after every decide and review. */
  show(): void;
}
