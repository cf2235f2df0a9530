// The digits the training bench feeds every backend: the `mnist` package's samples, written once to a
// binary file (float32 pixels, then int32 labels) so that TensorFlow.js and PyTorch train on exactly
// the same samples in the same order.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

interface MnistSample {
  input: number[];
  output: number[];
}
interface Mnist {
  set(training: number, test: number): { training: MnistSample[]; test: MnistSample[] };
}

export const PIXELS = 28 * 28;

export interface Digits {
  images: Float32Array; // count × 784, in [0, 1]
  labels: Int32Array; // count
  count: number;
}

export function loadDigits(count: number): Digits {
  const mnist = createRequire(__filename)("mnist") as Mnist;
  const samples = mnist.set(count, 10).training.slice(0, count);
  const images = new Float32Array(samples.length * PIXELS);
  const labels = new Int32Array(samples.length);
  samples.forEach((sample, i) => {
    images.set(sample.input, i * PIXELS);
    labels[i] = sample.output.indexOf(1);
  });
  return { images, labels, count: samples.length };
}

export function writeDigits(path: string, digits: Digits): void {
  const bytes = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength); // views may share a buffer
  writeFileSync(path, Buffer.concat([bytes(digits.images), bytes(digits.labels)]));
}

/** The first `count` samples (at most the file's) of a file written by writeDigits. */
export function readDigits(bytes: Buffer, count: number): Digits {
  const copy = new Uint8Array(bytes).buffer; // aligned copy for the typed-array views
  const stored = bytes.length / (PIXELS * 4 + 4); // the labels follow all the images
  const n = Math.min(count, stored);
  return {
    images: new Float32Array(copy, 0, n * PIXELS),
    labels: new Int32Array(copy, stored * PIXELS * 4, n),
    count: n,
  };
}
