/**
 * Curve maths for the training renderer. Smoothing runs on the full series first and
 * downsampling second, so the smoothed curve does not depend on the chart's resolution.
 */

/**
 * TensorBoard-style debiased exponential moving average: s_t = w·s_{t−1} + (1−w)·x_t, divided by
 * (1 − w^k) where k counts the finite points so far, so early points are not pulled toward 0.
 * Gaps (null) stay gaps and do not reset the average.
 */
export function debiasedEma(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return values.slice();
  let last = 0, k = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    k++;
    last = last * weight + (1 - weight) * v;
    return last / (1 - Math.pow(weight, k));
  });
}

/**
 * Keeps at most ~`max` points: per bucket the first, min and max points (in x order), so spikes
 * survive; short series pass through unchanged.
 */
export function downsample(x: readonly number[], y: ReadonlyArray<number | null>, max: number): { x: number[]; y: Array<number | null> } {
  const n = x.length;
  if (n <= max) return { x: x.slice(), y: y.slice() };
  const buckets = Math.max(1, Math.floor(max / 3));
  const size = n / buckets;
  const keep: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size), end = Math.min(n, Math.floor((b + 1) * size));
    let lo = -1, hi = -1;
    for (let i = start; i < end; i++) {
      const v = y[i];
      if (v === null) continue;
      if (lo < 0 || v < (y[lo] as number)) lo = i;
      if (hi < 0 || v > (y[hi] as number)) hi = i;
    }
    for (const i of [...new Set([start, lo, hi].filter((i) => i >= 0))].sort((a, b) => a - b)) keep.push(i);
  }
  if (keep[keep.length - 1] !== n - 1) keep.push(n - 1);
  return { x: keep.map((i) => x[i]), y: keep.map((i) => y[i]) };
}

/** Index of the best finite value for a goal, or −1. */
export function bestIndex(values: ReadonlyArray<number | null>, goal: "min" | "max"): number {
  let best = -1;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    if (best < 0 || (goal === "min" ? v < (values[best] as number) : v > (values[best] as number))) best = i;
  });
  return best;
}
