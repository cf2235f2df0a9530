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

// While gradients are recorded the max pool keeps its argmax: its forward values then, and which of
// tied maxima gets the gradient (the first in row-major order, as tfjs), must be the cpu backend's.
describe("native max pool while recording gradients, with ties", { skip }, () => {
  const cases: { shape: [number, number, number, number]; size: [number, number] }[] = [
    { shape: [3, 9, 7, 5], size: [2, 2] },
    { shape: [2, 8, 9, 3], size: [3, 3] },
    { shape: [1, 5, 6, 17], size: [1, 2] },
  ];
  for (const [i, c] of cases.entries()) {
    test(`x ${c.shape.join("×")}, size ${c.size.join("×")} = strides, with ties`, async () => {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from(random(n, 520 + i, 0, 3), Math.floor); // integers 0..2: many ties
      const results: { pooled: number[]; dx: number[] }[] = [];
      for (const backend of ["cpu", "native"]) {
        await useBackend(backend);
        let pooled: number[] = [];
        const x = tf.tensor4d(values, c.shape);
        const dx = tf.grad((v: tf.Tensor) => {
          const y = tf.maxPool(v as tf.Tensor4D, c.size, c.size, "valid");
          pooled = Array.from(y.dataSync());
          return tf.mul(y, tf.randomUniform(y.shape, 0.5, 1.5, "float32", 530 + i)).sum();
        })(x);
        results.push({ pooled, dx: Array.from(dx.dataSync()) });
        tf.dispose([x, dx]);
      }
      const [cpu, native] = results as [{ pooled: number[]; dx: number[] }, { pooled: number[]; dx: number[] }];
      assert.deepEqual(native.pooled, cpu.pooled);
      assertClose(native.dx, cpu.dx, 1e-6, "dx");
    });
  }
});
