/** Weighted least squares in float64, small and dense (M ≤ a few hundred): the surrogate fits of KernelSHAP and LIME. */

/** Solves A x = b (A square, row-major) by Gaussian elimination with partial pivoting; null if singular. */
export function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const y = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(m[i * n + i]));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[pivot * n + col])) pivot = r;
    if (Math.abs(m[pivot * n + col]) <= 1e-12 * Math.max(scale, 1e-300)) return null;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [m[col * n + k], m[pivot * n + k]] = [m[pivot * n + k], m[col * n + k]];
      [y[col], y[pivot]] = [y[pivot], y[col]];
    }
    for (let r = col + 1; r < n; r++) {
      const f = m[r * n + col] / m[col * n + col];
      if (f === 0) continue;
      for (let k = col; k < n; k++) m[r * n + k] -= f * m[col * n + k];
      y[r] -= f * y[col];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = y[r];
    for (let k = r + 1; k < n; k++) s -= m[r * n + k] * x[k];
    x[r] = s / m[r * n + r];
  }
  return x;
}

/**
 * argmin_β Σ_j w_j (y_j − X_j·β)² + alpha·|β|² (the last `unpenalized` columns, e.g. an intercept,
 * are not penalised). X is rows × p, row-major.
 */
export function weightedLeastSquares(x: Float64Array, y: Float64Array, w: Float64Array, p: number, alpha = 0, unpenalized = 0): Float64Array | null {
  const rows = y.length;
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let j = 0; j < rows; j++) {
    const wj = w[j];
    if (wj === 0) continue;
    const o = j * p;
    for (let a = 0; a < p; a++) {
      const xa = x[o + a] * wj;
      if (xa === 0) continue;
      xty[a] += xa * y[j];
      for (let b = 0; b < p; b++) xtx[a * p + b] += xa * x[o + b];
    }
  }
  for (let a = 0; a < p - unpenalized; a++) xtx[a * p + a] += alpha;
  return solve(xtx, xty, p);
}
