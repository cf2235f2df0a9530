// Shared by the native backend tests: registers the backend (or explains why the tests skip), and
// runs one kernel on the native path and on TensorFlow.js's own cpu kernel for comparison.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { addonBuilt } from "../../kernel/backends/native/addon";
import { nativeAddon, nativeKernels, registerNativeBackend } from "../../kernel/backends/native/index";
import type { NativeBackend } from "../../kernel/backends/native/backend";
import type { NativeKernel } from "../../kernel/backends/native/context";

export { tf };
import { random } from "../helpers/random";
export { random };

const registration = registerNativeBackend(tf);

// Not built (no libtorch here) is a reason to skip, said loudly; built but failing to load is a bug.
if (!registration.ok && addonBuilt()) throw new Error(`The native addon is built but does not load: ${registration.reason}`);

/** undefined when the native backend is available; otherwise why its tests are skipped. */
export const skip: string | undefined = registration.ok ? undefined : `native addon not built (npm run build:native): ${registration.reason}`;
if (skip) process.stderr.write(`\n*** SKIPPING native backend tests: ${skip} ***\n\n`);

let kernels: Map<string, NativeKernel> | undefined;

function kernel(name: string): NativeKernel {
  const addon = nativeAddon();
  if (addon === undefined) throw new Error("native addon not loaded");
  kernels ??= new Map(nativeKernels({ tf, addon }).map((k) => [k.name, k]));
  const found = kernels.get(name);
  if (found === undefined) throw new Error(`no native kernel ${name}`);
  return found;
}

export interface Input {
  shape: number[];
  values: Float32Array | Int32Array;
  dtype?: "float32" | "int32";
}

export function randomInput(shape: number[], seed: number, lo = -1, hi = 1): Input {
  return { shape, values: random(shape.reduce((a, b) => a * b, 1), seed, lo, hi) };
}

interface Result {
  shape: number[];
  dtype: string;
  values: ArrayLike<number>;
}

/** Named inputs, or a list (AddN takes its tensors as an array). */
export type Inputs = Record<string, Input> | Input[];

function makeInputs(inputs: Inputs): Record<string, tf.Tensor> {
  const make = (input: Input) => tf.tensor(input.values, input.shape, input.dtype ?? "float32");
  if (Array.isArray(inputs)) return inputs.map(make) as unknown as Record<string, tf.Tensor>;
  const out: Record<string, tf.Tensor> = {};
  for (const [name, input] of Object.entries(inputs)) out[name] = make(input);
  return out;
}

/** The native kernel's result; fails the test when the native path declined these inputs. */
export async function runNative(name: string, inputs: Inputs, attrs: tf.NamedAttrMap = {}): Promise<Result> {
  await tf.setBackend("native");
  const backend = tf.backend() as NativeBackend;
  const tensors = makeInputs(inputs);
  try {
    const info = kernel(name).run({ inputs: tensors, backend, attrs });
    assert.ok(info !== null, `the native ${name} kernel declined inputs it should serve`);
    const values = Array.from(backend.readSync(info.dataId) as Float32Array);
    backend.disposeData(info.dataId);
    return { shape: info.shape, dtype: info.dtype, values };
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
}

export async function runCpu(name: string, inputs: Inputs, attrs: tf.NamedAttrMap = {}): Promise<Result> {
  await tf.setBackend("cpu");
  const tensors = makeInputs(inputs);
  try {
    const result = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor;
    const values = Array.from(result.dataSync());
    const out = { shape: result.shape, dtype: result.dtype, values };
    result.dispose();
    return out;
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-4, what = "values"): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    const limit = tolerance * Math.max(1, Math.abs(e));
    assert.ok(Math.abs(a - e) <= limit, `${what}[${i}]: native ${a}, cpu ${e} (tolerance ${limit})`);
  }
}

/** Runs a kernel natively and on the cpu kernel and asserts equal shapes, dtypes and values. */
export async function compareKernel(name: string, inputs: Inputs, attrs: tf.NamedAttrMap = {}, tolerance = 1e-4): Promise<void> {
  const expected = await runCpu(name, inputs, attrs);
  const actual = await runNative(name, inputs, attrs);
  assert.deepEqual(actual.shape, expected.shape, `${name}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${name}: dtype`);
  assertClose(actual.values, expected.values, tolerance, name);
}
