/**
 * The content of each request the kernel handles, typed, and the one step that turns a message's
 * untrusted JSON content into it. Handlers never read raw content: a field of the wrong type is
 * answered with an error reply naming the field, and optional fields get the spec's defaults.
 */
import type { JSONObject } from "./wire";

export interface ExecuteContent {
  code: string;
  silent: boolean;
  store_history: boolean;
  user_expressions: Record<string, string>;
  allow_stdin: boolean;
  stop_on_error: boolean;
}

export interface CodeAtCursor {
  code: string;
  cursor_pos: number;
}

export interface InspectContent extends CodeAtCursor {
  detail_level: 0 | 1;
}

export interface HistoryContent {
  hist_access_type: "tail" | "range" | "search" | string;
  output: boolean;
  n: number | null;
  session: number;
  start: number;
  stop: number | null;
  pattern: string;
  unique: boolean;
}

export interface CommOpenContent {
  comm_id: string;
  target_name: string;
  data: JSONObject;
}

export interface CommContent {
  comm_id: string;
  data: JSONObject;
}

export interface RequestContents {
  kernel_info_request: Record<string, never>;
  execute_request: ExecuteContent;
  complete_request: CodeAtCursor;
  inspect_request: InspectContent;
  is_complete_request: { code: string };
  history_request: HistoryContent;
  comm_info_request: { target_name?: string };
  comm_open: CommOpenContent;
  comm_msg: CommContent;
  comm_close: CommContent;
  connect_request: Record<string, never>;
  interrupt_request: Record<string, never>;
  shutdown_request: { restart: boolean };
  debug_request: { seq: number; command: string };
  usage_request: Record<string, never>;
  input_reply: { value: string; error?: string };
}

export type RequestType = keyof RequestContents;

/** A field of a request's content that has the wrong type. */
export class ContentError extends Error {}

type Raw = Record<string, unknown>;

function str(c: Raw, key: string, fallback?: string): string {
  const v = c[key];
  if (typeof v === "string") return v;
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new ContentError(`content.${key} is required (a string).`);
  }
  throw new ContentError(`content.${key} must be a string, not ${describe(v)}.`);
}

function bool(c: Raw, key: string, fallback: boolean): boolean {
  const v = c[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "boolean") return v;
  throw new ContentError(`content.${key} must be true or false, not ${describe(v)}.`);
}

function int(c: Raw, key: string, fallback: number): number;
function int(c: Raw, key: string, fallback: null): number | null;
function int(c: Raw, key: string, fallback: number | null): number | null {
  const v = c[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v);
  throw new ContentError(`content.${key} must be a number, not ${describe(v)}.`);
}

function object(c: Raw, key: string): JSONObject {
  const v = c[key];
  if (v === undefined || v === null) return {};
  if (typeof v === "object" && !Array.isArray(v)) return v as JSONObject;
  throw new ContentError(`content.${key} must be an object, not ${describe(v)}.`);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? "an array" : v === null ? "null" : `a ${typeof v}`;
}

function codeAtCursor(c: Raw): CodeAtCursor {
  const code = str(c, "code", "");
  // Cursor positions count Unicode code points (spec 5.2); clamp so the engine never indexes past the code.
  const cursor_pos = Math.max(0, Math.min(int(c, "cursor_pos", [...code].length), [...code].length));
  return { code, cursor_pos };
}

const parsers: { [K in RequestType]: (c: Raw) => RequestContents[K] } = {
  kernel_info_request: () => ({}),
  execute_request: (c) => {
    const expressions = object(c, "user_expressions");
    for (const [name, expression] of Object.entries(expressions)) {
      if (typeof expression !== "string") throw new ContentError(`content.user_expressions.${name} must be a string of code.`);
    }
    const silent = bool(c, "silent", false);
    return {
      code: str(c, "code"),
      silent,
      store_history: silent ? false : bool(c, "store_history", true),
      user_expressions: expressions as Record<string, string>,
      allow_stdin: bool(c, "allow_stdin", true),
      stop_on_error: bool(c, "stop_on_error", true),
    };
  },
  complete_request: codeAtCursor,
  inspect_request: (c) => ({ ...codeAtCursor(c), detail_level: int(c, "detail_level", 0) === 1 ? 1 : 0 }),
  is_complete_request: (c) => ({ code: str(c, "code", "") }),
  history_request: (c) => ({
    hist_access_type: str(c, "hist_access_type", "tail"),
    output: bool(c, "output", false),
    n: int(c, "n", null),
    session: int(c, "session", 0),
    start: int(c, "start", 0),
    stop: int(c, "stop", null),
    pattern: str(c, "pattern", "*"),
    unique: bool(c, "unique", false),
  }),
  comm_info_request: (c) => {
    const target = c.target_name;
    return typeof target === "string" ? { target_name: target } : {};
  },
  comm_open: (c) => ({ comm_id: str(c, "comm_id"), target_name: str(c, "target_name"), data: object(c, "data") }),
  comm_msg: (c) => ({ comm_id: str(c, "comm_id"), data: object(c, "data") }),
  comm_close: (c) => ({ comm_id: str(c, "comm_id"), data: object(c, "data") }),
  connect_request: () => ({}),
  interrupt_request: () => ({}),
  shutdown_request: (c) => ({ restart: c.restart === true }),
  debug_request: (c) => ({ seq: typeof c.seq === "number" ? c.seq : 0, command: typeof c.command === "string" ? c.command : "" }),
  usage_request: () => ({}),
  input_reply: (c) =>
    c.status === "error"
      ? { value: "", error: [c.ename, c.evalue].filter((p) => typeof p === "string" && p).join(": ") || "the front end reported an error" }
      : { value: str(c, "value", "") },
};

export function isRequestType(type: string): type is RequestType {
  return Object.prototype.hasOwnProperty.call(parsers, type);
}

/** Checks and normalises a request's content; throws ContentError naming the first bad field. */
export function parseContent<K extends RequestType>(type: K, content: JSONObject): RequestContents[K] {
  return parsers[type](content as Raw);
}

/** The reply type for a request type (`execute_request` → `execute_reply`); null for messages that get none. */
export function replyType(type: string): string | null {
  return type.endsWith("_request") ? type.slice(0, -"_request".length) + "_reply" : null;
}
