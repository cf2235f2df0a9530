/** The structural check of a runs.v1 payload: every field the renderer reads (docs/mime/runs.v1.md). */
import type { RunsPayloadV1 } from "../../kernel/display/payloads";
import { array, number, numbers, numbersOrNull, object, oneOf, optional, PayloadError, string, strings } from "../shared/check";
import { checkMetricInfo } from "../training/check";

function hparams(value: unknown, path: string): void {
  for (const [key, v] of Object.entries(object(value, path))) {
    if (!["string", "number", "boolean"].includes(typeof v)) throw new PayloadError(`${path}.${key}`, "a string, number or boolean", v);
  }
}

export function checkRuns(json: unknown): RunsPayloadV1 {
  const p = object(json, "payload");
  string(p.boardId, "boardId");
  string(p.title, "title");
  number(p.seq, "seq");
  oneOf(p.status, "status", ["running", "done", "stopped"] as const);
  array(p.metrics, "metrics", checkMetricInfo);
  strings(p.hparams, "hparams");
  array(p.runs, "runs", (r, path) => {
    const run = object(r, path);
    string(run.id, `${path}.id`);
    string(run.label, `${path}.label`);
    hparams(run.hparams, `${path}.hparams`);
    oneOf(run.status, `${path}.status`, ["running", "completed", "stopped", "interrupted", "error"] as const);
    number(run.elapsedMs, `${path}.elapsedMs`);
    const epochs = object(run.epochs, `${path}.epochs`);
    numbers(epochs.epoch, `${path}.epochs.epoch`);
    for (const [key, v] of Object.entries(object(epochs.values, `${path}.epochs.values`))) numbersOrNull(v, `${path}.epochs.values.${key}`);
    for (const [key, b] of Object.entries(object(run.best, `${path}.best`))) {
      const best = object(b, `${path}.best.${key}`);
      number(best.value, `${path}.best.${key}.value`);
      number(best.epoch, `${path}.best.${key}.epoch`);
    }
  });
  return json as RunsPayloadV1;
}
