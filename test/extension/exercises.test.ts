// "Glassbox: Check Exercises" scores test cells from what a run left in them (no editor needed).
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeScore, scoreExercises, testCellIndexes, type CellView } from "../../extension/exercises";
import { ERROR_MIME, STDOUT_MIME } from "../../extension/output-items";

const bytes = (text: string) => new TextEncoder().encode(text);
const meta = (nbgrader: Record<string, unknown>) => ({ metadata: { nbgrader: { schema_version: 3, locked: false, ...nbgrader } } });
const cells: CellView[] = [
  { kind: "markup", metadata: {}, outputs: [], success: undefined },
  { kind: "code", metadata: meta({ grade_id: "a", solution: true, grade: false }), outputs: [], success: true },
  { kind: "code", metadata: meta({ grade_id: "test-a", grade: true, solution: false, points: 2 }), outputs: [{ mime: STDOUT_MIME, data: bytes("✓ ok\n") }], success: true },
  {
    kind: "code",
    metadata: meta({ grade_id: "test-b", grade: true, solution: false, points: 3 }),
    outputs: [{ mime: ERROR_MIME, data: bytes(JSON.stringify({ name: "CheckFailed", message: "Check failed: sums\nHint: axis 1", stack: "" })) }],
    success: false,
  },
  // The older ipynb serializer keeps the file's metadata under custom.metadata.
  { kind: "code", metadata: { custom: { metadata: { nbgrader: { grade_id: "test-c", grade: true, solution: false, points: 1 } } } }, outputs: [], success: undefined },
];

test("test cells are the graded code cells that are not answers", () => {
  assert.deepEqual(testCellIndexes(cells), [2, 3, 4]);
});

test("a test scores its points when it ran without error; failures keep their message and hint", () => {
  const score = scoreExercises(cells);
  assert.equal(score.total, 2);
  assert.equal(score.maxTotal, 6);
  assert.deepEqual(
    score.results.map((r) => [r.gradeId, r.points, r.status]),
    [
      ["test-a", 2, "passed"],
      ["test-b", 0, "failed"],
      ["test-c", 0, "not run"],
    ],
  );
  assert.equal(describeScore(score), "Exercises: 2 / 6 points (1 of 3 tests pass).\n✗ test-b: CheckFailed: Check failed: sums Hint: axis 1\n✗ test-c: not run");
});
