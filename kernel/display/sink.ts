/** Where display output goes: the runtime gives each cell one, bound to that cell's request. */
import type { DisplayPayload } from "./mime";

export interface DisplaySink {
  /** display_data; with a display id, later `update`s replace it in place. */
  show(payload: DisplayPayload, displayId?: string): void;
  /** update_display_data for an earlier `show` with this id. */
  update(payload: DisplayPayload, displayId: string): void;
  /** The request (cell) this sink writes to, when known: outputs drawn twice in one cell replace themselves. */
  readonly cell?: string;
}

let sinkOf: (() => DisplaySink) | undefined;

/** Set once by installRichDisplay: how display code finds the running cell's sink. */
export function setCurrentSink(currentSink: () => DisplaySink): void {
  sinkOf = currentSink;
}

/** The given sink, or the running cell's. */
export function currentSink(sink?: DisplaySink): DisplaySink {
  const s = sink ?? sinkOf?.();
  if (!s) throw new Error("Glassbox rich display is not installed: call installRichDisplay(tf, currentSink) first");
  return s;
}
