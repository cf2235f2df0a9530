/** Colour conventions and the one symmetric, percentile-clipped scale shared by a set of maps. */
import type { Convention, Sign } from "../../kernel/display/payloads";

export type Rgb = [number, number, number];
/** SHAP: red raises the output, blue lowers it; Captum: green raises, red lowers. */
export const CONVENTIONS: Record<Convention, { positive: Rgb; negative: Rgb }> = {
  shap: { positive: [255, 0, 81], negative: [0, 139, 251] },
  captum: { positive: [0, 160, 60], negative: [220, 30, 30] },
};

export const css = (c: Rgb, alpha = 1) => `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;

export function applySign(v: number, sign: Sign): number {
  if (sign === "positive") return Math.max(v, 0);
  if (sign === "negative") return Math.min(v, 0);
  if (sign === "absolute") return Math.abs(v);
  return v;
}

/** |value| at `percentile` over all maps together, so every image uses the same scale. */
export function sharedScale(maps: number[][], sign: Sign, percentile: number): number {
  const all: number[] = [];
  for (const m of maps) for (const v of m) all.push(Math.abs(applySign(v, sign)));
  if (!all.length) return 1;
  all.sort((a, b) => a - b);
  const v = all[Math.min(all.length - 1, Math.floor((percentile / 100) * (all.length - 1)))];
  return v > 0 ? v : all[all.length - 1] || 1;
}
