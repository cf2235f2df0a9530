/** The structural check of a training.v1 payload: every field the renderer reads (docs/mime/training.v1.md). */
import type { TrainingPayloadV1 } from "../../kernel/display/payloads";
import { array, number, numbers, numbersOrNull, object, oneOf, optional, string } from "../shared/check";

function series(value: unknown, path: string): void {
  const s = object(value, path);
  numbers(s.step, `${path}.step`);
  const values = object(s.values, `${path}.values`);
  for (const [key, v] of Object.entries(values)) numbersOrNull(v, `${path}.values.${key}`);
}

/** One metric's description, as training curves and runs boards carry it. */
export function checkMetricInfo(m: unknown, path: string): void {
  const o = object(m, path);
  string(o.key, `${path}.key`);
  string(o.group, `${path}.group`);
  oneOf(o.split, `${path}.split`, ["train", "val"] as const);
  optional(o.goal, `${path}.goal`, (g, gp) => oneOf(g, gp, ["min", "max"] as const));
  optional(o.domain, `${path}.domain`, numbers);
}

export function checkTraining(json: unknown): TrainingPayloadV1 {
  const p = object(json, "payload");
  string(p.runId, "runId");
  string(p.title, "title");
  oneOf(p.status, "status", ["running", "completed", "stopped", "interrupted", "error"] as const);
  number(p.seq, "seq");
  array(p.metrics, "metrics", checkMetricInfo);
  const s = object(p.series, "series");
  series(s.batch, "series.batch");
  series(s.epoch, "series.epoch");
  numbers(object(s.epoch, "series.epoch").batchStep, "series.epoch.batchStep");
  const g = object(p.progress, "progress");
  for (const k of ["epoch", "batch", "step", "elapsedMs"]) number(g[k], `progress.${k}`);
  for (const k of ["epochs", "batchesPerEpoch", "fraction", "etaMs"]) optional(g[k], `progress.${k}`, number);
  optional(p.summary, "summary", string);
  return json as TrainingPayloadV1;
}
