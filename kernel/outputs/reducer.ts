/**
 * Jupyter's output semantics, in one place (as nbclient keeps them in process_message/output/
 * clear_output/_update_display_id): iopub messages in, append/replace/clear events out. Used by
 * the headless runner (kernel/run/outputs.ts) and the VS Code session (extension/kernel-session.ts).
 *
 * - Consecutive stream text of one name in a cell is one output (replaced as it grows).
 * - clear_output({ wait: true }) clears only when the cell's next output arrives; an
 *   update_display_data is not an output and does not trigger it; a clear still pending when the
 *   cell ends is dropped (the old output stays, as in Jupyter).
 * - update_display_data replaces every output shown under that display id, in any cell run so far;
 *   a re-run or cleared cell no longer receives updates for the outputs it lost.
 * - error content is normalised (ename, evalue, traceback as strings) whatever the kernel sent.
 *
 * A "cell" is whatever the caller keys outputs by (a notebook cell, a VS Code output writer).
 */
import { applyControlChars } from "./text";

export type MimeBundle = Record<string, unknown>;

/** A cell output in nbformat terms; `id` is stable for the life of the output. */
export type CellOutput =
  | { id: string; type: "stream"; name: "stdout" | "stderr"; text: string }
  | { id: string; type: "display_data"; data: MimeBundle; metadata: Record<string, unknown>; displayId?: string }
  | { id: string; type: "execute_result"; data: MimeBundle; metadata: Record<string, unknown>; executionCount: number | null; displayId?: string }
  | { id: string; type: "error"; ename: string; evalue: string; traceback: string[] };

/** A CellOutput before the reducer gave it an id. */
export type NewOutput = CellOutput extends infer O ? (O extends CellOutput ? Omit<O, "id"> : never) : never;

export type OutputEvent<C> =
  | { kind: "append"; cell: C; output: CellOutput }
  | { kind: "replace"; cell: C; output: CellOutput }
  | { kind: "clear"; cell: C };

/** The parts of a Jupyter message the reducer reads. */
export interface IopubMessage {
  header: { msg_type: string };
  content: unknown;
}

export interface ReducerOptions {
  /** Apply \r and \b to merged stream text, as a terminal would (front ends that show text live). */
  controlChars?: boolean;
}

type Rich = CellOutput & { type: "display_data" | "execute_result" };

interface CellState {
  outputs: CellOutput[];
  clearPending: boolean;
}

let counter = 0;
function newId(): string {
  counter += 1;
  return `glassbox-output-${Date.now().toString(36)}-${counter}`;
}

const record = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** Jupyter's error content, whatever shape it came in. */
export function normalizeError(content: unknown): Omit<CellOutput & { type: "error" }, "id"> {
  const c = record(content);
  return {
    type: "error",
    ename: c.ename === undefined || c.ename === null ? "Error" : String(c.ename),
    evalue: c.evalue === undefined || c.evalue === null ? "" : String(c.evalue),
    traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
  };
}

/** The text a person reads for an error output: its traceback, or `ename: evalue` when there is none. */
export function errorText(error: { ename: string; evalue: string; traceback: string[] }): string {
  return error.traceback.length ? error.traceback.join("\n") : `${error.ename}: ${error.evalue}`;
}

export class OutputReducer<C> {
  private readonly cells = new Map<C, CellState>();
  /** display_id -> the outputs showing it, with their cells. */
  private readonly displays = new Map<string, Map<Rich, C>>();

  constructor(
    private readonly emit: (event: OutputEvent<C>) => void,
    private readonly options: ReducerOptions = {},
  ) {}

  /** The outputs a cell shows now. */
  outputs(cell: C): readonly CellOutput[] {
    return this.cells.get(cell)?.outputs ?? [];
  }

  private state(cell: C): CellState {
    let s = this.cells.get(cell);
    if (!s) this.cells.set(cell, (s = { outputs: [], clearPending: false }));
    return s;
  }

  /** A cell starts (or runs again): its old outputs are gone and receive no more display updates. */
  begin(cell: C): void {
    const s = this.cells.get(cell);
    if (s) this.forget(s.outputs);
    this.cells.set(cell, { outputs: [], clearPending: false });
  }

