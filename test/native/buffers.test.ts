// The native backend recycles kernel output buffers. Recycling must never change what user code sees:
// values read out, slices of disposed tensors, and tensors that share a buffer all keep their data.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BufferLedger, BufferPool } from "../../kernel/backends/native/buffers";
import { assertClose, random, skip, tf } from "./helpers";

describe("buffer ledger", () => {
  test("a buffer is reused only after every tensor holding it is released", () => {
    const ledger = new BufferLedger(new BufferPool(1 << 20));
    const a = ledger.allocate(16);
    ledger.retain(a);
    ledger.retain(a.subarray(4, 8)); // a slice sharing the buffer
    ledger.release(a);
    assert.notEqual(ledger.allocate(16).buffer, a.buffer, "reused while a slice still held it");
    ledger.release(a.subarray(4, 8));
    assert.equal(ledger.allocate(16).buffer, a.buffer, "not reused once free");
  });

  test("arrays it did not make are never pooled, and the pool keeps to its size limit", () => {
    const ledger = new BufferLedger(new BufferPool(64));
    const foreign = new Float32Array(16);
    ledger.retain(foreign);
    ledger.release(foreign);
    assert.notEqual(ledger.allocate(16).buffer, foreign.buffer);
    const big = ledger.allocate(32); // 128 bytes, over the 64-byte limit
    ledger.retain(big);
    ledger.release(big);
    assert.notEqual(ledger.allocate(32).buffer, big.buffer);
  });
});

describe("native backend buffer recycling", { skip }, () => {
  test("values read before a dispose survive later kernels", async () => {
    await tf.setBackend("native");
    const x = tf.tensor2d(random(64 * 32, 1), [64, 32]);
    const y = tf.relu(x);
    const kept = y.dataSync();
    const expected = Float32Array.from(kept);
    y.dispose();
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.relu(tf.neg(x)).dataSync());
    assert.deepEqual(Array.from(kept), Array.from(expected));
    x.dispose();
  });

  test("a slice outlives the disposed tensor it was cut from", async () => {
    await tf.setBackend("native");
    const x = tf.tensor2d(random(50 * 20, 2), [50, 20]);
    const y = tf.exp(x);
    const slice = tf.slice(y, [10, 0], [5, 20]);
    const expected = Float32Array.from(slice.dataSync());
    y.dispose();
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.sigmoid(tf.square(x)).dataSync());
    assertClose(slice.dataSync(), expected, 0, "slice");
    tf.dispose([x, slice]);
  });

  test("reshaped and cloned tensors keep their data when the original is disposed", async () => {
    await tf.setBackend("native");
    const x = tf.tensor1d(random(60, 3));
    const y = tf.tanh(x);
    const reshaped = tf.reshape(y, [6, 10]);
    const cloned = tf.clone(y);
    const expected = Float32Array.from(y.dataSync());
    y.dispose();
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.abs(x).dataSync());
    assertClose(reshaped.dataSync(), expected, 0, "reshaped");
    assertClose(cloned.dataSync(), expected, 0, "cloned");
    tf.dispose([x, reshaped, cloned]);
  });

  test("training does not grow the number of live tensors", async () => {
    await tf.setBackend("native");
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 4, activation: "relu" }), tf.layers.dense({ units: 2 })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    const xs = tf.tensor2d(random(32 * 8, 4), [32, 8]);
    const ys = tf.tensor2d(random(32 * 2, 5), [32, 2]);
    await model.fit(xs, ys, { batchSize: 8, epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, { batchSize: 8, epochs: 2, verbose: 0 });
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
