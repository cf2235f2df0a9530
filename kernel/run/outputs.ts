/**
 * The runner's side of kernel/outputs/reducer.ts: each cell's outputs kept as nbformat outputs,
 * the execution count from execute_input and the reply, and late output (a timer of an earlier
 * cell) routed to its own cell by the message's parent request.
 */
import type { Message } from "../protocol/wire";
import { OutputReducer, type CellOutput } from "../outputs/reducer";
import type { CodeCell, Output } from "./notebook";

/** The nbformat form of a reducer output. */
function toNbformat(o: CellOutput): Output {
  switch (o.type) {
    case "stream":
      return { output_type: "stream", name: o.name, text: o.text };
    case "display_data":
      return { output_type: "display_data", data: o.data, metadata: o.metadata };
    case "execute_result":
      return { output_type: "execute_result", execution_count: o.executionCount, data: o.data, metadata: o.metadata };
    case "error":
      return { output_type: "error", ename: o.ename, evalue: o.evalue, traceback: o.traceback };
  }
}

export class OutputCollector {
  /** Every event rewrites the affected cell's nbformat outputs from the reducer's list. */
  private readonly reducer = new OutputReducer<CodeCell>((event) => {
    event.cell.outputs = this.reducer.outputs(event.cell).map(toNbformat);
  });
  /** Request msg_id -> the cell it ran, so that late output lands in its own cell. */
  private readonly cells = new Map<string, CodeCell>();

  /** Starts a cell: its previous outputs are dropped. */
  begin(cell: CodeCell): void {
    this.reducer.begin(cell);
    cell.outputs = [];
    cell.execution_count = null;
  }

  /** Appends an error that did not come from the kernel (the runner's timeout, a kernel that died). */
  push(cell: CodeCell, error: Output & { output_type: "error" }): void {
    this.reducer.push(cell, { type: "error", ename: error.ename, evalue: error.evalue, traceback: error.traceback });
  }

  /**
   * Applies one iopub message. `cell` is the cell whose request it answers; without it (late
   * output of an earlier cell) the cell is found from the message's parent.
   */
  handle(msg: Message, cell?: CodeCell): void {
    const parent = (msg.parent_header as { msg_id?: string }).msg_id;
    if (cell && parent) this.cells.set(parent, cell);
    else if (parent) cell = this.cells.get(parent);
    const content = msg.content as { execution_count?: unknown };
    if (cell && msg.header.msg_type === "execute_input" && typeof content.execution_count === "number") cell.execution_count = content.execution_count;
    if (cell && msg.header.msg_type === "execute_result" && typeof content.execution_count !== "number") {
      // A result without a count shows the cell's own.
      msg = { ...msg, content: { ...(msg.content as object), execution_count: cell.execution_count } };
    }
    this.reducer.handle(msg, cell);
  }

  /** Ends a cell: takes the execution count from the reply; a clear still waiting for output is dropped. */
  end(cell: CodeCell, reply?: Message): void {
    const count = reply ? (reply.content as { execution_count?: unknown }).execution_count : undefined;
    if (typeof count === "number") cell.execution_count = count;
    this.reducer.end(cell);
  }
}
