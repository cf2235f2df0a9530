// Native Conv2D, FusedConv2D and the convolution gradients against TensorFlow.js's cpu kernels.
import { describe, test } from "node:test";
import { compareKernel, randomInput, skip } from "./helpers";

interface ConvCase {
  x: number[]; // NHWC
  filter: number[]; // HWIO
  strides: number | [number, number];
  pad: "same" | "valid" | number;
  dilations?: number | [number, number];
}

// Batch 1 and more, odd sizes, 1 and several channels, even kernels ("same" pads asymmetrically),
// strides, explicit padding.
const CASES: ConvCase[] = [
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 2], strides: 1, pad: "valid" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same" },
  { x: [3, 8, 6, 2], filter: [2, 2, 2, 5], strides: 1, pad: "same" },
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: "same" },
  { x: [1, 10, 11, 4], filter: [5, 3, 4, 3], strides: [2, 3], pad: "valid" },
  { x: [2, 6, 6, 3], filter: [1, 1, 3, 6], strides: 1, pad: "valid" },
  { x: [1, 7, 7, 2], filter: [3, 3, 2, 3], strides: 1, pad: 1 },
  { x: [4, 28, 28, 1], filter: [3, 3, 1, 8], strides: 1, pad: "valid" },
];

const DILATED: ConvCase[] = [
  { x: [2, 9, 9, 2], filter: [3, 3, 2, 3], strides: 1, pad: "same", dilations: 2 },
  { x: [1, 11, 8, 3], filter: [2, 3, 3, 2], strides: 1, pad: "valid", dilations: [2, 1] },
];

const label = (c: ConvCase) => `x ${c.x.join("×")}, filter ${c.filter.join("×")}, strides ${c.strides}, pad ${c.pad}${c.dilations ? `, dilations ${c.dilations}` : ""}`;

function outShape(c: ConvCase): number[] {
  const [n, h, w] = c.x as [number, number, number, number];
  const [fh, fw, , co] = c.filter as [number, number, number, number];
  const [sh, sw] = typeof c.strides === "number" ? [c.strides, c.strides] : c.strides;
  if (c.pad === "same") return [n, Math.ceil(h / sh), Math.ceil(w / sw), co];
  const p = c.pad === "valid" ? 0 : c.pad;
  return [n, Math.floor((h + 2 * p - fh) / sh) + 1, Math.floor((w + 2 * p - fw) / sw) + 1, co];
}

describe("native Conv2D", { skip }, () => {
  for (const [i, c] of [...CASES, ...DILATED].entries()) {
    test(label(c), async () => {
      await compareKernel("Conv2D", { x: randomInput(c.x, 10 + i), filter: randomInput(c.filter, 20 + i) },
        { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dilations: c.dilations ?? 1 });
    });
  }
});

describe("native FusedConv2D", { skip }, () => {
  const activations = ["linear", "relu", "relu6", "sigmoid", "leakyrelu", "elu"];
  for (const [i, activation] of activations.entries()) {
    const c = CASES[(i + 1) % CASES.length] as ConvCase;
    test(`${activation}, bias, ${label(c)}`, async () => {
      const filter = randomInput(c.filter, 40 + i);
      await compareKernel("FusedConv2D",
        { x: randomInput(c.x, 30 + i), filter, bias: randomInput([c.filter[3] as number], 50 + i) },
        { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dilations: 1, activation, leakyreluAlpha: 0.1 });
    });
  }
  test(`relu without bias, dilated, ${label(DILATED[0] as ConvCase)}`, async () => {
    const c = DILATED[0] as ConvCase;
    await compareKernel("FusedConv2D", { x: randomInput(c.x, 60), filter: randomInput(c.filter, 61) },
      { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dilations: c.dilations ?? 1, activation: "relu" });
  });
});

describe("native Conv2DBackpropInput", { skip }, () => {
  for (const [i, c] of CASES.entries()) {
    test(label(c), async () => {
      await compareKernel("Conv2DBackpropInput", { dy: randomInput(outShape(c), 70 + i), filter: randomInput(c.filter, 80 + i) },
        { strides: c.strides, pad: c.pad, dataFormat: "NHWC", inputShape: c.x });
    });
  }
});

describe("native Conv2DBackpropFilter", { skip }, () => {
  for (const [i, c] of CASES.entries()) {
    test(label(c), async () => {
      await compareKernel("Conv2DBackpropFilter", { x: randomInput(c.x, 90 + i), dy: randomInput(outShape(c), 100 + i) },
        { strides: c.strides, pad: c.pad, dataFormat: "NHWC", filterShape: c.filter });
    });
  }
});
