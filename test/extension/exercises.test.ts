// "Glassbox: Check Exercises" scores test cells from how their run ended (no editor needed).
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeScore, scoreExercises, testCellIndexes, type CellView } from "../../extension/exercises";

const meta = (nbgrader: Record<string, unknown>) => ({ metadata: { nbgrader: { schema_version: 3, locked: false, ...nbgrader } } });
const cells: CellView[] = [
  { kind: "markup", metadata: {} },
  { kind: "code", metadata: meta({ grade_id: "a", solution: true, grade: false }), outcome: { status: "ok" } },
  { kind: "code", metadata: meta({ grade_id: "test-a", grade: true, solution: false, points: 2 }), outcome: { status: "ok" } },
  {
    kind: "code",
    metadata: meta({ grade_id: "test-b", grade: true, solution: false, points: 3 }),
    outcome: { status: "error", error: { ename: "CheckFailed", evalue: "Check failed: sums\nHint: axis 1" } },
  },
  // The older ipynb serializer keeps the file's metadata under custom.metadata.
  { kind: "code", metadata: { custom: { metadata: { nbgrader: { grade_id: "test-c", grade: true, solution: false, points: 1 } } } } },
  { kind: "code", metadata: meta({ grade_id: "test-d", grade: true, solution: false, points: 1 }), outcome: { status: "aborted" } },
];

test("test cells are the graded code cells that are not answers", () => {
  assert.deepEqual(testCellIndexes(cells), [2, 3, 4, 5]);
});

test("a test scores its points when it ran without error; failures keep their message and hint", () => {
  const score = scoreExercises(cells);
  assert.equal(score.total, 2);
  assert.equal(score.maxTotal, 7);
  assert.deepEqual(
    score.results.map((r) => [r.gradeId, r.points, r.status]),
    [
      ["test-a", 2, "passed"],
      ["test-b", 0, "failed"],
      ["test-c", 0, "not run"],
      ["test-d", 0, "not run"],
    ],
  );
  assert.equal(
    describeScore(score),
    "Exercises: 2 / 7 points (1 of 4 tests pass).\n✗ test-b: CheckFailed: Check failed: sums Hint: axis 1\n✗ test-c: not run\n✗ test-d: not run",
  );
});
