// The exercise helpers every cell sees: a pass prints ✓, a failure throws CheckFailed with the
// message and, on its own line, the hint (which `course grade` and the feedback page read back).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { check, CheckFailed, expect, splitHint } from "../../kernel/course/checks";

function failure(fn: () => void): CheckFailed {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CheckFailed, `a CheckFailed, not ${String(e)}`);
    return e;
  }
  assert.fail("expected the check to fail");
}

test("check passes quietly with a ✓ and fails with message and hint", (t) => {
  const logged: string[] = [];
  t.mock.method(console, "log", (line: string) => logged.push(line));
  check(1 + 1 === 2, "arithmetic works");
  assert.deepEqual(logged, ["✓ arithmetic works"]);
  const e = failure(() => check(false, "row sums are [6, 15]", { hint: "sum along axis 1" }));
  assert.equal(e.name, "CheckFailed");
  assert.equal(e.message, "Check failed: row sums are [6, 15]\nHint: sum along axis 1");
  assert.deepEqual(splitHint(e.message), { message: "Check failed: row sums are [6, 15]", hint: "sum along axis 1" });
  assert.deepEqual(splitHint("plain"), { message: "plain" });
});

test("expect matchers compare numbers, arrays and tensors", (t) => {
  t.mock.method(console, "log", () => undefined);
  expect(tf.tensor([6, 15])).toBeCloseTo([6, 15.000001]);
  expect(0.1 + 0.2).toBeCloseTo(0.3);
  expect([[1, 2], [3, 4]]).toBeCloseTo(tf.tensor2d([[1, 2], [3, 4]]));
  expect({ a: [1, 2] }).toEqual({ a: [1, 2] });
  expect(tf.zeros([2, 3])).toHaveShape([2, 3]);
  expect(() => JSON.parse("{")).toThrow(/JSON/);
  expect(3).toBeGreaterThan(2);
  const close = failure(() => expect(tf.tensor([6, 16])).toBeCloseTo([6, 15], { hint: "sum(1)" }));
  assert.match(close.message, /^Check failed: expected tensor of shape \[2\] \[6,16\] to be within 0\.00001 of \[6,15\] \(element 1: 16 vs 15\)\nHint: sum\(1\)$/);
  assert.match(failure(() => expect([1, 2]).toBeCloseTo([1, 2, 3])).message, /expected 3 numbers close to \[1,2,3\], got 2/);
  assert.match(failure(() => expect(tf.zeros([3])).toHaveShape([2, 3])).message, /expected shape \[2,3\], got \[3\]/);
  assert.match(failure(() => expect(() => 1).toThrow()).message, /to throw/);
  assert.match(failure(() => expect(1).toBe(2)).message, /expected 2, got 1/);
  assert.throws(() => check(true, ""), TypeError);
});
