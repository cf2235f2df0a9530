/**
 * Seeded randomness for every sampling method, so the same seed gives the same explanation
 * (LIME and SHAP users report "different explanations every time" when this is missing).
 */

/** The seed used when the caller gives none: explanations are reproducible by default. */
export const DEFAULT_SEED = 0;

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): number[];
}

/** mulberry32: tiny, fast, and good enough for Monte-Carlo sampling (not for cryptography). */
export function createRng(seed: number = DEFAULT_SEED): Rng {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    // Box–Muller; 1 - u keeps log away from 0.
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const int = (n: number): number => Math.floor(next() * n);
  const permutation = (n: number): number[] => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };
  return { next, normal, int, permutation };
}
