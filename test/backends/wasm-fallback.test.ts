// Kernels the wasm backend lacks, served by the cpu kernels on copied data, against the cpu backend.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmCpuFallbacks } from "../../kernel/backends/wasm/cpu-fallback";

function compute() {
  return tf.tidy(() => {
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, 0], [0, 1], [2, -1]]);
    const product = tf.einsum("ij,jk->ik", a, b);
    const sums = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4, 5]), tf.tensor1d([0, 2, 0, 1, 2], "int32"), 3);
    return [Array.from(product.dataSync()), Array.from(sums.dataSync())];
  });
}

test("einsum and unsortedSegmentSum run on wasm and match the cpu backend", async () => {
  await tf.setBackend("cpu");
  const expected = compute();
  assert.ok(await tf.setBackend("wasm"));
  assert.throws(() => compute(), /not registered|kernel/i, "without the fallback wasm lacks these kernels");
  registerWasmCpuFallbacks(tf);
  const before = tf.memory().numTensors;
  assert.deepEqual(compute(), expected);
  assert.equal(tf.memory().numTensors, before, "no tensors leak");
});
