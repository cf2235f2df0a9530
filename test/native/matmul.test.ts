// Native BatchMatMul and _FusedMatMul against TensorFlow.js's cpu kernels.
import { describe, test } from "node:test";
import { compareKernel, randomInput, skip } from "./helpers";

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const CASES: MatMulCase[] = [
  { a: [1, 1], b: [1, 1], transposeA: false, transposeB: false },
  { a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
  { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
  { a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [3, 4, 6], b: [3, 6, 2], transposeA: false, transposeB: false },
  { a: [1, 4, 6], b: [3, 6, 2], transposeA: false, transposeB: false },
  { a: [2, 3, 6, 4], b: [3, 5, 6], transposeA: true, transposeB: true },
  { a: [64, 1600], b: [1600, 128], transposeA: false, transposeB: false },
];

const label = (c: MatMulCase) => `${c.a.join("×")}${c.transposeA ? "ᵀ" : ""} · ${c.b.join("×")}${c.transposeB ? "ᵀ" : ""}`;
const columns = (c: MatMulCase) => (c.transposeB ? c.b[c.b.length - 2] : c.b[c.b.length - 1]) as number;

describe("native BatchMatMul", { skip }, () => {
  for (const [i, c] of CASES.entries()) {
    test(label(c), async () => {
      await compareKernel("BatchMatMul", { a: randomInput(c.a, 600 + i), b: randomInput(c.b, 610 + i) },
        { transposeA: c.transposeA, transposeB: c.transposeB }, 1e-4);
    });
  }
});

describe("native _FusedMatMul", { skip }, () => {
  const activations = ["linear", "relu", "relu6", "sigmoid", "leakyrelu", "elu"];
  for (const [i, c] of CASES.entries()) {
    const activation = activations[i % activations.length] as string;
    test(`${activation}, bias, ${label(c)}`, async () => {
      await compareKernel("_FusedMatMul",
        { a: randomInput(c.a, 700 + i), b: randomInput(c.b, 710 + i), bias: randomInput([columns(c)], 720 + i) },
        { transposeA: c.transposeA, transposeB: c.transposeB, activation, leakyreluAlpha: 0.3 }, 1e-4);
    });
  }
  test("relu without bias", async () => {
    await compareKernel("_FusedMatMul", { a: randomInput([4, 9], 730), b: randomInput([9, 5], 731) },
      { transposeA: false, transposeB: false, activation: "relu" });
  });
});
