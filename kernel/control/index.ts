/**
 * Controllable prediction: `control(model, options)` wraps a model so that every decision passes
 * through rules, uncertain or blocked cases go to a person, inputs and outputs are watched for drift,
 * feedback is collected, and everything is appended to an audit file that `replay` can re-run.
 *
 *   const ctl = control(model, { features, rules, review: { when: (p) => p.confidence < 0.7 }, audit: "audit.jsonl" });
 *   const decisions = await ctl.decide(rows, { groups });
 */
import { randomBytes } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { AuditLog, readAudit, type AuditRecord, type DecisionRecord, type ReviewLine } from "./audit";
import { controlBundle, type ControlView } from "./display";
import { exportFeedback } from "./feedback";
import { Monitor } from "./monitor";
import { ReviewDesk } from "./review";
import { describeRule, RuleRunner, traceOf, validateRules, type Labels } from "./rules";
import type { Alert, ControlModel, ControlOptions, ControlledPredictor, DecideOptions, Decision, FeedbackExport, Prediction, ReplayReport, ReviewAnswer, ReviewCase, ReviewRecord, Row, Rule, RuleOutcome } from "./types";

export type * from "./types";
export { RuleError } from "./rules";
export { ReviewError } from "./review";
export { psi } from "./monitor";
export { readAudit, type AuditRecord } from "./audit";
export { CONTROL_MIME } from "./display";

const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");
/** Decisions kept for lookups by id and the default trace; older ones live in the audit (and in the counts). */
const RECENT = 10_000;

class DecisionImpl implements Decision {
  review: ReviewRecord | null = null;
  decision: string;
  constructor(
    private readonly session: string,
    /** The decision's number in its session: its trace id is `<session>-<n>`. */
    readonly n: number,
    readonly key: string | undefined,
    readonly x: number[],
    readonly group: string | undefined,
    readonly modelScore: number,
    readonly score: number,
    readonly automated: string,
    readonly flagged: boolean,
    readonly blocked: boolean,
    readonly fired: RuleOutcome[],
    private readonly skippedFrom: number,
    private readonly rules: Rule[],
  ) {
    this.decision = automated;
  }
  get id(): string {
    return `${this.session}-${this.n}`;
  }
  get trace(): RuleOutcome[] {
    return traceOf(this.rules, this.skippedFrom, this.fired);
  }
  toJSON(): Omit<Decision, "trace"> & { trace: RuleOutcome[] } {
    const { id, key, x, group, modelScore, score, automated, decision, flagged, blocked, fired, review } = this;
    return { id, key, x, group, modelScore, score, automated, decision, flagged, blocked, fired, trace: this.trace, review };
  }
}

/** The decisions of one `decide` call: an array that shows its traces in a notebook. */
export class Decisions extends Array<Decision> {
  // map, filter and slice give plain arrays.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  /** Renderer view of these decisions (set by the predictor that made them). */
  declare view: () => ControlView;
  [JUPYTER_DISPLAY](): Record<string, unknown> {
    return controlBundle(this.view());
  }
}

type Input = number[][] | tf.Tensor2D | Row[];

export class Controlled implements ControlledPredictor {
  readonly name: string;
  readonly features: string[];
  readonly rules: Rule[];
  readonly labels: Labels;
  readonly session = randomBytes(3).toString("hex");
  /** The latest batches of decisions (about RECENT decisions), for lookups by id and the default trace. */
  private readonly recent: Decisions[] = [];
  /** Decisions people looked at (reviewed, pending, or given feedback), kept for the whole session. */
  private readonly kept = new Map<string, Decision>();
  /** Running counts for the dashboard, over every decision of the session. */
  private readonly tally = { total: 0, counts: {} as Record<string, number>, ruleHits: {} as Record<string, number>, ruleOverrides: {} as Record<string, number>, reviewed: 0, overridden: 0, pending: 0 };
  /** Cases waiting for a person (no answer source could answer them). */
  readonly queue: ReviewCase[] = [];
  readonly monitor: Monitor | undefined;
  private readonly runner: RuleRunner;
  private readonly desk: ReviewDesk | undefined;
  private readonly audit: AuditLog | undefined;
  private readonly feedbackById = new Map<string, { label: string; by?: string; note?: string }>();
  private sessionWritten = false;
  private count = 0;
  private batch = 0;
  private live: { update(value: unknown): void } | undefined;

