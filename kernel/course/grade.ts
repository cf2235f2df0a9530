/**
 * Grades one submission against its source notebook: every locked and test cell is put back as the
 * source has it (hidden tests included, whatever the student did to them), the notebook runs in a
 * fresh kernel (kernel/run/execute.ts: a cell past the time limit is interrupted, a dead kernel is
 * replaced, and every cell runs), and each autograded test cell that ran without error earns its points.
 */
import { sourceText, type Cell, type CodeCell, type Notebook } from "../run/notebook";
import { executeNotebook } from "../run/execute";
import { stripAnsi } from "../outputs/text";
import { splitHint } from "./checks";
import { isAutograded, isLocked, readCourse, type NbgraderMeta } from "./nbgrader";
import { releaseNotebook } from "./release";

export interface TestResult {
  gradeId: string;
  points: number;
  maxPoints: number;
  status: "passed" | "failed" | "timed out" | "kernel died" | "missing";
  /** The failure as the student should read it (error name and message, no hint). */
  message?: string;
  hint?: string;
  /** The student changed this cell; it was graded as the source has it. */
  restored: boolean;
}

export interface SubmissionGrade {
  name: string;
  total: number;
  maxTotal: number;
  tests: TestResult[];
  ms: number;
}

/** The autograded test cells of a source notebook, in order: what the CSV's columns are. */
export function gradedCells(source: Notebook, label: string): { gradeId: string; points: number }[] {
  const metas = readCourse(source, label);
  return source.cells.flatMap((cell, i) => {
    const meta = metas[i];
    return isAutograded(cell, meta) ? [{ gradeId: meta.grade_id, points: meta.points }] : [];
  });
}

function gradeIdOf(cell: Cell): string | undefined {
  const meta = cell.metadata.nbgrader as Partial<NbgraderMeta> | undefined;
  return typeof meta === "object" && meta !== null && typeof meta.grade_id === "string" ? meta.grade_id : undefined;
}

function copy(cell: Cell): Cell {
  return JSON.parse(JSON.stringify(cell)) as Cell;
}

/**
 * The notebook to run: the submission's own cells (answers, and cells the student added) in its
 * order, with every locked cell taken from the source. A locked cell the student deleted goes back
 * after the source cell it followed. Returns the grade_ids whose text the student changed.
 */
export function assembleSubmission(source: Notebook, submission: Notebook, label: string): { notebook: Notebook; restored: Set<string> } {
  const metas = readCourse(source, label);
  const released = releaseNotebook(source, label).notebook;
  const locked = new Map<string, { cell: Cell; student: string; order: number }>();
  source.cells.forEach((cell, i) => {
    if (isLocked(metas[i])) locked.set(metas[i]!.grade_id!, { cell, student: sourceText(released.cells[i].source), order: i });
  });
  const restored = new Set<string>();
  const placed = new Set<string>();
  const cells: Cell[] = [];
  for (const cell of submission.cells) {
    const id = gradeIdOf(cell);
    const original = id !== undefined ? locked.get(id) : undefined;
    if (id !== undefined && original) {
      if (placed.has(id)) {
        restored.add(id); // a copy of a locked cell: dropped, the original runs once
        continue;
      }
      if (sourceText(cell.source).trimEnd() !== original.student.trimEnd() || cell.cell_type !== original.cell.cell_type) restored.add(id);
      cells.push(copy(original.cell));
      placed.add(id);
    } else {
      cells.push(copy(cell));
    }
  }
  // Locked cells the student deleted (or whose metadata they removed) go back where the source has them.
  for (const [id, { cell, order }] of locked) {
    if (placed.has(id)) continue;
    restored.add(id);
    let at = 0;
    for (let j = order - 1; j >= 0; j--) {
      const before = gradeIdOf(source.cells[j]);
      const k = before === undefined ? -1 : cells.findIndex((c) => gradeIdOf(c) === before);
      if (k >= 0) {
        at = k + 1;
        break;
      }
    }
    cells.splice(at, 0, copy(cell));
    placed.add(id);
  }
  for (const cell of cells) {
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  return { notebook: { ...submission, metadata: { ...submission.metadata }, cells }, restored };
}

export interface GradeOptions {
  /** The kernel's working folder (the source's folder, where the course's data is). */
  cwd: string;
  /** Per-cell limit in seconds. */
  timeout: number;
  env?: NodeJS.ProcessEnv;
  cli?: string;
  onLog?: (text: string) => void;
}

function resultOf(cell: CodeCell | undefined, gradeId: string, maxPoints: number, restored: boolean): TestResult {
  if (!cell) return { gradeId, points: 0, maxPoints, status: "missing", message: "This test cell was not found.", restored };
  const errors = cell.outputs.filter((o) => o.output_type === "error");
  const error = errors.find((o) => o.ename === "CellTimeoutError" || o.ename === "KernelDied") ?? errors[0];
  if (!error) return { gradeId, points: maxPoints, maxPoints, status: "passed", restored };
  const { message, hint } = splitHint(stripAnsi(error.evalue));
  const status = error.ename === "CellTimeoutError" ? "timed out" : error.ename === "KernelDied" ? "kernel died" : "failed";
  return { gradeId, points: 0, maxPoints, status, message: `${error.ename}: ${message}`, hint, restored };
}

/** Runs `submission` with the source's locked and test cells and scores each test cell. */
export async function gradeSubmission(name: string, source: Notebook, submission: Notebook, label: string, options: GradeOptions): Promise<SubmissionGrade> {
  const started = Date.now();
  const graded = gradedCells(source, label);
  const { notebook, restored } = assembleSubmission(source, submission, label);
  await executeNotebook(notebook, { cwd: options.cwd, env: options.env, cli: options.cli, timeout: options.timeout, allowErrors: true, onLog: options.onLog });
  const byId = new Map<string, CodeCell>();
  for (const cell of notebook.cells) {
    const id = gradeIdOf(cell);
    if (cell.cell_type === "code" && id !== undefined && !byId.has(id)) byId.set(id, cell);
  }
  const tests = graded.map(({ gradeId, points }) => resultOf(byId.get(gradeId), gradeId, points, restored.has(gradeId)));
  return {
    name,
    total: tests.reduce((s, t) => s + t.points, 0),
    maxTotal: graded.reduce((s, t) => s + t.points, 0),
    tests,
    ms: Date.now() - started,
  };
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function points(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

/** `submission,total,max_total,<grade_id>...`, one row per submission. */
export function gradesCsv(columns: string[], grades: SubmissionGrade[]): string {
  const rows = [["submission", "total", "max_total", ...columns]];
  for (const g of grades) {
    const by = new Map(g.tests.map((t) => [t.gradeId, t.points]));
    rows.push([g.name, points(g.total), points(g.maxTotal), ...columns.map((c) => points(by.get(c) ?? 0))]);
  }
  return `${rows.map((r) => r.map(csvField).join(",")).join("\n")}\n`;
}
