// Native elementwise ops, reductions, Softmax, Transpose and GatherV2 against TensorFlow.js's cpu kernels.
import { describe, test } from "node:test";
import { compareKernel, randomInput, skip } from "./helpers";

const SHAPES = [[1], [7], [3, 5], [2, 3, 4, 5]];

describe("native unary kernels", { skip }, () => {
  const positive = new Set(["Log", "Sqrt", "Rsqrt", "Reciprocal", "Log1p"]);
  const ops: [string, Record<string, number>][] = [
    ["Relu", {}], ["Relu6", {}], ["LeakyRelu", { alpha: 0.15 }], ["Elu", {}], ["Sigmoid", {}], ["Tanh", {}],
    ["Exp", {}], ["Log", {}], ["Log1p", {}], ["Sqrt", {}], ["Rsqrt", {}], ["Square", {}], ["Neg", {}], ["Abs", {}],
    ["Reciprocal", {}], ["Step", { alpha: 0.25 }], ["Step", { alpha: 0 }],
  ];
  for (const [i, [op, attrs]] of ops.entries()) {
    for (const [j, shape] of SHAPES.entries()) {
      test(`${op} ${JSON.stringify(attrs)} on ${shape.join("×")}`, async () => {
        const [lo, hi] = positive.has(op) ? [0.05, 4] : [-8, 8];
        await compareKernel(op, { x: randomInput(shape, 1000 + 10 * i + j, lo, hi) }, attrs);
      });
    }
  }
});

describe("native Step (half of every ReLU gradient)", { skip }, () => {
  // Its float32 path is a hand-written loop: NaN, signed zeros and infinities must come out as tfjs's.
  const special = Float32Array.from([NaN, 0, -0, Infinity, -Infinity, 1e-30, -1e-30, 3, -3]);
  test("NaN kept, zeros and negatives to alpha, positives to 1", async () => {
    await compareKernel("Step", { x: { shape: [9], values: special } }, { alpha: 0.5 });
  });
  for (const alpha of [0.25, -2]) {
    test(`int32 input keeps its dtype, alpha ${alpha}`, async () => {
      await compareKernel("Step", { x: { shape: [5], values: Int32Array.from([-2, -1, 0, 1, 2]), dtype: "int32" } }, { alpha });
    });
  }
  test("an activation-sized tensor (split across threads)", async () => {
    await compareKernel("Step", { x: randomInput([4, 26, 26, 32], 1900) }, { alpha: 0 });
  });
});

describe("native binary kernels with broadcasting", { skip }, () => {
  const pairs: [number[], number[]][] = [
    [[7], [7]], [[3, 5], [5]], [[3, 5], [3, 1]], [[], [2, 3]], [[2, 1, 4], [3, 1]], [[2, 3, 4, 5], [5]], [[4, 6], []],
  ];
  for (const [i, op] of ["Add", "Sub", "Multiply", "RealDiv", "Maximum", "Minimum", "SquaredDifference"].entries()) {
    for (const [j, [a, b]] of pairs.entries()) {
      test(`${op} ${a.join("×") || "scalar"} with ${b.join("×") || "scalar"}`, async () => {
        const bInput = op === "RealDiv" ? randomInput(b, 2000 + 10 * i + j, 0.5, 2) : randomInput(b, 2000 + 10 * i + j);
        await compareKernel(op, { a: randomInput(a, 2100 + 10 * i + j), b: bInput });
      });
    }
  }
});

describe("native reductions", { skip }, () => {
  const cases: [number[], number | number[] | null][] = [
    [[7], 0], [[3, 5], 1], [[3, 5], 0], [[2, 3, 4], [0, 2]], [[2, 3, 4], null], [[4, 1, 6], -1],
  ];
  for (const [i, op] of ["Sum", "Mean", "Max", "Min"].entries()) {
    for (const [j, [shape, axis]] of cases.entries()) {
      for (const keepDims of [false, true]) {
        test(`${op} of ${shape.join("×")} over ${JSON.stringify(axis)}${keepDims ? ", keepDims" : ""}`, async () => {
          const attrs = op === "Max" ? { reductionIndices: axis, keepDims } : { axis, keepDims };
          await compareKernel(op, { x: randomInput(shape, 3000 + 10 * i + j) }, attrs as never, 1e-5);
        });
      }
    }
  }
  for (const [i, op] of ["ArgMax", "ArgMin"].entries()) {
    for (const [j, [shape, axis]] of [[[7], 0], [[3, 5], 1], [[3, 5], 0], [[2, 3, 4], 1]].entries() as Iterable<[number, [number[], number]]>) {
      test(`${op} of ${shape.join("×")} over ${axis}`, async () => {
        await compareKernel(op, { x: randomInput(shape, 3100 + 10 * i + j) }, { axis });
      });
    }
  }
});

describe("native AddN, Softmax, Transpose, GatherV2", { skip }, () => {
  test("AddN of three 3×4", async () => {
    await compareKernel("AddN", [randomInput([3, 4], 4000), randomInput([3, 4], 4001), randomInput([3, 4], 4002)]);
  });
  for (const [j, shape] of [[1, 1], [4, 10], [2, 3, 7], [64, 10]].entries()) {
    test(`Softmax of ${shape.join("×")}`, async () => {
      await compareKernel("Softmax", { logits: randomInput(shape, 4100 + j, -5, 5) }, { dim: -1 }, 1e-5);
    });
  }
  for (const [j, [shape, perm]] of [[[3, 5], [1, 0]], [[2, 3, 4], [2, 0, 1]], [[2, 3, 4, 5], [0, 3, 1, 2]]].entries() as Iterable<[number, [number[], number[]]]>) {
    test(`Transpose ${shape.join("×")} by ${perm.join(",")}`, async () => {
      await compareKernel("Transpose", { x: randomInput(shape, 4200 + j) }, { perm });
    });
  }
  const gathers: [number[], number[], number, number[]][] = [
    [[10, 4], [3], 0, [7, 0, 7]], [[5, 6], [2, 2], 1, [5, 0, 1, 3]], [[3, 4, 2], [4], 1, [3, 3, 2, 0]], [[8], [1], 0, [4]],
  ];
  for (const [j, [shape, indexShape, axis, indices]] of gathers.entries()) {
    test(`GatherV2 of ${shape.join("×")} along ${axis} by ${indexShape.join("×")} indices`, async () => {
      await compareKernel("GatherV2",
        { x: randomInput(shape, 4300 + j), indices: { shape: indexShape, values: Int32Array.from(indices), dtype: "int32" } },
        { axis, batchDims: 0 });
    });
  }
});
