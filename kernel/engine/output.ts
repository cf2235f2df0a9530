/**
 * Where output goes. Every cell runs inside an AsyncLocalStorage context naming its request, so
 * console output, display() calls and errors from timers or unawaited promises land in the cell
 * that scheduled them, never in whichever cell happens to run later.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { JSONObject } from "../protocol/wire";
import type { DisplayPayload } from "../display/mime";
import type { DisplaySink } from "../display/sink";

export interface CellContext {
  /** msg_id of the execute request. */
  parent: string;
  executionCount: number;
  allowStdin: boolean;
}

export type IopubSend = (parent: string | null, msgType: string, content: JSONObject, metadata?: JSONObject) => void;

const FLUSH_MS = 40;
const FLUSH_BYTES = 16 * 1024;

export class Output {
  readonly context = new AsyncLocalStorage<CellContext>();
  /** The cell that ran last: the home of output that has no context at all (rare: native callbacks). */
  private lastParent: string | null = null;
  private readonly buffers = new Map<string, { parent: string | null; name: "stdout" | "stderr"; text: string }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly send: IopubSend) {}

  /**
   * Before the kernel terminates code stuck in a promise continuation: async context tracking must
   * be off, or Node's async id stack is left corrupt and the process aborts. `resumeTracking` repairs
   * the stack afterwards (it needs node --expose-internals, which the kernelspec passes).
   */
  suspendTracking(): void {
    this.context.disable();
  }

  resumeTracking(): void {
    try {
      (require("internal/async_hooks") as { clearAsyncIdStack(): void }).clearAsyncIdStack();
    } catch {
      // Without --expose-internals there is nothing to repair with; the next cell re-enables tracking.
    }
  }

  current(): CellContext | undefined {
    return this.context.getStore();
  }

  parent(): string | null {
    return this.context.getStore()?.parent ?? this.lastParent;
  }

  run<T>(cell: CellContext, fn: () => T): T {
    this.lastParent = cell.parent;
    return this.context.run(cell, fn);
  }

  /** Streams are batched (as ipykernel does) so a loop that prints does not flood the socket. */
  stream(name: "stdout" | "stderr", text: string): void {
    const parent = this.parent();
    const key = `${parent}\u0000${name}`;
    const buffer = this.buffers.get(key);
    if (buffer) buffer.text += text;
    else this.buffers.set(key, { parent, name, text });
    if ((buffer?.text.length ?? text.length) > FLUSH_BYTES) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = [...this.buffers.values()];
    this.buffers.clear();
    for (const { parent, name, text } of pending) this.send(parent, "stream", { name, text });
  }

  /** Any non-stream message: pending stream text goes first so the order is what the user saw. */
  message(msgType: string, content: JSONObject, parent = this.parent(), metadata?: JSONObject): void {
    this.flush();
    this.send(parent, msgType, content, metadata);
  }

  /** A sink bound to the current cell; kept by long-lived things (training curves) that update later. */
  sink(): DisplaySink {
    const parent = this.parent();
    return {
      cell: parent ?? undefined,
      show: (payload: DisplayPayload, displayId?: string) =>
        this.message("display_data", { data: payload.data, metadata: payload.metadata, transient: displayId ? { display_id: displayId } : {} }, parent),
      update: (payload: DisplayPayload, displayId: string) =>
        this.message("update_display_data", { data: payload.data, metadata: payload.metadata, transient: { display_id: displayId } }, parent),
    };
  }

  /** Sends console output and process.stdout/stderr writes to the cell; kernel logs keep the real stderr. */
  captureProcessStreams(): (line: string) => void {
    const realStderr = process.stderr.write.bind(process.stderr);
    const capture =
      (name: "stdout" | "stderr") =>
      (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
        this.stream(name, text);
        const done = typeof encoding === "function" ? encoding : callback;
        if (typeof done === "function") queueMicrotask(() => (done as () => void)());
        return true;
      };
    process.stdout.write = capture("stdout") as typeof process.stdout.write;
    process.stderr.write = capture("stderr") as typeof process.stderr.write;
    return (line: string) => void realStderr(`[glassbox] ${line}\n`);
  }
}
