/**
 * The nbformat 4 notebook model used by `glassbox run`: reading (with errors that say what is wrong
 * with the file), cell ids for nbformat 4.5, and writing.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export type MultilineString = string | string[];
export type MimeBundle = Record<string, unknown>;

export type Output =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: MultilineString }
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: "execute_result"; execution_count: number | null; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface CodeCell {
  cell_type: "code";
  id: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count: number | null;
  outputs: Output[];
}

export interface TextCell {
  cell_type: "markdown" | "raw";
  id: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  attachments?: Record<string, MimeBundle>;
}

export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown> & {
    kernelspec?: { name: string; display_name: string; language?: string };
    language_info?: Record<string, unknown>;
  };
  cells: Cell[];
}

/** A problem with the input file that the user must fix; the message names the file and the problem. */
export class NotebookError extends Error {}

export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** The first non-empty line of a cell, shortened, for progress lines and error messages. */
export function firstLine(source: MultilineString, max = 60): string {
  const line = sourceText(source).split("\n").find((l) => l.trim() !== "") ?? "";
  const trimmed = line.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}

const ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isMultiline(value: unknown): value is MultilineString {
  return typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
}

/** Where in the text a JSON.parse error points, as "line L, column C", when Node says the position. */
function jsonErrorPlace(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m && !/end of JSON input/.test(message)) return "";
  const pos = m ? Number(m[1]) : text.length;
  const before = text.slice(0, pos).split("\n");
  return ` at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/**
 * Parses and checks a notebook. Throws NotebookError naming `label` (the file) and what is wrong.
 * Accepts nbformat 4.0–4.5 and upgrades to 4.5 (cell ids); older formats are refused with advice.
 */
export function parseNotebook(text: string, label: string): Notebook {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") throw new NotebookError(`${label} is empty; a notebook is a JSON file with "cells" and "nbformat".`);
  // A NUL byte means a binary file; JSON.parse's message would be confusing.
  if (text.includes("\u0000")) throw new NotebookError(`${label} is not a Jupyter notebook (it is a binary file, not JSON).`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const looksJson = /^\s*[{[]/.test(text);
    throw new NotebookError(
      looksJson
        ? `${label} is not a valid notebook: its JSON is broken${jsonErrorPlace(text, message)} (${message}). Was it cut off or edited by hand? Restore it from version control or re-save it from Jupyter.`
        : `${label} is not a Jupyter notebook (it does not contain JSON). Pass an .ipynb file.`,
    );
  }
  if (!isRecord(raw) || !("cells" in raw || "worksheets" in raw) || !("nbformat" in raw)) {
    throw new NotebookError(`${label} is JSON but not a Jupyter notebook (no "cells" and "nbformat" fields).`);
  }
  if (raw.nbformat !== 4) {
    throw new NotebookError(
      `${label} uses nbformat ${String(raw.nbformat)}; glassbox run reads nbformat 4. Convert it with: jupyter nbconvert --to notebook --nbformat 4 ${label}`,
    );
  }
  if (!Array.isArray(raw.cells)) throw new NotebookError(`${label} is not a valid notebook: "cells" is not a list.`);
  const seen = new Set<string>();
  const cells: Cell[] = raw.cells.map((c: unknown, i: number): Cell => {
    const where = `${label}, cell ${i + 1}`;
    if (!isRecord(c)) throw new NotebookError(`${where} is not an object.`);
    if (c.cell_type !== "code" && c.cell_type !== "markdown" && c.cell_type !== "raw") {
      throw new NotebookError(`${where} has an unknown cell_type ${JSON.stringify(c.cell_type)} (expected code, markdown or raw).`);
    }
    if (!isMultiline(c.source)) throw new NotebookError(`${where} has no source text (a string or a list of strings).`);
    // Ids stay as they are when valid and unique; otherwise a stable one is derived, so that
    // running the same notebook twice gives the same ids.
    let id = typeof c.id === "string" && ID_PATTERN.test(c.id) && !seen.has(c.id) ? c.id : "";
    if (!id) {
      id = createHash("sha1").update(`${i}:${sourceText(c.source)}`).digest("hex").slice(0, 12);
      while (seen.has(id)) id = createHash("sha1").update(id).digest("hex").slice(0, 12);
    }
    seen.add(id);
    const metadata = isRecord(c.metadata) ? c.metadata : {};
    if (c.cell_type === "code") {
      return { cell_type: "code", id, source: c.source, metadata, execution_count: null, outputs: [] };
    }
    const cell: TextCell = { cell_type: c.cell_type, id, source: c.source, metadata };
    if (c.cell_type === "markdown" && isRecord(c.attachments)) cell.attachments = c.attachments as Record<string, MimeBundle>;
    return cell;
  });
  return { nbformat: 4, nbformat_minor: 5, metadata: isRecord(raw.metadata) ? raw.metadata : {}, cells };
}

export function readNotebook(path: string, label = path): Notebook {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new NotebookError(`${label} does not exist.`);
    if (code === "EISDIR") throw new NotebookError(`${label} is a folder; pass a notebook file (.ipynb).`);
    throw new NotebookError(`${label} cannot be read: ${(e as Error).message}`);
  }
  return parseNotebook(bytes.toString("utf8"), label);
}

/** Splits text into nbformat's list-of-lines form (each line keeps its "\n"), as Jupyter writes it. */
export function toLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}

/** JSON as Jupyter writes notebooks: one-space indent, sorted keys, trailing newline. */
export function serializeNotebook(nb: Notebook): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) out[key] = sort(value[key]);
      return out;
    }
    return value;
  };
  const cells = nb.cells.map((c) => ({ ...c, source: toLines(sourceText(c.source)) }));
  return `${JSON.stringify(sort({ ...nb, cells }), null, 1)}\n`;
}
