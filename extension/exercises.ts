/**
 * "Glassbox: Check Exercises": scores a notebook's autograded test cells (nbgrader metadata, as
 * `glassbox course release` writes them) from how their run ended. Editor-independent, so it is
 * tested without VS Code; extension.ts runs the cells and shows the result.
 */
import type { CellOutcome } from "./controller";

export interface CellView {
  kind: "code" | "markup";
  /** The cell's metadata as the editor holds it (the ipynb serializer nests the file's under `metadata`). */
  metadata: Record<string, unknown>;
  /** How its run ended; undefined when it did not run. */
  outcome?: CellOutcome;
}

export interface ExerciseResult {
  gradeId: string;
  points: number;
  maxPoints: number;
  status: "passed" | "failed" | "not run";
  message?: string;
}

interface Nbgrader {
  grade?: boolean;
  solution?: boolean;
  grade_id?: string;
  points?: number;
}

function nbgrader(metadata: Record<string, unknown>): Nbgrader | undefined {
  const inner = (metadata.metadata ?? (metadata.custom as { metadata?: unknown } | undefined)?.metadata ?? metadata) as { nbgrader?: Nbgrader };
  return inner?.nbgrader;
}

/** Indexes of the autograded test cells. */
export function testCellIndexes(cells: CellView[]): number[] {
  return cells.flatMap((c, i) => {
    const m = nbgrader(c.metadata);
    return c.kind === "code" && m?.grade && !m.solution ? [i] : [];
  });
}

export function scoreExercises(cells: CellView[]): { results: ExerciseResult[]; total: number; maxTotal: number } {
  const results = testCellIndexes(cells).map((i): ExerciseResult => {
    const { metadata, outcome } = cells[i];
    const m = nbgrader(metadata)!;
    const maxPoints = typeof m.points === "number" ? m.points : 0;
    const gradeId = m.grade_id ?? `cell ${i + 1}`;
    if (!outcome || outcome.status === "aborted") return { gradeId, points: 0, maxPoints, status: "not run" };
    if (outcome.status === "error") {
      const message = outcome.error ? `${outcome.error.ename}: ${outcome.error.evalue}` : "the cell failed";
      return { gradeId, points: 0, maxPoints, status: "failed", message };
    }
    return { gradeId, points: maxPoints, maxPoints, status: "passed" };
  });
  return { results, total: results.reduce((s, r) => s + r.points, 0), maxTotal: results.reduce((s, r) => s + r.maxPoints, 0) };
}

/** One line for the notification, then one per failing test with its message (hint included). */
/** The words of a score, so the editor can show them in its display language. */
export interface ScoreWords {
  head(total: number, maxTotal: number, passed: number, tests: number): string;
  notRun: string;
  failed: string;
}

const ENGLISH: ScoreWords = {
  head: (total, maxTotal, passed, tests) => `Exercises: ${total} / ${maxTotal} points (${passed} of ${tests} tests pass).`,
  notRun: "not run",
  failed: "failed",
};

export function describeScore(score: ReturnType<typeof scoreExercises>, words: ScoreWords = ENGLISH): string {
  const passed = score.results.filter((r) => r.status === "passed").length;
  const head = words.head(score.total, score.maxTotal, passed, score.results.length);
  const failing = score.results.filter((r) => r.status !== "passed").map((r) => `✗ ${r.gradeId}: ${r.status === "not run" ? words.notRun : (r.message ?? words.failed).replace(/\n/g, " ")}`);
  return [head, ...failing].join("\n");
}
