/**
 * Messages between the protocol worker (sockets, ordering, history) and the engine on the main
 * thread (user code). The worker owns every Jupyter header: the engine names the request an
 * output belongs to by `parent`, the msg_id of that request.
 */
import type { JSONObject } from "./wire";

export interface ExecuteCall {
  type: "execute";
  id: string;
  code: string;
  silent: boolean;
  storeHistory: boolean;
  userExpressions: Record<string, string>;
  allowStdin: boolean;
  /** The count this execution shows (already incremented by the worker when it stores history). */
  executionCount: number;
}

/** Requests the worker sends to the engine; each is answered by one `reply` with the same id. */
export type EngineRequest =
  | ExecuteCall
  | { type: "complete"; id: string; code: string; cursorPos: number }
  | { type: "inspect"; id: string; code: string; cursorPos: number; detailLevel: 0 | 1 }
  | { type: "is_complete"; id: string; code: string }
  | { type: "comm_info"; id: string; targetName?: string }
  | { type: "comm_open"; id: string; commId: string; targetName: string; data: JSONObject; metadata: JSONObject }
  | { type: "comm_msg"; id: string; commId: string; data: JSONObject; metadata: JSONObject; buffers: Uint8Array[] }
  | { type: "comm_close"; id: string; commId: string; data: JSONObject };

export type CellLanguage = "typescript" | "javascript";

/** Why a running cell was stopped: the user asked, it ran past a deadline, or it nearly exhausted memory. */
export type InterruptReason = "user" | "timeout" | "memory";

/** One-way notices from the worker. */
export type EngineNotice =
  | { type: "interrupt"; reason: InterruptReason }
  /** `error` when the front end could not answer (its input_reply had status "error"). */
  | { type: "input_reply"; value: string; error?: string }
  | { type: "shutdown" };

export interface EngineReady {
  type: "ready";
  /** One line per fact: the tensor backend and why faster ones were skipped. */
  banner: string;
  backend: string;
  typescriptVersion: string;
  /** The language cells are written in: TypeScript (type-checked) or JavaScript (never blocked by types). */
  language: CellLanguage;
  /** V8's heap limit of the main thread, so the worker can stop a cell before it exhausts memory. */
  heapLimit: number;
}

/** What the engine sends to the worker. */
export type EngineEvent =
  | EngineReady
  | { type: "reply"; id: string; content: JSONObject }
  | { type: "iopub"; parent: string | null; msgType: string; content: JSONObject; metadata?: JSONObject; buffers?: Uint8Array[] }
  | { type: "input_request"; parent: string; prompt: string; password: boolean }
  | { type: "interrupt_ack" };
