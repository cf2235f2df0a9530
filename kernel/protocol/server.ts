/**
 * The kernel's protocol side: binds the five sockets, verifies and orders messages, answers what
 * needs no user code (kernel_info, history, connect, shutdown, interrupt…) and forwards the rest to
 * the engine. It runs in a worker thread, so heartbeat, control and interrupt answer even while a
 * cell keeps the main thread busy.
 */
import { Session } from "node:inspector";
import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection";
import type { EngineEvent, EngineNotice, EngineReady, EngineRequest, InterruptReason } from "./engine-link";
import { History } from "./history";
import { decode, encode, newHeader, PROTOCOL_VERSION, Signer, WireError, type Header, type JSONObject, type Message } from "./wire";

export interface EnginePort {
  post(message: EngineRequest | EngineNotice): void;
  onEvent(handler: (event: EngineEvent) => void): void;
}

export interface ServerOptions {
  info: ConnectionInfo;
  kernelName: string;
  version: string;
  historyFile: string;
  engine: EnginePort;
  log: (line: string) => void;
}

type Shellish = zmq.Router;
interface Request {
  msg: Message;
  socket: Shellish;
}

/** How long an interrupt waits for the engine to answer by itself before forcibly stopping JavaScript. */
const INTERRUPT_GRACE_MS = 100;
/** Stop a cell once the main thread's heap passes this share of V8's limit (V8 would abort the process). */
const HEAP_STOP_RATIO = 0.7;
const MAX_REMEMBERED_PARENTS = 5000;

