// The structural checks at the renderer boundary (renderers/<name>/check.ts) against the payloads
// the kernel really builds: those pass untouched; a payload missing or mistyping a field the
// renderer reads is refused with the field's path.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { formatTensor, TENSOR_MIME } from "../../kernel/display/tensor";
import { TrainingMonitor } from "../../kernel/display/training";
import { Explanation } from "../../kernel/explain/explanation";
import { checkExplanation } from "../../renderers/explanation/check";
import { checkTensor } from "../../renderers/tensor/check";
import { checkTraining } from "../../renderers/training/check";

const clone = <T>(value: T): T => structuredClone(value);
/** Runs `check` and returns the PayloadError's message, or "" when it passed. */
function refusal(check: (json: unknown) => unknown, json: unknown): string {
  try {
    check(json);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

before(async () => {
  await tf.setBackend("cpu");
});

describe("payload checks", () => {
  test("tensor: the kernel's payloads pass; a missing shape or an unknown view is named", () => {
    for (const t of [tf.tensor2d([[1, NaN], [3, 4]]), tf.zeros([2, 8, 8, 3]), tf.tensor1d([1, 2, 3], "int32"), tf.tensor(["a", "b"])]) {
      const payload = formatTensor(tf, t).data[TENSOR_MIME];
      assert.equal(checkTensor(payload), payload);
    }
    const good = formatTensor(tf, tf.ones([3, 3])).data[TENSOR_MIME] as Record<string, unknown>;
    const noShape = clone(good);
    delete noShape.shape;
    assert.equal(refusal(checkTensor, noShape), "shape: expected an array, got undefined");
    const badView = clone(good) as { view: { available: unknown[] } };
    badView.view.available = ["table", "sideways"];
    assert.match(refusal(checkTensor, badView), /^view\.available\[1\]: expected one of table, heatmap, image, histogram/);
    const badStats = clone(good) as { stats: { nan: unknown } };
    badStats.stats.nan = "0";
    assert.equal(refusal(checkTensor, badStats), "stats.nan: expected a number, got string");
  });

  test("training: the monitor's states pass; a bad series value or progress is named", () => {
    const monitor = new TrainingMonitor({ show() {}, update() {} }, { title: "t", epochs: 2, batchesPerEpoch: 2, minIntervalMs: 1e9 });
    monitor.batch({ loss: 1, acc: NaN });
    monitor.epoch({ loss: 0.5, val_loss: 0.7 }, 1);
    const state = monitor.state();
    monitor.done();
    assert.equal(checkTraining(state), state);
    const final = monitor.state();
    assert.equal(checkTraining(final), final);
    const badValue = clone(state) as unknown as { series: { batch: { values: Record<string, unknown[]> } } };
    badValue.series.batch.values.loss[0] = "1";
    assert.equal(refusal(checkTraining, badValue), "series.batch.values.loss[0]: expected a number, got string");
    const noProgress = clone(state) as Partial<typeof state>;
    delete noProgress.progress;
    assert.equal(refusal(checkTraining, noProgress), "progress: expected an object, got undefined");
  });

  test("explanation: the document passes; a missing modality section or an empty row list is named", () => {
    const input = tf.tensor2d([[1, 2, 3]]);
    const e = new Explanation({
      method: "test", modality: "tabular", input, attributions: tf.tensor2d([[0.5, -1, 2]]), targets: [0], prediction: [3], baseValue: [1.5], gap: [0],
      evaluations: 4, batches: 1, ms: 1, features: { names: ["a", "b", "c"], values: [[0.5, -1, 2]] },
    });
    const doc = e.toJSON();
    e.dispose();
    input.dispose();
    assert.equal(checkExplanation(doc), doc);
    const noFeatures = clone(doc);
    delete noFeatures.features;
    assert.equal(refusal(checkExplanation, noFeatures), "features: expected an object, got undefined");
    assert.equal(refusal(checkExplanation, { ...clone(doc), rows: [] }), "rows: expected at least one row, got an array");
    assert.equal(refusal(checkExplanation, { ...clone(doc), modality: "audio" }), "modality: expected one of tabular, image, text, got string");
  });
});
