// Shared by the native backend tests: registers the backend (or explains why the tests skip), and runs
// one kernel through the engine on the native backend and on TensorFlow.js's cpu backend to compare.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { addonBuilt } from "../../kernel/backends/native/addon";
import { nativeStatus, registerNativeBackend } from "../../kernel/backends/native/index";

export { tf };
import { random } from "../helpers/random";
export { random };

const registration = registerNativeBackend(tf);

/**
 * Why the native tests skip: only when the addon is not built (no libtorch here). An addon that is
 * built but fails to load is a failure, so then nothing skips and every test reports the reason.
 */
export const skip: string | false = addonBuilt() ? false : "native addon not built (npm run build:native; needs libtorch)";
if (skip) process.stderr.write(`\n*** SKIPPING native backend tests: ${skip} ***\n\n`);

/** Throws the registration failure (built addon that does not load) so tests fail with its reason. */
export function assertRegistered(): void {
  if (!registration.ok) assert.fail(`the native backend failed to register: ${registration.reason}`);
}

/** Switches backend, failing the test when it cannot (a native backend that did not register). */
export async function useBackend(name: string): Promise<void> {
  if (name === "native") assertRegistered();
  assert.ok(await tf.setBackend(name), `could not switch to the ${name} backend`);
}

/** Host-fallback counts so far, by kernel name. */
export function fallbackCounts(): Map<string, number> {
  return new Map(nativeStatus()?.fallback.counts ?? []);
}

/** The kernels that took the host fallback while fn ran. */
export async function fallbacksDuring(fn: () => unknown): Promise<string[]> {
  const before = fallbackCounts();
  await fn();
  const after = fallbackCounts();
  return [...after.entries()].filter(([name, n]) => n !== (before.get(name) ?? 0)).map(([name, n]) => `${name} x${n - (before.get(name) ?? 0)}`);
}

export interface Input {
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
  dtype?: "float32" | "int32" | "bool";
}

export function randomInput(shape: number[], seed: number, lo = -1, hi = 1): Input {
  return { shape, values: random(shape.reduce((a, b) => a * b, 1), seed, lo, hi) };
}

export function randomInts(shape: number[], seed: number, lo: number, hi: number): Input {
  return { shape, values: Int32Array.from(random(shape.reduce((a, b) => a * b, 1), seed, lo, hi), Math.floor), dtype: "int32" };
}

export function randomBools(shape: number[], seed: number): Input {
  return { shape, values: Uint8Array.from(random(shape.reduce((a, b) => a * b, 1), seed, 0, 1), (v) => (v > 0.5 ? 1 : 0)), dtype: "bool" };
}

interface Result {
  shape: number[];
  dtype: string;
  values: number[];
}

/** Named inputs, or a list (AddN, Concat and Pack take their tensors as an array). */
export type Inputs = Record<string, Input> | Input[];

function makeInputs(inputs: Inputs): Record<string, tf.Tensor> {
  const make = (input: Input) => tf.tensor(input.values, input.shape, input.dtype ?? "float32");
  if (Array.isArray(inputs)) return inputs.map(make) as unknown as Record<string, tf.Tensor>;
  const out: Record<string, tf.Tensor> = {};
  for (const [name, input] of Object.entries(inputs)) out[name] = make(input);
  return out;
}

/** Runs a kernel through the engine on a backend; its outputs (one or several), read and disposed. */
export async function runOn(backend: string, name: string, inputs: Inputs, attrs: tf.NamedAttrMap = {}): Promise<Result[]> {
  if (backend === "native") assertRegistered();
  await tf.setBackend(backend);
  const tensors = makeInputs(inputs);
  try {
    const out = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(out) ? out : [out];
    const results = list.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) }));
    tf.dispose(list);
    return results;
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

/** Runs a kernel on the native backend and on the cpu backend and asserts equal shapes, dtypes and
 * values, and that the native backend served it (no host fallback). */
export async function compareKernel(name: string, inputs: Inputs, attrs: tf.NamedAttrMap = {}, tolerance = 1e-4): Promise<void> {
  const expected = await runOn("cpu", name, inputs, attrs);
  let actual: Result[] = [];
  const fallbacks = await fallbacksDuring(async () => (actual = await runOn("native", name, inputs, attrs)));
  assert.deepEqual(fallbacks, [], `${name} took the host fallback`);
  assert.equal(actual.length, expected.length, `${name}: number of outputs`);
  expected.forEach((e, i) => {
    const a = actual[i] as Result;
    assert.deepEqual(a.shape, e.shape, `${name}: shape of output ${i}`);
    assert.equal(a.dtype, e.dtype, `${name}: dtype of output ${i}`);
    assertClose(a.values, e.values, tolerance, `${name} output ${i}`);
  });
}