  constructor(private readonly model: ControlModel, private readonly options: ControlOptions) {
    if (!options || !Array.isArray(options.features) || !options.features.length || !options.features.every((f) => typeof f === "string")) {
      throw new TypeError(`control(model, options): options.features must name the input columns, e.g. { features: ["income_k", "debt_to_income"] }.`);
    }
    if (typeof model !== "function" && !(model && typeof (model as tf.LayersModel).predict === "function")) {
      throw new TypeError(`control(model, options): model must be a tf.LayersModel or a function (rows: number[][]) => scores, got ${typeof model}.`);
    }
    this.features = [...options.features];
    this.name = options.name ?? "controlled model";
    const d = options.decision ?? {};
    this.labels = { threshold: d.threshold ?? 0.5, above: d.above ?? "positive", below: d.below ?? "negative", blocked: d.blocked ?? "blocked" };
    if (new Set([this.labels.above, this.labels.below, this.labels.blocked]).size !== 3) {
      throw new TypeError(`control(model, options): the decisions above, below and blocked must differ (got ${this.labels.above}, ${this.labels.below}, ${this.labels.blocked}).`);
    }
    this.rules = validateRules(options.rules, this.features, this.labels);
    this.runner = new RuleRunner(this.rules, this.labels, this.features);
    for (const r of this.rules) this.tally.ruleHits[r.name] = this.tally.ruleOverrides[r.name] = 0;
    this.desk = options.review ? new ReviewDesk(options.review, this.labels) : undefined;
    this.monitor = options.monitor ? new Monitor(options.monitor, this.features, this.labels.threshold) : undefined;
    this.audit = options.audit ? new AuditLog(options.audit) : undefined;
  }

  /** The model's scores for rows: one number per row. */
  async predict(x: Input): Promise<Float64Array> {
    return this.score(this.rows(x));
  }

