/**
 * nbgrader's authoring format (cell metadata schema version 3), so that a Glassbox course is also an
 * nbgrader course: each cell's `metadata.nbgrader` says whether it is a solution, an autograded test
 * (grade + locked + points) or a locked read-only cell, and names it with a `grade_id`. In code,
 * `// BEGIN SOLUTION` … `// END SOLUTION` and `// BEGIN HIDDEN TESTS` … `// END HIDDEN TESTS` mark
 * what students must not see. Rules and checksum follow nbgrader (nbgraderformat/v3.json and v3.py,
 * utils.compute_checksum).
 */
import { createHash } from "node:crypto";
import { sourceText, type Cell, type Notebook } from "../run/notebook";

export interface NbgraderMeta {
  schema_version: 3;
  grade: boolean;
  locked: boolean;
  solution: boolean;
  task?: boolean;
  grade_id?: string;
  points?: number;
  checksum?: string;
  cell_type?: "code" | "markdown" | "raw";
}

/** A problem with a course notebook that its author must fix; the message names the cell. */
export class CourseError extends Error {}

const KEYS = new Set(["schema_version", "grade", "locked", "solution", "task", "grade_id", "points", "checksum", "cell_type"]);
const GRADE_ID = /^[a-zA-Z0-9_-]*$/;

function where(label: string, index: number, cell: Cell): string {
  const first = sourceText(cell.source).split("\n").find((l) => l.trim()) ?? "";
  return `${label}, cell ${index + 1}${first ? ` (${first.trim().slice(0, 50)})` : ""}`;
}

/** The cell's nbgrader metadata, checked against schema version 3; undefined for a plain cell. */
export function nbgraderMeta(cell: Cell, label = "notebook", index = 0): NbgraderMeta | undefined {
  const raw = cell.metadata.nbgrader;
  if (raw === undefined) return undefined;
  const at = where(label, index, cell);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new CourseError(`${at}: metadata.nbgrader must be an object.`);
  const m = raw as Record<string, unknown>;
  if (m.schema_version !== 3) {
    throw new CourseError(`${at}: nbgrader metadata has schema_version ${JSON.stringify(m.schema_version)}; Glassbox reads version 3 (upgrade it with nbgrader update).`);
  }
  for (const key of ["grade", "locked", "solution"]) {
    if (typeof m[key] !== "boolean") throw new CourseError(`${at}: nbgrader metadata needs "${key}": true or false.`);
  }
  for (const key of Object.keys(m)) if (!KEYS.has(key)) throw new CourseError(`${at}: nbgrader metadata has an unknown key "${key}".`);
  if (m.task !== undefined && typeof m.task !== "boolean") throw new CourseError(`${at}: nbgrader "task" must be true or false.`);
  const meta = m as unknown as NbgraderMeta;
  if (meta.grade || meta.solution || meta.locked) {
    if (typeof meta.grade_id !== "string" || meta.grade_id === "") throw new CourseError(`${at}: an nbgrader cell needs a grade_id.`);
    if (!GRADE_ID.test(meta.grade_id)) throw new CourseError(`${at}: grade_id "${meta.grade_id}" may use letters, digits, '_' and '-' only.`);
  }
  if (meta.grade && (typeof meta.points !== "number" || !(meta.points >= 0))) {
    throw new CourseError(`${at}: the graded cell "${meta.grade_id}" needs "points": a number of at least 0.`);
  }
  if (!meta.task && cell.cell_type === "markdown" && meta.grade !== meta.solution) {
    throw new CourseError(`${at}: a Markdown cell is graded only as an answer: set both "grade" and "solution", or neither.`);
  }
  if (meta.task && cell.cell_type !== "markdown") throw new CourseError(`${at}: nbgrader task cells must be Markdown.`);
  return meta;
}

