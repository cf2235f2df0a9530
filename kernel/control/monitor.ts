/**
 * Monitoring against a reference set: the population stability index (PSI) of each feature over
 * bins cut at the reference's quantiles, the model's "above" rate per group, and how often each rule
 * fires. Every `decide` call is one batch: its statistics go into the history (drift over time) and
 * are checked against the limits.
 */
import type { Alert, BatchStats, MonitorLimits, MonitorOptions } from "./types";

/** Bins with no reference or current rows would make PSI infinite; proportions are floored at this. */
const EPSILON = 1e-4;
/** Batches smaller than this give noisy PSI; they are recorded but raise no alert. */
export const MIN_ROWS_FOR_ALERTS = 50;

export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], EPSILON);
    const a = Math.max(actual[i], EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

function binOf(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v >= edges[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Monitor {
  readonly limits: Required<Pick<MonitorLimits, "psi" | "rate">> & { ruleHits: Record<string, number> };
  private readonly edges: Float64Array[];
  private readonly reference: Float64Array[];
  private referenceRates: Record<string, number> | undefined;
  readonly history: BatchStats[] = [];
  readonly alerts: Alert[] = [];

  constructor(readonly options: MonitorOptions, readonly features: string[], private readonly threshold: number) {
    const ref = options.reference;
    if (!Array.isArray(ref) || ref.length < 2 || !ref.every((r) => Array.isArray(r) && r.length === features.length)) {
      throw new Error(`monitor.reference must be a list of at least 2 rows with ${features.length} numbers each (the features ${features.join(", ")}).`);
    }
    const bins = options.bins ?? 10;
    this.limits = { psi: options.limits?.psi ?? 0.2, rate: options.limits?.rate ?? 0.1, ruleHits: options.limits?.ruleHits ?? {} };
    this.edges = features.map((_, j) => {
      const sorted = Float64Array.from(ref, (r) => r[j]).sort();
      const cuts = new Set<number>();
      for (let k = 1; k < bins; k++) cuts.add(sorted[Math.floor((k * sorted.length) / bins)]);
      return Float64Array.from([...cuts].sort((a, b) => a - b));
    });
    this.reference = this.proportions(ref);
  }

  /** The model's scores on the reference rows, for the reference output rates. */
  setReferenceScores(scores: ArrayLike<number>, groups?: string[]): void {
    this.referenceRates = this.rates(scores, groups ?? this.options.referenceGroups);
  }

  get hasReferenceScores(): boolean {
    return this.referenceRates !== undefined;
  }

  referenceRate(group: string): number | undefined {
    return this.referenceRates?.[group];
  }

  private proportions(rows: number[][]): Float64Array[] {
    return this.edges.map((edges, j) => {
      const counts = new Float64Array(edges.length + 1);
      for (const r of rows) counts[binOf(edges, r[j])]++;
      return counts.map((c) => c / rows.length);
    });
  }

  private rates(scores: ArrayLike<number>, groups?: string[]): Record<string, number> {
    const above: Record<string, number> = { all: 0 };
    const count: Record<string, number> = { all: scores.length };
    for (let i = 0; i < scores.length; i++) {
      const hit = scores[i] >= this.threshold ? 1 : 0;
      above.all += hit;
      const g = groups?.[i];
      if (g !== undefined) {
        above[g] = (above[g] ?? 0) + hit;
        count[g] = (count[g] ?? 0) + 1;
      }
    }
    return Object.fromEntries(Object.keys(count).map((g) => [g, above[g] / count[g]]));
  }

  /** One decide call's rows; returns the alerts it raised. */
  observe(rows: number[][], modelScores: ArrayLike<number>, groups: string[] | undefined, ruleHits: Record<string, number>, reviews: number, overrides: number): Alert[] {
    const batch = this.history.length + 1;
    const current = this.proportions(rows);
    const stats: BatchStats = {
      batch,
      rows: rows.length,
      psi: Object.fromEntries(this.features.map((f, j) => [f, psi(this.reference[j], current[j])])),
      rates: this.rates(modelScores, groups),
      ruleHits: Object.fromEntries(Object.entries(ruleHits).map(([k, v]) => [k, rows.length ? v / rows.length : 0])),
      reviews,
      overrides,
    };
    this.history.push(stats);
    if (rows.length < MIN_ROWS_FOR_ALERTS) return [];
    const raised: Alert[] = [];
    const raise = (kind: Alert["kind"], subject: string, value: number, limit: number, message: string) => raised.push({ batch, kind, subject, value, limit, message });
    for (const [f, v] of Object.entries(stats.psi)) {
      if (v > this.limits.psi) raise("psi", f, v, this.limits.psi, `${f} drifted: PSI ${v.toFixed(3)} > ${this.limits.psi} against the reference`);
    }
    for (const [g, v] of Object.entries(stats.rates)) {
      const ref = this.referenceRates?.[g];
      if (ref !== undefined && Math.abs(v - ref) > this.limits.rate) {
        raise("rate", g, v, this.limits.rate, `the model's rate above ${this.threshold} for ${g === "all" ? "everyone" : `group ${g}`} moved ${ref.toFixed(3)} → ${v.toFixed(3)} (limit ±${this.limits.rate})`);
      }
    }
    for (const [rule, limit] of Object.entries(this.limits.ruleHits)) {
      const v = stats.ruleHits[rule] ?? 0;
      if (v > limit) raise("ruleHits", rule, v, limit, `rule ${rule} fired on ${(100 * v).toFixed(1)}% of rows (limit ${(100 * limit).toFixed(1)}%)`);
    }
    this.alerts.push(...raised);
    return raised;
  }
}
