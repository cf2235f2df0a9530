/**
 * The coalition game behind every feature-switching method: v(S) = mean over reference rows b of
 * f(x with the features outside S taken from b). Coalitions are evaluated in budget-sized batches
 * and cached, so a coalition that several permutations or samples share costs one evaluation.
 */
import * as tf from "@tensorflow/tfjs";
import { evaluateRows, type Meter } from "./batching";
import type { Setup } from "./common";
import { completenessGap } from "./common";
import { Explanation, type ExplanationInit } from "./explanation";
import type { Groups, Reference } from "./features";

export class CoalitionGame {
  private readonly cache = new Map<string, number>();
  /** Coalition values served from the cache instead of the model. */
  cacheHits = 0;

  constructor(
    private readonly s: Setup,
    private readonly x: Float32Array,
    private readonly ref: Float32Array,
    private readonly refCount: number,
    readonly groups: Groups,
    private readonly target: number,
    private readonly meter: Meter,
  ) {}

  get features(): number {
    return this.groups.count;
  }

  /** v for each coalition (1 = feature present). Missing values go to the model in one batched job. */
  values(masks: Uint8Array[]): Float64Array {
    const out = new Float64Array(masks.length);
    const missing: Uint8Array[] = [];
    const missingKeys: string[] = [];
    const pending = new Map<string, number[]>();
    masks.forEach((mask, i) => {
      const key = mask.join("");
      const cached = this.cache.get(key);
      if (cached !== undefined) {
        out[i] = cached;
        this.cacheHits++;
        return;
      }
      const waiting = pending.get(key);
      if (waiting) {
        waiting.push(i);
        this.cacheHits++;
        return;
      }
      pending.set(key, [i]);
      missing.push(mask);
      missingKeys.push(key);
    });
    const computed = this.evaluate(missing.length, (c, g) => missing[c][g] === 1);
    missingKeys.forEach((key, c) => {
      this.cache.set(key, computed[c]);
      for (const i of pending.get(key) as number[]) out[i] = computed[c];
    });
    return out;
  }

  /** v for all 2^M coalitions, indexed by bitmask (bit i = feature i present); no cache needed. */
  enumerate(): Float64Array {
    return this.evaluate(2 ** this.features, (c, g) => ((c >>> g) & 1) === 1);
  }

  /** Mean model score over reference rows for `count` coalitions, with present(c, group). */
  private evaluate(count: number, present: (c: number, group: number) => boolean): Float64Array {
    const sums = new Float64Array(count);
    if (count === 0) return sums;
    const d = this.s.rowSize;
    const b = this.refCount;
    const ids = this.groups.ids;
    const m = this.groups.count;
    const on = new Uint8Array(m);
    evaluateRows(
      this.s.f, this.s.rowShape, count * b, this.target, this.s.rows, this.meter,
      (start, n, buffer) => {
        let lastC = -1;
        for (let j = 0; j < n; j++) {
          const row = start + j;
          const c = Math.floor(row / b);
          if (c !== lastC) {
            for (let g = 0; g < m; g++) on[g] = present(c, g) ? 1 : 0;
            lastC = c;
          }
          const refRow = (row % b) * d;
          const o = j * d;
          for (let i = 0; i < d; i++) buffer[o + i] = on[ids[i]] ? this.x[i] : this.ref[refRow + i];
        }
      },
      (start, scores) => {
        for (let j = 0; j < scores.length; j++) sums[Math.floor((start + j) / b)] += scores[j];
      },
    );
    for (let c = 0; c < count; c++) sums[c] /= b;
    return sums;
  }
}

/** Runs `perRow` on one game per input row and packs the per-feature values into an Explanation. */
export function explainRows(
  method: string,
  input: tf.Tensor,
  s: Setup,
  groups: Groups,
  reference: Reference,
  perRow: (game: CoalitionGame, r: number) => { phi: Float64Array | number[]; base: number },
  /** Seed and details, read after all rows ran (so they can report what the rows found). */
  extra: () => Pick<Partial<ExplanationInit>, "seed" | "details">,
): Explanation {
  const n = input.shape[0];
  const x = input.dataSync() as Float32Array;
  const values: number[][] = [];
  const base: number[] = [];
  let hits = 0;
  for (let r = 0; r < n; r++) {
    const game = new CoalitionGame(s, x.subarray(r * s.rowSize, (r + 1) * s.rowSize), reference.rows(r), reference.count, groups, s.targets[r], s.meter);
    const out = perRow(game, r);
    values.push(Array.from(out.phi));
    base.push(out.base);
    hits += game.cacheHits;
  }
  // Each element carries its feature's value, so image and sequence maps show the groups.
  const flat = new Float32Array(n * s.rowSize);
  for (let r = 0; r < n; r++) for (let i = 0; i < s.rowSize; i++) flat[r * s.rowSize + i] = values[r][groups.ids[i]];
  const sums = values.map((v) => v.reduce((p, q) => p + q, 0));
  const { seed, details } = extra();
  return new Explanation({
    method, modality: s.modality, input, attributions: tf.tensor(flat, input.shape), targets: s.targets, prediction: s.prediction,
    baseValue: base, gap: completenessGap(sums, s.prediction, base), evaluations: s.meter.evaluations, batches: s.meter.batches,
    ms: s.meter.ms(), features: { names: groups.names, values }, seed, tokens: s.tokens, display: s.display,
    details: { features: groups.count, reference: reference.describe, cacheHits: hits, ...details },
  });
}
