/**
 * Turns what a cell threw into a Jupyter error: name, message, and a traceback that names cells
 * and lines (through each cell's source map), with the kernel's own frames hidden.
 */
import { inspect } from "node:util";
import { SourceMap } from "./source-map";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

interface CellSource {
  label: string;
  code: string;
  map?: SourceMap;
}

const RED = "\x1b[31m";
const CYAN = "\x1b[36m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";
const FRAME = /^\s*at (?:(.*?) \()?(cell-[\w-]+\.ts):(\d+):(\d+)\)?$/;
const MAX_CELLS = 500;

/** Remembers each cell's text and map so that any later traceback can point into it. */
export class CellRegistry {
  private readonly cells = new Map<string, CellSource>();

  add(fileName: string, label: string, code: string, sourceMap?: string): void {
    this.cells.set(fileName, { label, code, map: sourceMap ? new SourceMap(sourceMap) : undefined });
    if (this.cells.size > MAX_CELLS) this.cells.delete(this.cells.keys().next().value as string);
  }

  /** A cell position in the user's coordinates (generated line/column mapped back). */
  locate(fileName: string, line: number, column: number): { cell: CellSource; line: number; column: number } | undefined {
    const cell = this.cells.get(fileName);
    if (!cell) return undefined;
    const original = cell.map?.original(line, column) ?? { line, column };
    return { cell, ...original };
  }
}

export class KernelMessageError extends Error {
  /** An error that is already phrased for the user: shown without a stack. */
  constructor(
    readonly ename: string,
    message: string,
  ) {
    super(message);
  }
}

function codeFrame(code: string, line: number, column: number): string[] {
  const lines = code.split("\n");
  const out: string[] = [];
  for (let l = Math.max(1, line - 1); l <= Math.min(lines.length, line + 1); l++) {
    const marker = l === line ? `${RED}---->${RESET}` : "     ";
    out.push(`${marker} ${String(l).padStart(3)} | ${lines[l - 1]}`);
    if (l === line) out.push(`          | ${" ".repeat(Math.max(0, column - 1))}${RED}^${RESET}`);
  }
  return out;
}

/** Reads a property without letting a throwing getter or Proxy trap escape. */
function read(o: object, key: string): unknown {
  try {
    return (o as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function isErrorLike(v: unknown): v is object {
  try {
    return v instanceof Error || (v !== null && typeof v === "object" && "stack" in v);
  } catch {
    return false;
  }
}

/** Text for any thrown value: circular objects, BigInt, Symbol, null-prototype objects, hostile Proxies. */
export function describeThrown(value: unknown): string {
  try {
    switch (typeof value) {
      case "string":
        return value;
      case "bigint":
        return `${value}n`;
      case "symbol":
        return Symbol.prototype.toString.call(value);
      case "undefined":
        return "undefined";
      case "object":
        if (value === null) return "null";
        try {
          const json = JSON.stringify(value);
          if (json !== undefined) return json;
        } catch {
          // Circular, BigInt inside, or a throwing toJSON: inspect copes with all of them.
        }
        return inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 1000 });
      default:
        return String(value);
    }
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return "(a value that cannot be shown)";
    }
  }
}

/** The Jupyter error for whatever a cell threw; never throws itself. */
export function formatError(thrown: unknown, cells: CellRegistry): ErrorContent {
  try {
    return formatUnsafe(thrown, cells);
  } catch {
    const text = describeThrown(thrown);
    return { ename: "Thrown value", evalue: text, traceback: [`${RED}${BOLD}Uncaught${RESET} ${text}`] };
  }
}

function formatUnsafe(thrown: unknown, cells: CellRegistry): ErrorContent {
  if (thrown instanceof KernelMessageError) {
    return { ename: thrown.ename, evalue: thrown.message, traceback: [`${RED}${BOLD}${thrown.ename}${RESET}: ${thrown.message}`] };
  }
  if (!isErrorLike(thrown)) {
    const text = describeThrown(thrown);
    return { ename: "Thrown value", evalue: text, traceback: [`${RED}${BOLD}Uncaught${RESET} ${text}`] };
  }
  const name = read(thrown, "name");
  const ctor = read(thrown, "constructor");
  const ename = (typeof name === "string" && name) || (typeof ctor === "function" && typeof read(ctor, "name") === "string" && (read(ctor, "name") as string)) || "Error";
  const message = read(thrown, "message");
  const evalue = message === undefined || message === null ? "" : describeThrown(message);
  const traceback = [`${RED}${BOLD}${ename}${RESET}: ${evalue}`];
  const stack = read(thrown, "stack");
  let framed = false;
  for (const raw of (typeof stack === "string" ? stack : "").split("\n").slice(1)) {
    const m = FRAME.exec(raw);
    if (!m) continue; // The kernel's own frames and Node internals say nothing about the user's code.
    const [, fn, file, line, column] = m;
    const where = cells.locate(file, Number(line), Number(column));
    if (!where) continue;
    const fnName = fn && fn !== "<anonymous>" ? ` in ${BOLD}${fn}${RESET}` : "";
    traceback.push(`${CYAN}${where.cell.label}, line ${where.line}:${where.column}${RESET}${fnName}`);
    if (!framed) traceback.push(...codeFrame(where.cell.code, where.line, where.column));
    framed = true;
  }
  return { ename, evalue, traceback };
}
