// The native ReLU gradient (one GlassboxReluGrad kernel instead of tfjs's mul(dy, cast(step(x))))
// against the cpu backend's, including NaN, signed zeros and infinities, and gradients of gradients.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RELU_GRAD } from "../../kernel/backends/native/gradients";
import { assertClose, random, skip, tf, useBackend } from "./helpers";

/** The gradient of sum(relu(x) * w) with respect to x (dy = w), its values, and the kernels it ran. */
async function reluGradient(backend: string, x: Float32Array, w: Float32Array, shape: number[]): Promise<{ values: number[]; kernels: string[] }> {
  await useBackend(backend);
  const xt = tf.tensor(x, shape);
  const wt = tf.tensor(w, shape);
  let grad: tf.Tensor | undefined;
  const profile = await tf.profile(() => {
    grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), wt)))(xt);
    return grad;
  });
  const values = Array.from((grad as tf.Tensor).dataSync());
  tf.dispose([xt, wt, grad as tf.Tensor]);
  return { values, kernels: profile.kernelNames };
}

/** Equal values, NaN where NaN (infinities included, which a relative tolerance cannot compare). */
function assertSame(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Number.isNaN(e) ? Number.isNaN(actual[i]) : actual[i] === e, `[${i}]: native ${actual[i]}, cpu ${e}`));
}

describe("native ReLU gradient", { skip }, () => {
  test("matches the cpu backend's on special values, in one kernel", async () => {
    const x = Float32Array.from([NaN, 0, -0, Infinity, -Infinity, 1e-30, -1e-30, 3, -3, 2, -2, 0]);
    const w = Float32Array.from([1, -2, 3, -4, 5, Infinity, -Infinity, NaN, NaN, -0, Infinity, -Infinity]);
    const expected = await reluGradient("cpu", x, w, [3, 4]);
    const actual = await reluGradient("native", x, w, [3, 4]);
    assertSame(actual.values, expected.values);
    assert.ok(actual.kernels.includes(RELU_GRAD), `kernels: ${actual.kernels.join(", ")}`);
    assert.ok(!actual.kernels.includes("Step"), `tfjs's gradient ran: ${actual.kernels.join(", ")}`);
  });

  test("matches on an activation-sized tensor (split across threads)", async () => {
    const shape = [8, 26, 26, 32];
    const n = shape.reduce((a, b) => a * b);
    const expected = await reluGradient("cpu", random(n, 51, -1, 1), random(n, 52, -1, 1), shape);
    const actual = await reluGradient("native", random(n, 51, -1, 1), random(n, 52, -1, 1), shape);
    assertSame(actual.values, expected.values);
  });

  test("gradients of the gradient match the cpu backend's", async () => {
    const x = random(24, 53, -1, 1);
    const run = async (backend: string) => {
      await useBackend(backend);
      const xt = tf.tensor(x, [4, 6]);
      // The outer tf.grad differentiates the inner ReLU gradient (GlassboxReluGrad) in both its inputs.
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.relu(u), u)))(v), v)))(xt);
      const values = Array.from(g.dataSync());
      tf.dispose([xt, g]);
      return values;
    };
    assertClose(await run("native"), await run("cpu"), 1e-6, "second-order gradient");
  });

  test("int32 ReLU keeps tfjs's gradient", async () => {
    await useBackend("native");
    const x = tf.tensor([-2, 0, 3], [3], "int32");
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x);
    assert.deepEqual(Array.from(g.dataSync()), [0, 0, 1]);
    tf.dispose([x, g]);
  });
});
