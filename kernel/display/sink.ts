/** Where display output goes: the runtime gives each cell one, bound to that cell's request. */
import type { DisplayPayload } from "./mime";

export interface DisplaySink {
  /** display_data; with a display id, later `update`s replace it in place. */
  show(payload: DisplayPayload, displayId?: string): void;
  /** update_display_data for an earlier `show` with this id. */
  update(payload: DisplayPayload, displayId: string): void;
}