  private rows(x: Input): number[][] {
    let rows: number[][];
    if (x instanceof tf.Tensor) {
      if (x.rank !== 2 || x.shape[1] !== this.features.length) throw new Error(`decide: expected a [rows, ${this.features.length}] tensor, got shape [${x.shape}].`);
      rows = x.arraySync() as number[][];
    } else if (Array.isArray(x)) {
      rows = x.map((r, i) => {
        if (Array.isArray(r)) return r;
        if (r && typeof r === "object") {
          return this.features.map((f) => {
            if (!(f in r)) throw new Error(`decide: row ${i} has no "${f}"; rows given as objects need every feature (${this.features.join(", ")}).`);
            return (r as Row)[f];
          });
        }
        throw new Error(`decide: row ${i} is ${typeof r}; give rows as number arrays or objects keyed by feature name.`);
      });
    } else {
      throw new Error(`decide: expected rows (number[][]), objects keyed by feature, or a 2-D tensor; got ${typeof x}.`);
    }
    const width = this.features.length;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r.length !== width) throw new Error(`decide: row ${i} has ${r.length} values; expected ${width} (${this.features.join(", ")}).`);
      for (let j = 0; j < width; j++) if (typeof r[j] !== "number" || !Number.isFinite(r[j])) throw new Error(`decide: row ${i} has ${this.features[j]} = ${r[j]}; every feature must be a finite number.`);
    }
    return rows;
  }

  private async score(rows: number[][]): Promise<Float64Array> {
    const model = this.model;
    if (!rows.length) return new Float64Array(0);
    let out: ArrayLike<number>;
    if (typeof model === "function") out = await model(rows);
    else {
      out = tf.tidy(() => {
        const x = tf.tensor2d(rows, [rows.length, this.features.length]);
        const y = model.predict(this.options.prepare ? this.options.prepare(x) : x);
        if (Array.isArray(y) || y.size !== rows.length) throw new Error(`decide: the model must give one score per row (output shape [rows, 1]); it gave ${Array.isArray(y) ? `${y.length} outputs` : `shape [${y.shape}]`}. Wrap it in a function that picks one score.`);
        return y.dataSync();
      });
    }
    if (out.length !== rows.length) throw new Error(`decide: the model gave ${out.length} scores for ${rows.length} rows.`);
    return Float64Array.from(out);
  }

  /** Scores with each monotonic rule's feature moved by its step (one model call per such rule). */
  private async probes(rows: number[][]): Promise<(Float64Array | undefined)[]> {
    const out: (Float64Array | undefined)[] = [];
    for (const rule of this.rules) {
      if (rule.kind !== "monotonic") {
        out.push(undefined);
        continue;
      }
      const j = this.features.indexOf(rule.feature);
      out.push(await this.score(rows.map((r) => {
        const moved = r.slice();
        moved[j] += rule.step;
        return moved;
      })));
    }
    return out;
  }

  private record(row: number[]): Row {
    const rec: Row = {};
    for (let j = 0; j < this.features.length; j++) rec[this.features[j]] = row[j];
    return rec;
  }

  /** Decides every row: model score, rules in order, review where the policy says; audited and monitored. */
  async decide(x: Input, options: DecideOptions = {}): Promise<Decisions> {
    const rows = this.rows(x);
    const { groups, keys } = options;
    for (const [name, list] of [["groups", groups], ["keys", keys]] as const) {
      if (list !== undefined && (!Array.isArray(list) || list.length !== rows.length)) throw new Error(`decide: options.${name} must have one entry per row (${rows.length}), got ${Array.isArray(list) ? list.length : typeof list}.`);
    }
    if (this.monitor && !this.monitor.hasReferenceScores) this.monitor.setReferenceScores(await this.score(this.options.monitor!.reference));
    const scores = await this.score(rows);
    const probes = await this.probes(rows);
    const batch = ++this.batch;
    const decided = this.run(rows, scores, probes, groups, keys);
    const records: AuditRecord[] = [];
    if (this.audit && !this.sessionWritten) {
      records.push({ type: "session", session: this.session, at: new Date().toISOString(), name: this.name, features: this.features, labels: this.labels, rules: this.rules.map(describeRule) });
      this.sessionWritten = true;
    }
    const ruleHits: Record<string, number> = Object.fromEntries(this.rules.map((r) => [r.name, 0]));
    const tally = this.tally;
    const counts = tally.counts;
    for (let i = 0; i < decided.length; i++) {
      const d = decided[i];
      counts[d.decision] = (counts[d.decision] ?? 0) + 1;
      const fired = d.fired;
      for (let k = 0; k < fired.length; k++) ruleHits[fired[k].rule]++;
      if (this.audit) records.push(decisionRecord(d, this.session, batch));
    }
    tally.total += decided.length;
    for (const r of this.rules) tally.ruleHits[r.name] += ruleHits[r.name];
    this.recent.push(decided);
    let kept = 0;
    for (let b = this.recent.length - 1; b >= 0; b--) {
      kept += this.recent[b].length;
      if (kept > RECENT && b < this.recent.length - 1) {
        this.recent.splice(0, b + 1);
        break;
      }
    }
    let reviews = 0;
    let overrides = 0;
    if (this.desk) {
      for (const d of decided) {
        const p = predictionOf(d);
        const x = this.record(d.x);
        if (!this.desk.needs(p, x)) continue;
        reviews++;
        const c: ReviewCase = { id: d.id, key: d.key, x, prediction: p, fired: d.fired };
        const answer = await this.desk.answer(c);
        this.kept.set(d.id, d);
        if (!answer) {
          d.review = { status: "pending", automated: d.automated };
          tally.pending++;
          this.queue.push(c);
          continue;
        }
        const line = this.applyAnswer(d as DecisionImpl, answer);
        if (line.status === "overridden") overrides++;
        records.push(line);
      }
    }
    if (this.monitor) {
      for (const alert of this.monitor.observe(rows, scores, groups, ruleHits, reviews, overrides)) records.push({ type: "alert", session: this.session, at: new Date().toISOString(), ...alert });
    }
    if (this.audit) this.audit.append(records);
    this.live?.update(this.dashboard());
    decided.view = () => this.traceView(decided);
    return decided;
  }

  private run(rows: number[][], scores: Float64Array, probes: (Float64Array | undefined)[], groups?: string[], keys?: string[]): Decisions {
    const out = new Decisions();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const group = groups?.[i];
      const r = this.runner;
      r.run(row, scores[i], group, probes, i);
      out.push(new DecisionImpl(this.session, ++this.count, keys?.[i], row, group, scores[i], r.score, r.decision, r.flagged, r.blocked, r.fired, r.skippedFrom, this.rules));
    }
    return out;
  }

  private applyAnswer(d: DecisionImpl, answer: ReviewAnswer): ReviewLine {
    const at = answer.at ?? new Date().toISOString();
    const overridden = answer.action === "override" && answer.decision !== d.automated;
    const tally = this.tally;
    if (d.review?.status === "pending") tally.pending--;
    tally.reviewed++;
    if (overridden) {
      tally.overridden++;
      tally.counts[d.automated]--;
      tally.counts[answer.decision!] = (tally.counts[answer.decision!] ?? 0) + 1;
      for (const f of d.fired) tally.ruleOverrides[f.rule]++;
    }
    d.decision = overridden ? answer.decision! : d.automated;
    d.review = { status: overridden ? "overridden" : "approved", reviewer: answer.reviewer, reason: answer.reason, at, automated: d.automated };
    return { type: "review", id: d.id, status: d.review.status as ReviewLine["status"], automated: d.automated, decision: d.decision, reviewer: answer.reviewer, reason: answer.reason, at };
  }

  /** Answers a pending case later (e.g. after `decide` ran without a reviewer at hand). */
  async review(id: string, answer: ReviewAnswer): Promise<Decision> {
    const i = this.queue.findIndex((c) => c.id === id);
    if (i < 0) throw new Error(`review: ${id} is not waiting for review (pending: ${this.queue.map((c) => c.id).join(", ") || "none"}).`);
    const d = this.kept.get(id) as DecisionImpl;
    const line = this.applyAnswer(d, this.desk!.check(answer, this.queue[i]));
    this.queue.splice(i, 1);
    this.audit?.append([line]);
    this.live?.update(this.dashboard());
    return d;
  }

  /** Records what a person says the right decision was (e.g. the real outcome, learned later). */
  feedback(decision: Decision | string, feedback: { label: string; by?: string; note?: string }): void {
    const id = typeof decision === "string" ? decision : decision.id;
    const d = typeof decision === "string" ? this.find(id) ?? this.kept.get(id) : decision;
    if (!d) throw new Error(`feedback: ${id} is not among the last ${RECENT} decisions of this session; pass the Decision object itself instead of its id.`);
    this.kept.set(id, d);
    if (feedback.label !== this.labels.above && feedback.label !== this.labels.below) throw new Error(`feedback: label must be "${this.labels.above}" or "${this.labels.below}", got ${JSON.stringify(feedback.label)}.`);
    this.feedbackById.set(id, feedback);
    this.audit?.append([{ type: "feedback", id, label: feedback.label, by: feedback.by, note: feedback.note, at: new Date().toISOString() }]);
  }

  /** A recent decision by trace id. */
  private find(id: string): Decision | undefined {
    const n = Number(id.slice(this.session.length + 1));
    if (!id.startsWith(`${this.session}-`) || !Number.isInteger(n)) return undefined;
    for (const batch of this.recent) {
      const first = (batch[0] as DecisionImpl | undefined)?.n;
      if (first !== undefined && n >= first && n < first + batch.length) return batch[n - first];
    }
    return undefined;
  }

  /** Overrides and feedback as labelled examples, and suggested rule changes. */
  exportFeedback(): FeedbackExport {
    return exportFeedback(this.kept.values(), this.feedbackById, this.rules, this.labels, this.tally.ruleHits);
  }

  get alerts(): Alert[] {
    return this.monitor?.alerts ?? [];
  }

  /**
   * Re-runs every decision in an audit file with this predictor's model and rules, in the batches they
   * were made in, applies the recorded reviews, and compares field by field.
   */
  async replay(path = this.options.audit): Promise<ReplayReport> {
    if (!path) throw new Error("replay: name the audit file (this predictor has no options.audit).");
    const records = readAudit(path);
    const reviews = new Map<string, ReviewLine>();
    for (const r of records) if (r.type === "review") reviews.set(r.id, r);
    const batches = new Map<string, DecisionRecord[]>();
    for (const r of records) {
      if (r.type !== "decision") continue;
      const k = `${r.session}/${r.batch}`;
      (batches.get(k) ?? batches.set(k, []).get(k)!).push(r);
    }
    const report: ReplayReport = { decisions: 0, matched: 0, mismatches: [] };
    for (const logged of batches.values()) {
      const rows = logged.map((r) => r.x);
      const scores = await this.score(rows);
      const probes = await this.probes(rows);
      logged.forEach((rec, i) => {
        const r = this.runner;
        r.run(rec.x, scores[i], rec.group, probes, i);
        const review = reviews.get(rec.id);
        const replayed = {
          modelScore: scores[i], score: r.score, automated: r.decision, flagged: r.flagged, blocked: r.blocked,
          fired: JSON.stringify(r.fired.map((f) => [f.rule, f.effect ?? null, f.message ?? null])),
          decision: review?.status === "overridden" ? review.decision : r.decision,
        };
        const original = {
          modelScore: rec.modelScore, score: rec.score, automated: rec.automated, flagged: rec.flagged, blocked: rec.blocked,
          fired: JSON.stringify(rec.fired.map((f) => [f.rule, f.effect ?? null, f.message ?? null])),
          decision: review ? review.decision : rec.automated,
        };
        report.decisions++;
        let same = true;
        for (const field of Object.keys(original) as (keyof typeof original)[]) {
          if (original[field] !== replayed[field]) {
            same = false;
            report.mismatches.push({ id: rec.id, field, logged: original[field], replayed: replayed[field] });
          }
        }
        if (same) report.matched++;
      });
    }
    return report;
  }

  /** Trace view of some decisions (default: the last 20 of this session). */
  trace(decisions?: Decision[] | Decision): { [JUPYTER_DISPLAY](): Record<string, unknown> } {
    const list = decisions === undefined ? this.recent.flat().slice(-20) : Array.isArray(decisions) ? decisions : [decisions];
    return { [JUPYTER_DISPLAY]: () => controlBundle(this.traceView(list)) };
  }

  /** Dashboard: rule hits, reviews and overrides, drift per batch, alerts. Display it, or `show()` it live. */
  dashboard(): { [JUPYTER_DISPLAY](): Record<string, unknown> } {
    return { [JUPYTER_DISPLAY]: () => controlBundle(this.dashboardView()) };
  }

  /** Shows the dashboard below the cell and updates it after every decide and review. */
  show(): void {
    const display = (globalThis as { display?: (value: unknown) => { update(value: unknown): void } }).display;
    if (!display) throw new Error("show: there is no notebook display here; use dashboard() and render it yourself.");
    this.live = display(this.dashboard());
  }

  private base() {
    return { version: 1 as const, name: this.name, session: this.session, features: this.features, labels: this.labels, rules: this.rules.map((r) => ({ name: r.name, kind: r.kind, severity: r.severity })) };
  }

  traceView(decisions: Decision[], max = 50): ControlView {
    return { ...this.base(), view: "trace", total: decisions.length, decisions: decisions.slice(0, max).map((d) => (d as DecisionImpl).toJSON()) };
  }

  dashboardView(): ControlView {
    const t = this.tally;
    const m = this.monitor;
    return {
      ...this.base(),
      view: "dashboard",
      total: t.total,
      dashboard: {
        counts: { ...t.counts }, ruleHits: { ...t.ruleHits }, ruleOverrides: { ...t.ruleOverrides }, reviewed: t.reviewed, overridden: t.overridden, pending: t.pending,
        limits: m ? { psi: m.limits.psi, rate: m.limits.rate } : null,
        referenceRates: m ? Object.fromEntries(Object.keys(m.history.at(-1)?.rates ?? { all: 0 }).map((g) => [g, m.referenceRate(g) ?? null])) : {},
        history: m?.history ?? [],
        alerts: m?.alerts ?? [],
        overrides: [...this.kept.values()].filter((d) => d.review?.status === "overridden").slice(-20).map((d) => ({ id: d.id, key: d.key, automated: d.automated, decision: d.decision, reviewer: d.review!.reviewer, reason: d.review!.reason, at: d.review!.at })),
      },
    };
  }

  [JUPYTER_DISPLAY](): Record<string, unknown> {
    return controlBundle(this.dashboardView());
  }
}

function decisionRecord(d: Decision, session: string, batch: number): DecisionRecord {
  return {
    type: "decision", id: d.id, session, batch, ...(d.key !== undefined ? { key: d.key } : {}), x: d.x, ...(d.group !== undefined ? { group: d.group } : {}),
    modelScore: d.modelScore, score: d.score, automated: d.automated, flagged: d.flagged, blocked: d.blocked,
    fired: d.fired.map((f) => ({ rule: f.rule, effect: f.effect, message: f.message })),
  };
}

function predictionOf(d: Decision): Prediction {
  return { score: d.score, modelScore: d.modelScore, decision: d.automated, confidence: Math.max(d.score, 1 - d.score), group: d.group, flagged: d.flagged, blocked: d.blocked, fired: d.fired.map((f) => f.rule) };
}

/** A controlled predictor over `model`: rules, review, monitoring, feedback and an audit (see Controlled). */
export function control(model: ControlModel, options: ControlOptions): Controlled {
  return new Controlled(model, options);
}
