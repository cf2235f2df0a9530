/**
 * The student version of a course notebook (what `nbgrader generate_assignment` makes, for
 * TypeScript): solution regions become a stub that says what to do, hidden tests go, outputs are
 * cleared, locked cells are marked read-only and checksummed. Metadata is kept, so nbgrader and
 * `glassbox course grade` can both grade what students hand back.
 */
import { sourceText, type Cell, type Notebook } from "../run/notebook";
import { cellLabel, computeChecksum, CourseError, HIDDEN_TESTS, isAutograded, isLocked, readCourse, replaceRegions, SOLUTION, type NbgraderMeta } from "./nbgrader";

/** The stub that replaces a solution: runs, and fails with a message telling the student what to do. */
export function codeStub(gradeId: string, indent = ""): string[] {
  return [
    `${indent}// YOUR CODE HERE`,
    `${indent}throw new Error(${JSON.stringify(`Exercise "${gradeId}" is not done yet: replace this line with your answer, then run the cell and the test below it.`)});`,
  ];
}

export const MARKDOWN_STUB = "YOUR ANSWER HERE";

export interface ReleaseSummary {
  solutions: number;
  hiddenTests: number;
  tests: number;
}

/** Returns the student version of `source` (a new notebook; `source` is not changed). */
export function releaseNotebook(source: Notebook, label: string): { notebook: Notebook; summary: ReleaseSummary } {
  const metas = readCourse(source, label);
  const summary: ReleaseSummary = { solutions: 0, hiddenTests: 0, tests: 0 };
  const cells = source.cells.map((original, i): Cell => {
    const meta = metas[i];
    const at = cellLabel(label, i, original);
    let text = sourceText(original.source);
    if (original.cell_type === "code") {
      const stubbed = replaceRegions(text, SOLUTION, at, (indent) => codeStub(meta?.grade_id ?? "exercise", indent));
      if (stubbed !== undefined) {
        if (!meta?.solution) throw new CourseError(`${at} has a // BEGIN SOLUTION region but is not a solution cell; mark it with nbgrader "solution": true, or remove the markers.`);
        text = stubbed;
        summary.solutions++;
      } else if (meta?.solution) {
        // A solution cell without markers is all solution.
        text = codeStub(meta.grade_id!).join("\n");
        summary.solutions++;
      }
      const visible = replaceRegions(text, HIDDEN_TESTS, at);
      if (visible !== undefined) {
        if (!isAutograded(original, meta)) throw new CourseError(`${at} has a // BEGIN HIDDEN TESTS region but is not an autograded test cell (nbgrader "grade": true, "solution": false).`);
        text = visible.replace(/\n+$/, "");
        summary.hiddenTests++;
      }
      if (isAutograded(original, meta)) summary.tests++;
    } else if (meta?.solution) {
      text = MARKDOWN_STUB;
      summary.solutions++;
    }
    const metadata: Record<string, unknown> = { ...original.metadata };
    if (meta) {
      const nbgrader: NbgraderMeta = { ...meta };
      delete nbgrader.checksum;
      delete nbgrader.cell_type;
      metadata.nbgrader = nbgrader;
    }
    const cell: Cell =
      original.cell_type === "code"
        ? { cell_type: "code", id: original.id, source: text, metadata, execution_count: null, outputs: [] }
        : { ...original, source: text, metadata };
    if (meta && (meta.grade || meta.solution || meta.locked)) {
      const nbgrader = metadata.nbgrader as NbgraderMeta;
      nbgrader.checksum = computeChecksum(cell, nbgrader);
      nbgrader.cell_type = cell.cell_type;
      // What nbgrader's LockCells does: answers cannot be deleted, locked cells cannot be edited either.
      metadata.deletable = false;
      if (isLocked(meta)) metadata.editable = false;
    }
    return cell;
  });
  return { notebook: { ...source, metadata: { ...source.metadata }, cells }, summary };
}
