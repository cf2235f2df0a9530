/**
 * Execution history, persisted per kernel name as JSON lines, so history_request (tail, range,
 * search) works across restarts as it does with ipykernel.
 */
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

interface Entry {
  session: number;
  line: number;
  source: string;
  /** text/plain of the cell's result, when it had one. */
  output?: string | null;
}

export type HistoryTuple = [session: number, line: number, source: string | [input: string, output: string | null]];

export function defaultHistoryFile(kernelName: string): string {
  const base = process.env.GLASSBOX_HISTORY_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "glassbox", "history");
  return join(base, `${kernelName.replace(/[^\w.-]/g, "_")}.jsonl`);
}

/** The file is cut back to its newer half once it passes this size, and only this much is read at start. */
export const MAX_HISTORY_BYTES = 4 * 2 ** 20;

/** The last `bytes` of a file, from the first whole line. */
function readTail(file: string, bytes: number): string {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString("utf8");
    return start === 0 ? text : text.slice(text.indexOf("\n") + 1);
  } finally {
    closeSync(fd);
  }
}

/** Glob as used by IPython's history search: `*` any run, `?` one character. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "s");
}

export class History {
  private entries: Entry[] = [];
  readonly session: number;

  constructor(
    private readonly file: string,
    private readonly maxBytes = MAX_HISTORY_BYTES,
  ) {
    try {
      for (const line of readTail(file, maxBytes).split("\n")) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as Entry;
          if (typeof e.session === "number" && typeof e.line === "number" && typeof e.source === "string") this.entries.push(e);
        } catch {
          // A torn last line from a killed kernel: skip it, keep the rest.
        }
      }
    } catch {
      // No history yet.
    }
    this.session = this.entries.reduce((max, e) => Math.max(max, e.session), 0) + 1;
  }

  /** Records a cell once it has finished, with its result's text when it had one. */
  add(line: number, source: string, output: string | null = null): void {
    const entry: Entry = { session: this.session, line, source, output };
    this.entries.push(entry);
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, JSON.stringify(entry) + "\n", { mode: 0o600 });
      if (statSync(this.file).size > this.maxBytes) this.compact();
    } catch {
      // History is a convenience: an unwritable home must not break execution.
    }
  }

  /** Keeps the newer half: the file stays bounded, and recent sessions stay searchable. */
  private compact(): void {
    const kept: string[] = [];
    let bytes = 0;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const line = JSON.stringify(this.entries[i]) + "\n";
      if (bytes + line.length > this.maxBytes / 2) break;
      kept.push(line);
      bytes += line.length;
    }
    this.entries = this.entries.slice(this.entries.length - kept.length);
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, kept.reverse().join(""), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  private tuples(entries: Entry[], output: boolean): HistoryTuple[] {
    return entries.map((e) => [e.session, e.line, output ? [e.source, e.output ?? null] : e.source]);
  }

  tail(n: number, output = false): HistoryTuple[] {
    return this.tuples(n > 0 ? this.entries.slice(-n) : [], output);
  }

  /** `session` ≤ 0 counts back from the current session (0 = this one), as in IPython. */
  range(session: number, start: number, stop: number | null, output = false): HistoryTuple[] {
    const target = session <= 0 ? this.session + session : session;
    return this.tuples(
      this.entries.filter((e) => e.session === target && e.line >= start && (stop === null || stop <= 0 || e.line < stop)),
      output,
    );
  }

  search(pattern: string, n: number | null, unique: boolean, output = false): HistoryTuple[] {
    const re = globToRegExp(pattern || "*");
    let found = this.entries.filter((e) => re.test(e.source));
    if (unique) {
      const seen = new Set<string>();
      found = found.reverse().filter((e) => !seen.has(e.source) && (seen.add(e.source), true)).reverse();
    }
    return this.tuples(n && n > 0 ? found.slice(-n) : found, output);
  }
}
