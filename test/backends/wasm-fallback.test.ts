// The wasm backend's depthwise convolution gradients (served by the cpu kernels) against the cpu backend.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmCpuFallbacks } from "../../kernel/backends/wasm/cpu-fallback";

function gradsOn(backend: string) {
  return tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 7, 6, 3]);
    const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 2 }, (_, i) => Math.cos(i)), [3, 3, 3, 2]);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.depthwiseConv2d(a, b, [2, 1], "same").square().sum();
    const [dx, dw] = tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([x, w]);
    return [backend, Array.from(dx.dataSync()), Array.from(dw.dataSync())] as const;
  });
}

test("depthwise conv gradients on wasm match the cpu backend", async () => {
  registerWasmCpuFallbacks(tf);
  await tf.setBackend("cpu");
  const [, dxCpu, dwCpu] = gradsOn("cpu");
  assert.ok(await tf.setBackend("wasm"));
  const before = tf.memory().numTensors;
  const [, dxWasm, dwWasm] = gradsOn("wasm");
  assert.equal(tf.memory().numTensors, before, "no tensors leak");
  for (const [a, b] of [[dxCpu, dxWasm], [dwCpu, dwWasm]] as const) {
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-3 * Math.max(1, Math.abs(a[i])), `element ${i}: ${a[i]} vs ${b[i]}`);
  }
});
