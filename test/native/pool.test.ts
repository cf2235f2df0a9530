// Native MaxPool, AvgPool and their gradients against TensorFlow.js's cpu kernels.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertClose, compareKernel, random, randomInput, skip, tf, useBackend } from "./helpers";

interface PoolCase {
  x: number[];
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: "same" | "valid";
}

const CASES: PoolCase[] = [
  { x: [1, 4, 4, 1], filterSize: 2, strides: 2, pad: "valid" },
  { x: [2, 7, 9, 3], filterSize: 2, strides: 2, pad: "valid" },
  { x: [2, 7, 9, 3], filterSize: 2, strides: 2, pad: "same" },
  { x: [3, 8, 5, 2], filterSize: 3, strides: 1, pad: "same" },
  { x: [1, 11, 10, 4], filterSize: [3, 2], strides: [2, 3], pad: "same" },
  { x: [2, 9, 9, 5], filterSize: 3, strides: 2, pad: "valid" },
  { x: [4, 26, 26, 8], filterSize: 2, strides: 2, pad: "valid" },
];

const label = (c: PoolCase) => `x ${c.x.join("×")}, size ${c.filterSize}, strides ${c.strides}, pad ${c.pad}`;

function outShape(c: PoolCase): number[] {
  const [n, h, w, ch] = c.x as [number, number, number, number];
  const [fh, fw] = typeof c.filterSize === "number" ? [c.filterSize, c.filterSize] : c.filterSize;
  const [sh, sw] = typeof c.strides === "number" ? [c.strides, c.strides] : c.strides;
  if (c.pad === "same") return [n, Math.ceil(h / sh), Math.ceil(w / sw), ch];
  return [n, Math.floor((h - fh) / sh) + 1, Math.floor((w - fw) / sw) + 1, ch];
}

for (const kind of ["MaxPool", "AvgPool"]) {
  describe(`native ${kind}`, { skip }, () => {
    for (const [i, c] of CASES.entries()) {
      test(label(c), async () => {
        await compareKernel(kind, { x: randomInput(c.x, 200 + i) }, { filterSize: c.filterSize, strides: c.strides, pad: c.pad });
      });
    }
  });
}

describe("native MaxPoolGrad (argmax recomputed)", { skip }, () => {
  for (const [i, c] of CASES.entries()) {
    test(label(c), async () => {
      await useBackend("cpu");
      const x = randomInput(c.x, 300 + i);
      const y = tf.maxPool(tf.tensor4d(x.values, c.x as [number, number, number, number]), c.filterSize, c.strides, c.pad);
      const output = { shape: y.shape as number[], values: y.dataSync() as Float32Array };
      y.dispose();
      await compareKernel("MaxPoolGrad", { dy: randomInput(outShape(c), 310 + i), input: x, output },
        { filterSize: c.filterSize, strides: c.strides, pad: c.pad });
    });
  }
});

describe("native AvgPoolGrad", { skip }, () => {
  for (const [i, c] of CASES.entries()) {
    test(label(c), async () => {
      await compareKernel("AvgPoolGrad", { dy: randomInput(outShape(c), 400 + i), input: randomInput(c.x, 410 + i) },
        { filterSize: c.filterSize, strides: c.strides, pad: c.pad });
    });
  }
});

// Under tf.grad the forward kernel keeps its argmax for the gradient; the result must not change.
describe("native max pool gradient through tf.grad (argmax kept)", { skip }, () => {
  for (const [i, c] of CASES.entries()) {
    test(label(c), async () => {
      const values = random(c.x.reduce((a, b) => a * b, 1), 500 + i);
      const dyValues = random(outShape(c).reduce((a, b) => a * b, 1), 510 + i);
      const grads: Float32Array[] = [];
      for (const backend of ["cpu", "native"]) {
        await useBackend(backend);
        const dy = tf.tensor(dyValues, outShape(c));
        const pooled = (x: tf.Tensor) => tf.mul(tf.maxPool(x as tf.Tensor4D, c.filterSize, c.strides, c.pad), dy).sum();
        const g = tf.grad(pooled)(tf.tensor4d(values, c.x as [number, number, number, number]));
        grads.push(g.dataSync() as Float32Array);
        tf.dispose([dy, g]);
      }
      assert.equal(grads.length, 2);
      assertClose(grads[1] as Float32Array, grads[0] as Float32Array, 1e-5, "dx");
    });
  }
});
