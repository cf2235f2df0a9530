/**
 * The synthetic credit-risk population of tutorial 6, as a module: tutorial 7, the control tests and
 * bench/control.ts draw the same applicants. Seed 31 gives exactly tutorial 6's data. No real person
 * or lender is described; the rule below is made up.
 *
 * `drift` shifts the population (e.g. a recession: lower incomes, more debt) to show monitoring.
 */
export const FEATURES = ["income_k", "debt_to_income", "credit_years", "late_payments", "loan_k"];

export interface Applicants {
  features: number[][];
  defaulted: number[];
  group: ("A" | "B")[];
}

export interface Drift {
  /** Added to every income (thousands). */
  income?: number;
  /** Added to every debt-to-income ratio. */
  debt?: number;
}

export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeApplicants(n: number, seed = 31, drift: Drift = {}): Applicants {
  const random = rng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const out: Applicants = { features: [], defaulted: [], group: [] };
  for (let i = 0; i < n; i++) {
    const g = random() < 0.5 ? "A" : "B";
    const income = Math.max(12, (g === "A" ? 58 : 44) + 16 * gaussian() + (drift.income ?? 0));
    const dti = Math.min(0.9, Math.max(0.02, 0.3 + 0.12 * gaussian() + (drift.debt ?? 0)));
    const years = Math.max(0, 9 + 5 * gaussian());
    const late = Math.floor(-Math.log(1 - random()) * (1.2 - Math.min(years, 20) / 25));
    const loan = Math.max(2, 15 + 8 * gaussian());
    // The rule of the made-up world (log-odds of default); the group does not appear in it.
    const z = -1.9 - 0.035 * (income - 50) + 5 * (dti - 0.3) - 0.06 * (years - 9) + 0.55 * late + 0.03 * (loan - 15);
    out.features.push([income, dti, years, late, loan]);
    out.defaulted.push(random() < sigmoid(z) ? 1 : 0);
    out.group.push(g);
  }
  return out;
}
