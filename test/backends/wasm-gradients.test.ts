// The wasm backend's added training kernels against TensorFlow.js's cpu kernels, and a training step
// of a small CNN on wasm against the same step on cpu.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmTrainingKernels } from "../../kernel/backends/wasm/gradients";
import { random } from "../helpers/random";

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const limit = tolerance * Math.max(1, Math.abs(expected[i] as number));
    assert.ok(Math.abs((actual[i] as number) - (expected[i] as number)) <= limit, `${what}[${i}]: wasm ${actual[i]}, cpu ${expected[i]}`);
  }
}

async function runOn(backend: string, name: string, inputs: Record<string, { shape: number[]; values: Float32Array }>, attrs: tf.NamedAttrMap) {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [key, v] of Object.entries(inputs)) tensors[key] = tf.tensor(v.values, v.shape);
  const out = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor;
  const result = { shape: out.shape, values: out.dataSync().slice() };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

interface FilterCase {
  x: number[];
  filter: number[];
  strides: number | [number, number];
  pad: "same" | "valid" | number;
  dataFormat?: "NHWC" | "NCHW";
}

const CASES: FilterCase[] = [
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 2], strides: 1, pad: "valid" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same" },
  { x: [3, 8, 6, 2], filter: [2, 2, 2, 5], strides: 1, pad: "same" },
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: "same" },
  { x: [1, 10, 11, 4], filter: [5, 3, 4, 3], strides: [2, 3], pad: "valid" },
  { x: [2, 6, 6, 3], filter: [1, 1, 3, 6], strides: 1, pad: "valid" },
  { x: [1, 7, 7, 2], filter: [3, 3, 2, 3], strides: 1, pad: 1 },
  { x: [2, 3, 7, 6], filter: [3, 3, 3, 4], strides: 1, pad: "same", dataFormat: "NCHW" },
];

function dyShape(c: FilterCase): number[] {
  const nchw = c.dataFormat === "NCHW";
  const [n, h, w] = nchw ? [c.x[0], c.x[2], c.x[3]] as number[] : c.x;
  const [fh, fw, , co] = c.filter as [number, number, number, number];
  const [sh, sw] = typeof c.strides === "number" ? [c.strides, c.strides] : c.strides;
  let oh: number, ow: number;
  if (c.pad === "same") [oh, ow] = [Math.ceil((h as number) / sh), Math.ceil((w as number) / sw)];
  else {
    const p = c.pad === "valid" ? 0 : c.pad;
    [oh, ow] = [Math.floor(((h as number) + 2 * p - fh) / sh) + 1, Math.floor(((w as number) + 2 * p - fw) / sw) + 1];
  }
  return nchw ? [n as number, co, oh, ow] : [n as number, oh, ow, co];
}

interface DepthwiseCase {
  x: number[];
  filter: number[]; // [kh, kw, C, multiplier]
  strides: number | [number, number];
  pad: "same" | "valid" | number;
  dilations?: number | [number, number];
}

// No dilations: TensorFlow.js's gradients refuse them (and its cpu kernels, the reference here,
// ignore them), so they never reach these kernels.
const DEPTHWISE: DepthwiseCase[] = [
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 1], strides: 1, pad: "valid" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 2], strides: 1, pad: "same" },
  { x: [3, 8, 6, 2], filter: [2, 2, 2, 3], strides: 1, pad: "same" },
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 1], strides: 2, pad: "same" },
  { x: [1, 10, 11, 4], filter: [5, 3, 4, 2], strides: [2, 3], pad: "valid" },
  { x: [1, 7, 7, 2], filter: [3, 3, 2, 1], strides: 1, pad: 1 },
];

function depthwiseDyShape(c: DepthwiseCase): number[] {
  const [n, h, w, ch] = c.x as [number, number, number, number];
  const [fh, fw, , mult] = c.filter as [number, number, number, number];
  const [sh, sw] = typeof c.strides === "number" ? [c.strides, c.strides] : c.strides;
  const [dh, dw] = c.dilations === undefined ? [1, 1] : typeof c.dilations === "number" ? [c.dilations, c.dilations] : c.dilations;
  if (c.pad === "same") return [n, Math.ceil(h / sh), Math.ceil(w / sw), ch * mult];
  const p = c.pad === "valid" ? 0 : c.pad;
  const eh = (fh - 1) * dh + 1;
  const ew = (fw - 1) * dw + 1;
  return [n, Math.floor((h + 2 * p - eh) / sh) + 1, Math.floor((w + 2 * p - ew) / sw) + 1, ch * mult];
}