  /** A cell's execution ended: a clear still waiting for output is dropped. */
  end(cell: C): void {
    const s = this.cells.get(cell);
    if (s) s.clearPending = false;
  }

  /** The kernel restarted: no display id of the old one can be updated any more. */
  reset(): void {
    this.displays.clear();
  }

  /** Appends an output that did not come from the kernel (a timeout, a kernel that died). */
  push(cell: C, output: NewOutput): CellOutput {
    const s = this.state(cell);
    this.flushClear(cell, s);
    return this.append(cell, s, output);
  }

  /**
   * Applies one iopub message to `cell`. An update_display_data needs no cell (it reaches every
   * output under its display id); other messages without a cell are ignored.
   */
  handle(msg: IopubMessage, cell?: C): void {
    const c = record(msg.content);
    const type = msg.header.msg_type;
    if (type === "update_display_data") {
      this.update(c);
      return;
    }
    if (cell === undefined) return;
    const s = this.state(cell);
    switch (type) {
      case "stream":
        this.flushClear(cell, s);
        this.append(cell, s, { type: "stream", name: c.name === "stderr" ? "stderr" : "stdout", text: String(c.text ?? "") });
        return;
      case "display_data":
      case "execute_result": {
        this.flushClear(cell, s);
        const displayId = typeof record(c.transient).display_id === "string" ? (record(c.transient).display_id as string) : undefined;
        const data = record(c.data), metadata = record(c.metadata);
        const output = this.append(cell, s, type === "display_data"
          ? { type, data, metadata, ...(displayId ? { displayId } : {}) }
          : { type, data, metadata, executionCount: typeof c.execution_count === "number" ? c.execution_count : null, ...(displayId ? { displayId } : {}) });
        if (displayId) this.track(displayId, output as Rich, cell);
        return;
      }
      case "error":
        this.flushClear(cell, s);
        this.append(cell, s, normalizeError(c));
        return;
      case "clear_output":
        if (c.wait) s.clearPending = true;
        else this.clearNow(cell, s);
        return;
      default:
        return; // status, execute_input, comm_* and others are no outputs
    }
  }

  private append(cell: C, s: CellState, output: NewOutput): CellOutput {
    const last = s.outputs[s.outputs.length - 1];
    if (output.type === "stream" && last?.type === "stream" && last.name === output.name) {
      const merged = last.text + output.text;
      last.text = this.options.controlChars ? applyControlChars(merged) : merged;
      this.emit({ kind: "replace", cell, output: { ...last } });
      return last;
    }
    const added = { ...output, id: newId() } as CellOutput;
    if (added.type === "stream" && this.options.controlChars) added.text = applyControlChars(added.text);
    s.outputs.push(added);
    this.emit({ kind: "append", cell, output: { ...added } });
    return added;
  }

  private flushClear(cell: C, s: CellState): void {
    if (!s.clearPending) return;
    s.clearPending = false;
    this.clearNow(cell, s);
  }

  private clearNow(cell: C, s: CellState): void {
    s.clearPending = false;
    this.forget(s.outputs);
    s.outputs = [];
    this.emit({ kind: "clear", cell });
  }

  private track(displayId: string, output: Rich, cell: C): void {
    let shown = this.displays.get(displayId);
    if (!shown) this.displays.set(displayId, (shown = new Map()));
    shown.set(output, cell);
  }

  private forget(outputs: CellOutput[]): void {
    for (const [key, shown] of this.displays) {
      for (const o of outputs) shown.delete(o as Rich);
      if (!shown.size) this.displays.delete(key);
    }
  }

  private update(c: Record<string, unknown>): void {
    const id = record(c.transient).display_id;
    const shown = typeof id === "string" ? this.displays.get(id) : undefined;
    for (const [output, cell] of shown ?? []) {
      output.data = record(c.data);
      output.metadata = record(c.metadata);
      this.emit({ kind: "replace", cell, output: { ...output } });
    }
  }
}