export class KernelServer {
  private readonly signer: Signer;
  private readonly session = crypto.randomUUID();
  // Handover: a client that reconnects with an identity already in use (jupyter_client reuses its
  // session id across a restart) takes it over, instead of replies going to the stale connection.
  private readonly shell = new zmq.Router({ handover: true });
  private readonly control = new zmq.Router({ handover: true });
  private readonly stdin = new zmq.Router({ handover: true });
  private readonly iopub = new zmq.XPublisher();
  private readonly hb = new zmq.Reply();
  private readonly history: History;
  private readonly inspector = new Session();
  private readonly queue: Request[] = [];
  private draining = false;
  private executionCount = 0;
  /** Requests that outputs may still refer to (late output goes to the cell that scheduled it). */
  private readonly parents = new Map<string, Request>();
  private readonly calls = new Map<string, (content: JSONObject) => void>();
  private ready!: EngineReady;
  private readonly readyPromise: Promise<EngineReady>;
  private running: { id: string; request: Request; watchdog?: NodeJS.Timeout; result: string | null; stopping?: boolean } | null = null;
  private interruptAck: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: ServerOptions) {
    this.signer = new Signer(options.info.signature_scheme, options.info.key);
    this.history = new History(options.historyFile);
    let markReady!: (r: EngineReady) => void;
    this.readyPromise = new Promise((r) => (markReady = r));
    options.engine.onEvent((event) => {
      if (event.type === "ready") {
        this.ready = event;
        markReady(event);
      } else this.onEngineEvent(event);
    });
    this.inspector.connectToMainThread();
  }

  async start(): Promise<void> {
    const { info } = this.options;
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.hb]) socket.linger = 0;
    this.iopub.verbosity = "allSubs";
    await Promise.all([
      this.shell.bind(endpoint(info, "shell")),
      this.control.bind(endpoint(info, "control")),
      this.stdin.bind(endpoint(info, "stdin")),
      this.iopub.bind(endpoint(info, "iopub")),
      this.hb.bind(endpoint(info, "hb")),
    ]);
    this.publish("status", { execution_state: "starting" }, {});
    this.options.engine.post({ type: "listening" });
    void this.loop(this.hb, async (frames) => void (await this.hb.send(frames)));
    void this.loop(this.iopub, async ([frame]) => {
      // A subscription frame starts with 1; answer with the welcome message (spec 5.5, JEP 65).
      if (frame && frame[0] === 1) this.publish("iopub_welcome", { subscription: frame.subarray(1).toString() }, {});
    });
    void this.loop(this.shell, async (frames) => this.receive(frames, this.shell, (r) => this.onShell(r)));
    void this.loop(this.control, async (frames) => this.receive(frames, this.control, (r) => void this.handle(r)));
    void this.loop(this.stdin, async (frames) => this.receive(frames, this.stdin, (r) => this.onStdin(r)));
  }

  private async loop(socket: zmq.Router | zmq.XPublisher | zmq.Reply, handle: (frames: Buffer[]) => Promise<void>): Promise<void> {
    try {
      for await (const frames of socket) {
        try {
          await handle(frames as Buffer[]);
        } catch (e) {
          this.options.log(`error while handling a message: ${(e as Error).stack ?? e}`);
        }
      }
    } catch (e) {
      if (!this.closed) this.options.log(`socket loop ended: ${(e as Error).message}`);
    }
  }

  private receive(frames: Buffer[], socket: Shellish, then: (request: Request) => void): void {
    let msg: Message;
    try {
      msg = decode(frames, this.signer);
    } catch (e) {
      const why = e instanceof WireError ? e.message : String(e);
      this.options.log(`dropped a malformed or unsigned message (${why}); ${frames.length} frames`);
      return;
    }
    then({ msg, socket });
  }

  // ---- sending ----

  private async send(socket: Shellish, parent: Message, msgType: string, content: unknown, metadata: JSONObject = {}): Promise<void> {
    const header = newHeader(msgType, this.session);
    await socket.send(encode({ identities: parent.identities, header, parent_header: parent.header, metadata, content }, this.signer));
  }

  private publish(msgType: string, content: unknown, parent: Header | Record<string, never>, metadata: JSONObject = {}, buffers: Buffer[] = []): void {
    if (this.closed) return;
    const header = newHeader(msgType, this.session);
    // One topic per message type, as ipykernel does ("kernel.<id>.<type>" is also accepted by clients).
    const topic = Buffer.from(`kernel.${this.session}.${msgType}`);
    void this.iopub.send(encode({ identities: [topic], header, parent_header: parent, metadata, content, buffers }, this.signer)).catch((e) => this.options.log(`iopub send failed: ${e}`));
  }

  private status(state: "busy" | "idle", parent: Message): void {
    this.publish("status", { execution_state: state }, parent.header);
  }

  // ---- ordering ----

  private onShell(request: Request): void {
    const type = request.msg.header.msg_type;
    // VS Code sends interrupt_request on shell; it must not wait behind the cell it interrupts.
    if (type === "interrupt_request" || type === "shutdown_request") {
      void this.handle(request);
      return;
    }
    this.queue.push(request);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length) await this.handle(this.queue.shift()!);
    } finally {
      this.draining = false;
    }
  }

  /**
   * After an error with stop_on_error, every execute that was waiting when the error happened is
   * answered "aborted". Taken before the error reply goes out: a client may send its next cell as
   * soon as it reads that reply, and that cell must run.
   */
  private takeQueuedExecutes(): Request[] {
    const waiting = this.queue.filter((r) => r.msg.header.msg_type === "execute_request");
    for (let i = this.queue.length - 1; i >= 0; i--) if (waiting.includes(this.queue[i])) this.queue.splice(i, 1);
    return waiting;
  }

  private async abort(waiting: Request[]): Promise<void> {
    for (const { msg, socket } of waiting) {
      this.status("busy", msg);
      await this.send(socket, msg, "execute_reply", { status: "aborted", execution_count: this.executionCount });
      this.status("idle", msg);
    }
  }

  private async handle(request: Request): Promise<void> {
    const { msg } = request;
    const type = msg.header.msg_type;
    this.status("busy", msg);
    try {
      await this.dispatch(request, type);
    } catch (e) {
      this.options.log(`${type} failed: ${(e as Error).stack ?? e}`);
      if (type.endsWith("_request")) {
        await this.send(request.socket, msg, type.replace(/_request$/, "_reply"), { status: "error", ename: "KernelError", evalue: String((e as Error).message ?? e), traceback: [] });
      }
    } finally {
      this.status("idle", msg);
    }
  }

  private async dispatch(request: Request, type: string): Promise<void> {
    const { msg, socket } = request;
    const c = msg.content as Record<string, unknown>;
    switch (type) {
      case "kernel_info_request":
        return this.send(socket, msg, "kernel_info_reply", await this.kernelInfo());
      case "execute_request":
        return this.execute(request);
      case "complete_request":
        return this.send(socket, msg, "complete_reply", { status: "ok", ...(await this.call({ type: "complete", id: msg.header.msg_id, code: String(c.code ?? ""), cursorPos: Number(c.cursor_pos ?? 0) })) });
      case "inspect_request":
        return this.send(socket, msg, "inspect_reply", {
          status: "ok",
          metadata: {},
          ...(await this.call({ type: "inspect", id: msg.header.msg_id, code: String(c.code ?? ""), cursorPos: Number(c.cursor_pos ?? 0), detailLevel: c.detail_level === 1 ? 1 : 0 })),
        });
      case "is_complete_request":
        return this.send(socket, msg, "is_complete_reply", await this.call({ type: "is_complete", id: msg.header.msg_id, code: String(c.code ?? "") }));
      case "history_request":
        return this.send(socket, msg, "history_reply", { status: "ok", history: this.historyFor(c) });
      case "comm_info_request":
        return this.send(socket, msg, "comm_info_reply", {
          status: "ok",
          ...(await this.call({ type: "comm_info", id: msg.header.msg_id, targetName: typeof c.target_name === "string" ? c.target_name : undefined })),
        });
      case "comm_open":
        this.remember(request);
        await this.call({ type: "comm_open", id: msg.header.msg_id, commId: String(c.comm_id), targetName: String(c.target_name), data: (c.data ?? {}) as JSONObject, metadata: msg.metadata });
        return;
      case "comm_msg":
        this.remember(request);
        await this.call({ type: "comm_msg", id: msg.header.msg_id, commId: String(c.comm_id), data: (c.data ?? {}) as JSONObject, metadata: msg.metadata, buffers: msg.buffers });
        return;
      case "comm_close":
        await this.call({ type: "comm_close", id: msg.header.msg_id, commId: String(c.comm_id), data: (c.data ?? {}) as JSONObject });
        return;
      case "connect_request": {
        const { shell_port, iopub_port, stdin_port, control_port, hb_port } = this.options.info;
        return this.send(socket, msg, "connect_reply", { status: "ok", shell_port, iopub_port, stdin_port, control_port, hb_port });
      }
      case "interrupt_request":
        await this.interrupt("user");
        return this.send(socket, msg, "interrupt_reply", { status: "ok" });
      case "shutdown_request":
        return this.shutdown(request, c.restart === true);
      case "debug_request":
        return this.send(socket, msg, "debug_reply", {
          type: "response",
          seq: 0,
          request_seq: c.seq ?? 0,
          command: c.command ?? "",
          success: false,
          message: "Glassbox does not support the Jupyter debugger yet. Use console.log or display() to look inside values.",
        });
      case "usage_request": {
        const heap = await this.heapUsage().catch(() => null);
        return this.send(socket, msg, "usage_reply", { hostname: (await import("node:os")).hostname(), pid: process.pid, kernel_memory: process.memoryUsage().rss, heap_used: heap?.usedSize ?? null });
      }
      default:
        this.options.log(`unknown message type ${JSON.stringify(type)}`);
        if (type.endsWith("_request")) {
          await this.send(socket, msg, type.replace(/_request$/, "_reply"), { status: "error", ename: "UnknownMessageType", evalue: `Glassbox does not handle ${type}.`, traceback: [] });
        }
    }
  }

  private async kernelInfo(): Promise<JSONObject> {
    const ready = await this.readyPromise;
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "glassbox",
      implementation_version: this.options.version,
      language_info:
        ready.language === "javascript"
          ? { name: "javascript", version: process.versions.node, mimetype: "text/javascript", file_extension: ".js", pygments_lexer: "javascript", codemirror_mode: { name: "javascript" }, nbconvert_exporter: "script" }
          : {
              name: "typescript",
              version: ready.typescriptVersion,
              mimetype: "text/typescript",
              file_extension: ".ts",
              pygments_lexer: "typescript",
              codemirror_mode: { name: "javascript", typescript: true },
              nbconvert_exporter: "script",
            },
      banner: ready.banner,
      debugger: false,
      help_links: [
        { text: "TensorFlow.js API", url: "https://js.tensorflow.org/api/latest/" },
        { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      ],
      glassbox: { backend: ready.backend },
    };
  }

  private historyFor(c: Record<string, unknown>) {
    const n = typeof c.n === "number" ? c.n : null;
    const output = c.output === true;
    switch (c.hist_access_type) {
      case "tail":
        return this.history.tail(n ?? 10, output);
      case "range":
        return this.history.range(Number(c.session ?? 0), Number(c.start ?? 0), c.stop === undefined || c.stop === null ? null : Number(c.stop), output);
      case "search":
        return this.history.search(String(c.pattern ?? "*"), n, c.unique === true, output);
      default:
        return [];
    }
  }

  // ---- execution ----

  private remember(request: Request): void {
    this.parents.set(request.msg.header.msg_id, request);
    if (this.parents.size > MAX_REMEMBERED_PARENTS) this.parents.delete(this.parents.keys().next().value as string);
  }

  private async execute(request: Request): Promise<void> {
    const { msg, socket } = request;
    const c = msg.content as Record<string, unknown>;
    const code = typeof c.code === "string" ? c.code : "";
    const silent = c.silent === true;
    const storeHistory = silent ? false : c.store_history !== false;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    this.remember(request);
    if (!silent) this.publish("execute_input", { code, execution_count: count }, msg.header);
    const id = msg.header.msg_id;
    this.running = { id, request, result: null };
    this.watchMemory();
    let result: JSONObject;
    try {
      result = await this.call({
        type: "execute",
        id,
        code,
        silent,
        storeHistory,
        userExpressions: (c.user_expressions ?? {}) as Record<string, string>,
        allowStdin: c.allow_stdin !== false,
        executionCount: count,
      });
    } finally {
      clearInterval(this.running?.watchdog);
      if (storeHistory) this.history.add(count, code, this.running?.result ?? null);
      this.running = null;
    }
    const aborted = result.status === "error" && c.stop_on_error !== false ? this.takeQueuedExecutes() : [];
    await this.send(socket, msg, "execute_reply", { ...result, execution_count: count });
    await this.abort(aborted);
  }

  private heapUsage(): Promise<{ usedSize: number; totalSize: number }> {
    return new Promise((resolve, reject) => this.inspector.post("Runtime.getHeapUsage", (e, r) => (e ? reject(e) : resolve(r as { usedSize: number; totalSize: number }))));
  }

  /** V8 aborts the whole process when the heap is exhausted; stopping the cell first keeps the kernel alive. */
  private watchMemory(): void {
    const running = this.running;
    if (!running || !this.ready?.heapLimit) return;
    running.watchdog = setInterval(() => {
      this.heapUsage()
        .then(({ usedSize }) => {
          if (this.running === running && !running.stopping && usedSize > this.ready.heapLimit * HEAP_STOP_RATIO) {
            running.stopping = true;
            void this.interrupt("memory");
          }
        })
        .catch(() => undefined);
    }, 50);
  }

  /** Stops the running cell. The engine handles it itself when its event loop is free; otherwise JavaScript is terminated. */
  async interrupt(reason: InterruptReason): Promise<void> {
    if (!this.running) return;
    // Memory runs out in milliseconds: no grace then, since the allocating code will not yield anyway.
    const grace = reason === "memory" ? 0 : INTERRUPT_GRACE_MS;
    const acked = new Promise<boolean>((resolve) => {
      this.interruptAck = () => resolve(true);
      setTimeout(() => resolve(false), grace);
    });
    this.options.engine.post({ type: "interrupt", reason });
    if (!(await acked)) {
      // The main thread is stuck in synchronous code. First let the engine prepare (it pauses async
      // context tracking, which a terminated promise continuation would otherwise corrupt), then
      // terminate that code; V8 cancels the termination once it has unwound.
      await new Promise<void>((resolve) =>
        this.inspector.post("Runtime.evaluate", { expression: `globalThis[Symbol.for("glassbox.beforeTerminate")]?.()` }, () => resolve()),
      );
      await new Promise<void>((resolve) => this.inspector.post("Runtime.terminateExecution", () => resolve()));
    }
    this.interruptAck = null;
  }

  private async shutdown(request: Request, restart: boolean): Promise<void> {
    await this.send(request.socket, request.msg, "shutdown_reply", { status: "ok", restart });
    this.publish("status", { execution_state: "idle" }, request.msg.header);
    // Give the reply and status a moment on the wire before the process goes.
    setTimeout(() => {
      void (async () => {
        if (this.running) await this.interrupt("user");
        await this.close();
        this.options.engine.post({ type: "shutdown" });
      })();
    }, 50);
  }

  private onStdin({ msg }: Request): void {
    if (msg.header.msg_type === "input_reply") this.options.engine.post({ type: "input_reply", value: String((msg.content as { value?: unknown }).value ?? "") });
  }

  // ---- engine ----

  private call(request: EngineRequest): Promise<JSONObject> {
    return new Promise((resolve) => {
      this.calls.set(request.id, resolve);
      this.options.engine.post(request);
    });
  }

  private onEngineEvent(event: EngineEvent): void {
    switch (event.type) {
      case "reply": {
        const resolve = this.calls.get(event.id);
        this.calls.delete(event.id);
        resolve?.(event.content);
        return;
      }
      case "iopub": {
        const parent = event.parent ? this.parents.get(event.parent)?.msg.header : undefined;
        if (event.msgType === "execute_result" && this.running && event.parent === this.running.id) {
          const text = (event.content.data as Record<string, unknown> | undefined)?.["text/plain"];
          this.running.result = typeof text === "string" ? text : null;
        }
        this.publish(event.msgType, event.content, parent ?? {}, event.metadata ?? {}, (event.buffers ?? []).map((b) => Buffer.from(b)));
        return;
      }
      case "input_request": {
        const parent = this.parents.get(event.parent);
        if (parent) void this.send(this.stdin, parent.msg, "input_request", { prompt: event.prompt, password: event.password });
        return;
      }
      case "interrupt_ack":
        this.interruptAck?.();
        return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // Let queued sends (the shutdown reply, the last status) leave before the sockets go.
    await new Promise((r) => setTimeout(r, 50));
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.hb]) socket.close();
    this.inspector.disconnect();
  }
}
