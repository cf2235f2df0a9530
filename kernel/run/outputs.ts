/**
 * Turns a cell's iopub messages into nbformat outputs, the way Jupyter front ends do: consecutive
 * stream text of one name merges, update_display_data replaces every output shown under that
 * display id (in any cell run so far), and clear_output({ wait: true }) clears only when the next
 * output arrives.
 */
import type { Message } from "../protocol/wire";
import type { CodeCell, MimeBundle, Output } from "./notebook";
import { sourceText } from "./notebook";

interface DisplayContent {
  data?: MimeBundle;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
  execution_count?: number | null;
}

export class OutputCollector {
  /** display_id -> the outputs showing it (objects inside cells' output lists). */
  private readonly displays = new Map<string, Set<Output>>();
  /** Request msg_id -> the cell it ran, so that late output lands in its own cell. */
  private readonly cells = new Map<string, CodeCell>();
  private readonly clearPending = new WeakSet<CodeCell>();

  /** Starts a cell: its previous outputs are dropped. */
  begin(cell: CodeCell): void {
    this.forget(cell.outputs);
    cell.outputs = [];
    cell.execution_count = null;
    this.clearPending.delete(cell);
  }

  /** Appends an output that did not come from the kernel (e.g. the runner's timeout error). */
  push(cell: CodeCell, output: Output): void {
    this.flushClear(cell);
    this.append(cell, output);
  }

  private forget(outputs: Output[]): void {
    for (const set of this.displays.values()) for (const o of outputs) set.delete(o);
  }

  private flushClear(cell: CodeCell): void {
    if (!this.clearPending.has(cell)) return;
    this.clearPending.delete(cell);
    this.forget(cell.outputs);
    cell.outputs = [];
  }

  private append(cell: CodeCell, output: Output): void {
    const outputs = cell.outputs;
    const last = outputs[outputs.length - 1];
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text = sourceText(last.text) + sourceText(output.text);
      return;
    }
    outputs.push(output);
  }

  private track(displayId: string | undefined, output: Output): void {
    if (!displayId) return;
    let set = this.displays.get(displayId);
    if (!set) this.displays.set(displayId, (set = new Set()));
    set.add(output);
  }

  /**
   * Applies one iopub message. `cell` is the cell whose request it answers; without it (late
   * output of an earlier cell) the cell is found from the message's parent.
   */
  handle(msg: Message, cell?: CodeCell): void {
    const parent = (msg.parent_header as { msg_id?: string }).msg_id;
    if (cell && parent) this.cells.set(parent, cell);
    else if (parent) cell = this.cells.get(parent);
    const content = msg.content as Record<string, unknown>;
    if (msg.header.msg_type === "update_display_data") {
      this.update(content as DisplayContent);
      return;
    }
    if (!cell) return;
    switch (msg.header.msg_type) {
      case "execute_input":
        if (typeof content.execution_count === "number") cell.execution_count = content.execution_count;
        break;
      case "stream": {
        const name = content.name === "stderr" ? "stderr" : "stdout";
        this.flushClear(cell);
        this.append(cell, { output_type: "stream", name, text: String(content.text ?? "") });
        break;
      }
      case "display_data": {
        const c = content as DisplayContent;
        this.flushClear(cell);
        const output: Output = { output_type: "display_data", data: c.data ?? {}, metadata: c.metadata ?? {} };
        this.append(cell, output);
        this.track(c.transient?.display_id, output);
        break;
      }
      case "execute_result": {
        const c = content as DisplayContent;
        this.flushClear(cell);
        const count = typeof c.execution_count === "number" ? c.execution_count : cell.execution_count;
        const output: Output = { output_type: "execute_result", execution_count: count, data: c.data ?? {}, metadata: c.metadata ?? {} };
        this.append(cell, output);
        this.track(c.transient?.display_id, output);
        break;
      }
      case "error":
        this.flushClear(cell);
        this.append(cell, {
          output_type: "error",
          ename: String(content.ename ?? "Error"),
          evalue: String(content.evalue ?? ""),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
        break;
      case "clear_output":
        if (content.wait) this.clearPending.add(cell);
        else {
          this.clearPending.delete(cell);
          this.forget(cell.outputs);
          cell.outputs = [];
        }
        break;
      default:
        break;
    }
  }

  /** An update changes what is already shown, in any cell; it is not an output of its own and does not trigger a pending clear. */
  private update(c: DisplayContent): void {
    const id = c.transient?.display_id;
    for (const output of (id && this.displays.get(id)) || []) {
      if (output.output_type === "display_data" || output.output_type === "execute_result") {
        output.data = c.data ?? {};
        output.metadata = c.metadata ?? {};
      }
    }
  }

  /** Ends a cell: takes the execution count from the reply; a clear still waiting for output is dropped (the old output stays, as in Jupyter). */
  end(cell: CodeCell, reply?: Message): void {
    const count = reply ? (reply.content as { execution_count?: unknown }).execution_count : undefined;
    if (typeof count === "number") cell.execution_count = count;
    this.clearPending.delete(cell);
  }
}
