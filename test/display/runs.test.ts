// display.runs() and sweep(): runs collected on one board, best metrics per run, live updates,
// a PNG and a text table once nothing runs; a sweep trains a grid in order and stops on interrupt.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { installRichDisplay } from "../../kernel/display/index";
import { gridCombinations, RUNS_MIME, RunsBoard, setInterruptHook, sweep, type RunsPayloadV1 } from "../../kernel/display/runs";
import { cpu, pngSize, RecordingSink, tf } from "./helpers";

let sink = new RecordingSink();
before(async () => {
  await cpu();
  installRichDisplay(tf, () => sink);
});
const stateOf = (s: RecordingSink) => s.sent.at(-1)!.payload.data[RUNS_MIME] as RunsPayloadV1;

test("a board: one show then updates under one id, best value per metric by its goal, text and PNG when idle", () => {
  sink = new RecordingSink();
  const board = new RunsBoard({ title: "lr", minIntervalMs: 0 });
  const a = board.run({ lr: 0.1 });
  a.log(1, { loss: 0.9, val_acc: 0.5 });
  a.log(2, { loss: 0.4, val_acc: 0.8 });
  a.log(3, { loss: 0.6, val_acc: 0.7 });
  assert.equal(sink.sent.at(-1)!.payload.data["image/png"], undefined, "no PNG while a run is running");
  a.done();
  const b = board.run({ lr: 0.01 }, "slow");
  b.log(undefined, { loss: 1.2 });
  b.done();
  const s = stateOf(sink);
  assert.deepEqual(sink.sent.map((x) => x.kind), ["show", ...new Array(sink.sent.length - 1).fill("update")]);
  assert.ok(sink.sent.every((x) => x.displayId === board.id));
  assert.equal(s.status, "done");
  assert.deepEqual(s.hparams, ["lr"]);
  assert.deepEqual(s.runs.map((r) => [r.label, r.status, r.epochs.epoch]), [["lr=0.1", "completed", [1, 2, 3]], ["slow", "completed", [1]]]);
  assert.deepEqual(s.runs[0].best, { loss: { value: 0.4, epoch: 2 }, val_acc: { value: 0.8, epoch: 2 } });
  assert.deepEqual(s.runs[1].epochs.values, { loss: [1.2] });
  assert.match(sink.sent.at(-1)!.payload.data["text/plain"] as string, /run\s+lr\s+status\s+epochs\s+best loss\s+best val_acc\n1\s+0\.1\s+completed\s+3\s+0\.4\s+0\.8/);
  assert.ok(pngSize(sink.sent.at(-1)!.payload.data["image/png"] as string).width >= 600);
});

test("run.callbacks feed model.fit's epochs into the board, without a second live chart", async () => {
  sink = new RecordingSink();
  const board = new RunsBoard({ minIntervalMs: 0 });
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
  const xs = tf.tensor2d([[0], [1], [2], [3]]);
  await model.fit(xs, xs.mul(2), { epochs: 3, batchSize: 2, validationSplit: 0.25, callbacks: board.run({ opt: "sgd" }).callbacks });
  assert.ok(sink.sent.every((x) => x.payload.data[RUNS_MIME]), "only the board was drawn");
  const s = stateOf(sink);
  assert.deepEqual(s.metrics.map((m) => m.key), ["val_loss", "loss"]);
  assert.deepEqual(s.runs[0].epochs.epoch, [1, 2, 3]);
  assert.equal(s.runs[0].status, "completed");
});

test("the grid's combinations, in order; a bad grid says what to give", () => {
  assert.deepEqual(gridCombinations({ lr: [0.1, 0.01], batch: [16, 32] }), [{ lr: 0.1, batch: 16 }, { lr: 0.1, batch: 32 }, { lr: 0.01, batch: 16 }, { lr: 0.01, batch: 32 }]);
  assert.throws(() => gridCombinations({ lr: [] }), /grid\.lr must be a non-empty array/);
});

test("sweep trains each combination in turn; an interrupt stops it and keeps the finished runs", async () => {
  sink = new RecordingSink();
  let stop: (() => void) | undefined;
  setInterruptHook((fn) => { stop = fn; return () => { stop = undefined; }; });
  const seen: string[] = [];
  const board = await sweep({ lr: [1, 2], layers: [1, 2] }, async ({ lr, layers }, run) => {
    seen.push(`${lr}/${layers}`);
    for (let e = 1; e <= 3; e++) run.log(e, { loss: Number(lr) / (e * Number(layers)) });
  }, { minIntervalMs: 0 });
  assert.deepEqual(seen, ["1/1", "1/2", "2/1", "2/2"]);
  assert.deepEqual(board.runs.map((r) => r.status), ["completed", "completed", "completed", "completed"]);
  assert.equal(stop, undefined, "the interrupt hook is released when the sweep ends");

  sink = new RecordingSink();
  const interrupted = await sweep({ lr: [1, 2, 3] }, async ({ lr }, run) => {
    run.log(1, { loss: Number(lr) });
    if (lr === 2) stop!(); // the user interrupts during the second run
  }, { minIntervalMs: 0 });
  assert.deepEqual(interrupted.runs.map((r) => [r.hparams.lr, r.status]), [[1, "completed"], [2, "stopped"]]);
  assert.equal(stateOf(sink).status, "stopped");
  await assert.rejects(sweep({ lr: [1] }, () => { throw new Error("boom"); }), /boom/);
  assert.equal(stateOf(sink).runs[0].status, "error");
});
