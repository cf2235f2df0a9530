// A small course notebook in nbgrader's format (schema version 3) and the submissions the grading
// tests hand in: written as a teacher and as students would.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

type Meta = { grade_id: string; grade?: boolean; solution?: boolean; locked?: boolean; points?: number };
type Spec = { code: string; nbgrader?: Meta } | { markdown: string };

function nbgrader(m: Meta) {
  return { schema_version: 3, grade: !!m.grade, locked: !!m.locked, solution: !!m.solution, grade_id: m.grade_id, ...(m.grade ? { points: m.points } : {}) };
}

export function notebook(cells: Spec[]): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "glassbox", display_name: "Glassbox (TypeScript)", language: "typescript" } },
    cells: cells.map((c, i) =>
      "markdown" in c
        ? { cell_type: "markdown", id: `c${i}`, metadata: {}, source: c.markdown }
        : { cell_type: "code", id: `c${i}`, metadata: c.nbgrader ? { nbgrader: nbgrader(c.nbgrader) } : {}, execution_count: 3, outputs: [{ output_type: "stream", name: "stdout", text: "old output\n" }], source: c.code },
    ),
  };
}

export const SOLUTION_TEXT = "xs.reduce((a, b) => a + b, 0) / xs.length";
export const HIDDEN_TEXT = "the mean of one number is that number";

export const SOURCE: Spec[] = [
  { markdown: "# Means and squares\nWrite the functions below." },
  { code: "const data = [1, 2, 3, 4];", nbgrader: { grade_id: "setup", locked: true } },
  {
    code: `function mean(xs: number[]): number {\n  // BEGIN SOLUTION\n  return ${SOLUTION_TEXT};\n  // END SOLUTION\n}`,
    nbgrader: { grade_id: "mean-answer", solution: true },
  },
  {
    code: `expect(mean(data)).toBeCloseTo(2.5, { hint: "add the numbers, then divide by how many there are" });\n// BEGIN HIDDEN TESTS\ncheck(mean([10]) === 10, "${HIDDEN_TEXT}", { hint: "try a list of one number" });\n// END HIDDEN TESTS`,
    nbgrader: { grade_id: "test-mean", grade: true, locked: true, points: 2 },
  },
  { code: "function square(x: number): number {\n  // BEGIN SOLUTION\n  return x * x;\n  // END SOLUTION\n}", nbgrader: { grade_id: "square-answer", solution: true } },
  { code: `check(square(3) === 9, "3² = 9", { hint: "multiply x by <itself> & check" });`, nbgrader: { grade_id: "test-square", grade: true, locked: true, points: 1 } },
  { markdown: "Now a loop." },
  { code: "function sumTo(n: number): number {\n  // BEGIN SOLUTION\n  let s = 0;\n  for (let i = 1; i <= n; i++) s += i;\n  return s;\n  // END SOLUTION\n}", nbgrader: { grade_id: "sum-answer", solution: true } },
  { code: `check(sumTo(4) === 10, "1 + 2 + 3 + 4 = 10");`, nbgrader: { grade_id: "test-sum", grade: true, locked: true, points: 3 } },
];

export function writeJson(path: string, value: unknown, makeDir = false): string {
  if (makeDir) mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 1));
  return path;
}