describe("wasm depthwise convolution gradients", () => {
  before(async () => {
    registerWasmTrainingKernels(tf);
    assert.ok(await tf.setBackend("wasm"), "the wasm backend should initialise");
  });
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  for (const [i, c] of DEPTHWISE.entries()) {
    const label = `x ${c.x.join("×")}, filter ${c.filter.join("×")}, strides ${c.strides}, pad ${c.pad}, dilations ${c.dilations ?? 1}`;
    const attrs = { strides: c.strides, pad: c.pad, dilations: c.dilations ?? 1 };
    test(`DepthwiseConv2dNativeBackpropFilter: ${label}`, async () => {
      const inputs = { x: { shape: c.x, values: random(size(c.x), 40 + i) }, dy: { shape: depthwiseDyShape(c), values: random(size(depthwiseDyShape(c)), 50 + i) } };
      const cpu = await runOn("cpu", "DepthwiseConv2dNativeBackpropFilter", inputs, { ...attrs, filterShape: c.filter });
      const wasm = await runOn("wasm", "DepthwiseConv2dNativeBackpropFilter", inputs, { ...attrs, filterShape: c.filter });
      assert.deepEqual(wasm.shape, cpu.shape);
      assertClose(wasm.values, cpu.values, 1e-4, "dW");
    });
    test(`DepthwiseConv2dNativeBackpropInput: ${label}`, async () => {
      const inputs = { dy: { shape: depthwiseDyShape(c), values: random(size(depthwiseDyShape(c)), 60 + i) }, filter: { shape: c.filter, values: random(size(c.filter), 70 + i) } };
      const cpu = await runOn("cpu", "DepthwiseConv2dNativeBackpropInput", inputs, { ...attrs, inputShape: c.x });
      const wasm = await runOn("wasm", "DepthwiseConv2dNativeBackpropInput", inputs, { ...attrs, inputShape: c.x });
      assert.deepEqual(wasm.shape, cpu.shape);
      assertClose(wasm.values, cpu.values, 1e-4, "dx");
    });
  }
});

describe("wasm Conv2DBackpropFilter", () => {
  before(async () => {
    registerWasmTrainingKernels(tf);
    assert.ok(await tf.setBackend("wasm"), "the wasm backend should initialise");
  });
  for (const [i, c] of CASES.entries()) {
    test(`x ${c.x.join("×")} ${c.dataFormat ?? "NHWC"}, filter ${c.filter.join("×")}, strides ${c.strides}, pad ${c.pad}`, async () => {
      const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const inputs = { x: { shape: c.x, values: random(size(c.x), 10 + i) }, dy: { shape: dyShape(c), values: random(size(dyShape(c)), 20 + i) } };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? "NHWC", filterShape: c.filter };
      const cpu = await runOn("cpu", "Conv2DBackpropFilter", inputs, attrs);
      const wasm = await runOn("wasm", "Conv2DBackpropFilter", inputs, attrs);
      assert.deepEqual(wasm.shape, cpu.shape);
      assertClose(wasm.values, cpu.values, 1e-4, "dW");
    });
  }

  test("a CNN's gradients on wasm match the cpu backend, without leaking tensors", async () => {
    const grads: Float32Array[][] = [];
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const w1 = tf.tidy(() => tf.variable(tf.tensor4d(random(3 * 3 * 1 * 4, 30, -0.5, 0.5), [3, 3, 1, 4])));
      const w2 = tf.tidy(() => tf.variable(tf.tensor4d(random(3 * 3 * 4 * 3, 31, -0.5, 0.5), [3, 3, 4, 3])));
      const x = tf.tensor4d(random(2 * 12 * 12, 32, 0, 1), [2, 12, 12, 1]);
      const { value, grads: g } = tf.variableGrads(() => {
        const h = tf.maxPool(tf.relu(tf.conv2d(x, w1, 1, "same")), 2, 2, "valid");
        return tf.sum(tf.square(tf.conv2d(h, w2, 2, "valid")));
      }, [w1, w2]);
      grads.push([w1, w2].map((w) => (g[w.name] as tf.Tensor).dataSync().slice() as Float32Array));
      tf.dispose([w1, w2, x, value, ...Object.values(g)]);
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
    }
    grads[0]!.forEach((g, i) => assertClose(grads[1]![i] as Float32Array, g, 1e-4, `dW${i + 1}`));
  });
});