/** Checks every cell and that grade_ids are unique; returns each cell's metadata (undefined for plain cells). */
export function readCourse(nb: Notebook, label: string): (NbgraderMeta | undefined)[] {
  const seen = new Map<string, number>();
  return nb.cells.map((cell, i) => {
    const meta = nbgraderMeta(cell, label, i);
    if (meta && (meta.grade || meta.solution || meta.locked)) {
      const id = meta.grade_id!;
      if (seen.has(id)) throw new CourseError(`${label}: cells ${seen.get(id)! + 1} and ${i + 1} share the grade_id "${id}"; each needs its own.`);
      seen.set(id, i);
    }
    return meta;
  });
}

/** A test cell that `course grade` scores: code, graded, not an answer. */
export function isAutograded(cell: Cell, meta: NbgraderMeta | undefined): meta is NbgraderMeta & { grade_id: string; points: number } {
  return cell.cell_type === "code" && !!meta?.grade && !meta.solution;
}

/** Whether the cell's text comes from the source when grading (nbgrader's is_locked). */
export function isLocked(meta: NbgraderMeta | undefined): boolean {
  if (!meta || meta.solution) return false;
  return meta.grade || meta.locked;
}

/** Python's str(float(x)), which nbgrader's checksum hashes. */
function pythonFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x);
}

/** nbgrader's compute_checksum: md5 over source, cell type, grade/solution/locked, grade_id and points. */
export function computeChecksum(cell: Cell, meta: NbgraderMeta): string {
  const md5 = createHash("md5");
  md5.update(sourceText(cell.source), "utf8");
  md5.update(cell.cell_type);
  const py = (b: boolean) => (b ? "True" : "False");
  md5.update(py(!!meta.grade));
  md5.update(py(!!meta.solution));
  md5.update(py(isLocked(meta)));
  md5.update(meta.grade_id ?? "", "utf8");
  if (meta.grade) md5.update(pythonFloat(meta.points ?? 0));
  return md5.digest("hex");
}

export interface Region {
  begin: RegExp;
  end: RegExp;
  name: string;
}

export const SOLUTION: Region = { begin: /^([ \t]*)\/\/\s*BEGIN SOLUTION\b.*$/, end: /^[ \t]*\/\/\s*END SOLUTION\b.*$/, name: "SOLUTION" };
export const HIDDEN_TESTS: Region = { begin: /^([ \t]*)\/\/\s*BEGIN HIDDEN TESTS\b.*$/, end: /^[ \t]*\/\/\s*END HIDDEN TESTS\b.*$/, name: "HIDDEN TESTS" };

/**
 * Replaces each marked region of `text` (markers included) with `replace(indent)`'s lines, or with
 * nothing. Returns undefined when the text has no such region. An unclosed or nested region is the
 * author's mistake and throws, naming the line.
 */
export function replaceRegions(text: string, region: Region, at: string, replace?: (indent: string) => string[]): string | undefined {
  const lines = text.split("\n");
  const out: string[] = [];
  let found = false;
  let open: { line: number; indent: string } | undefined;
  lines.forEach((line, i) => {
    const begin = region.begin.exec(line);
    if (begin) {
      if (open) throw new CourseError(`${at}: line ${i + 1} opens // BEGIN ${region.name} inside the one opened on line ${open.line + 1}; close that first with // END ${region.name}.`);
      open = { line: i, indent: begin[1] };
      found = true;
      return;
    }
    if (region.end.test(line)) {
      if (!open) throw new CourseError(`${at}: line ${i + 1} has // END ${region.name} without a // BEGIN ${region.name} before it.`);
      if (replace) out.push(...replace(open.indent));
      open = undefined;
      return;
    }
    if (!open) out.push(line);
  });
  if (open) throw new CourseError(`${at}: // BEGIN ${region.name} on line ${open.line + 1} is never closed; add // END ${region.name}.`);
  return found ? out.join("\n") : undefined;
}

/** Where a cell is, for error messages. */
export function cellLabel(label: string, index: number, cell: Cell): string {
  return where(label, index, cell);
}
