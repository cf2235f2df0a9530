// The structural checks at the renderer boundary (renderers/<name>/check.ts) against the payloads
// the kernel really builds: those pass untouched; a payload missing or mistyping a field the
// renderer reads is refused with the field's path.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { formatTensor, TENSOR_MIME } from "../../kernel/display/tensor";
import { TrainingMonitor } from "../../kernel/display/training";
import { Explanation } from "../../kernel/explain/explanation";
import { figurePayload } from "../../kernel/display/figure";
import { formatModel } from "../../kernel/display/model";
import { MODEL_MIME, PLOTLY_MIME, RUNS_MIME } from "../../kernel/display/payloads";
import { RunsBoard } from "../../kernel/display/runs";
import { checkExplanation } from "../../renderers/explanation/check";
import { checkModel } from "../../renderers/model/check";
import { checkFigure } from "../../renderers/plotly/check";
import { checkRuns } from "../../renderers/runs/check";
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
    // An interrupted fit's curve says so (issue 13) and must still draw, not fall back to its PNG.
    const interrupted = { ...clone(final), status: "interrupted" as const };
    assert.equal(checkTraining(interrupted), interrupted);
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

  test("model: a nested model's graph passes; a layer without params or an edge without its end is named", () => {
    const inner = tf.sequential({ name: "inner", layers: [tf.layers.dense({ inputShape: [3], units: 2, name: "inner_dense" })] });
    const outer = tf.sequential({ name: "outer", layers: [tf.layers.dense({ inputShape: [4], units: 3, name: "first" }), inner] });
    const doc = formatModel(outer).data[MODEL_MIME] as { graph: { layers: Record<string, unknown>[]; edges: Record<string, unknown>[] } };
    assert.equal(checkModel(doc), doc);
    const nested = doc.graph.layers.findIndex((l) => l.graph);
    assert.ok(nested >= 0, "the nested model carries its own graph");
    const badNested = clone(doc) as unknown as { graph: { layers: { graph: { layers: Record<string, unknown>[] } }[] } };
    delete badNested.graph.layers[nested].graph.layers[0].params;
    assert.equal(refusal(checkModel, badNested), `graph.layers[${nested}].graph.layers[0].params: expected a number, got undefined`);
    const badEdge = clone(doc);
    delete badEdge.graph.edges[0].to;
    assert.equal(refusal(checkModel, badEdge), "graph.edges[0].to: expected a string, got undefined");
  });

  test("runs: a board's payload passes; a run without its epochs or a bad hyperparameter is named", () => {
    const sent: unknown[] = [];
    const board = new RunsBoard({ minIntervalMs: 0, sink: { show: (p) => void sent.push(p.data[RUNS_MIME]), update: (p) => void sent.push(p.data[RUNS_MIME]) } });
    const run = board.run({ lr: 0.1, optimizer: "adam" });
    run.log(1, { loss: 1, val_loss: NaN });
    run.done();
    const doc = sent.at(-1) as { runs: Record<string, unknown>[] };
    assert.equal(checkRuns(doc), doc);
    const noEpochs = clone(doc);
    delete noEpochs.runs[0].epochs;
    assert.equal(refusal(checkRuns, noEpochs), "runs[0].epochs: expected an object, got undefined");
    const badHp = clone(doc) as { runs: { hparams: Record<string, unknown> }[] };
    badHp.runs[0].hparams.lr = [0.1];
    assert.equal(refusal(checkRuns, badHp), "runs[0].hparams.lr: expected a string, number or boolean, got an array");
  });

  test("plotly: the kernel's figures pass; no data array or a trace that is not an object is named", () => {
    const figure = figurePayload({ data: [{ type: "bar", x: [1, 2], y: [3, 4] }], layout: { title: "t" } }).data[PLOTLY_MIME];
    assert.equal(checkFigure(figure), figure);
    assert.equal(refusal(checkFigure, { layout: {} }), "data: expected an array, got undefined");
    assert.equal(refusal(checkFigure, { data: [{}, "x"] }), "data[1]: expected an object, got string");
    assert.equal(refusal(checkFigure, { data: [], layout: null }), "layout: expected an object, got null");
  });
});
