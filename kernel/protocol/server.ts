/**
 * The kernel's protocol side: binds the five sockets, verifies and orders messages, answers what
 * needs no user code (kernel_info, history, connect, shutdown, interrupt…) and forwards the rest to
 * the engine. It runs in a worker thread, so heartbeat, control and interrupt answer even while a
 * cell keeps the main thread busy.
 *
 * Each channel has its own handler table: shell requests run one at a time in arrival order
 * (interrupt and shutdown excepted, so they don't wait behind the cell they stop); control requests
 * run at once and cannot execute code.
 */
import { hostname } from "node:os";
import * as zmq from "zeromq";
import { CellStopper } from "./cell-stopper";
import { endpoint, type ConnectionInfo } from "./connection";
import type { EngineEvent, EngineNotice, EngineReady, EngineRequest, InterruptReason } from "./engine-link";
import { History } from "./history";
import { ContentError, isRequestType, parseContent, replyType, type RequestContents, type RequestType } from "./messages";
import { SendQueue } from "./send-queue";
import { residentMemoryWithChildren } from "./usage";
import { decode, encode, newHeader, PROTOCOL_VERSION, Signer, WireError, type Header, type JSONObject, type Message } from "./wire";

export interface EnginePort {
  post(message: EngineRequest | EngineNotice): void;
  onEvent(handler: (event: EngineEvent) => void): void;
}

/** What the server needs from the cell stopper (kernel/protocol/cell-stopper.ts). */
export interface Stopper {
  acknowledged(): void;
  watchCell(isRunning: () => boolean): () => void;
  interrupt(reason: InterruptReason): Promise<void>;
  heapUsage(): Promise<{ usedSize: number }>;
  close(): void;
}

export interface ServerOptions {
  info: ConnectionInfo;
  kernelName: string;
  version: string;
  historyFile: string;
  engine: EnginePort;
  log: (line: string) => void;
  /** Resident-memory limit of the process in bytes (see kernel/memory.ts). */
  memoryLimit: number;
  /** Default: a CellStopper on the main thread's inspector (only available in a worker thread). */
  stopper?: (heapLimit: () => number | undefined) => Stopper;
}

export type Channel = "shell" | "control";

interface Request<K extends RequestType = RequestType> {
  msg: Message;
  channel: Channel;
  content: RequestContents[K];
}

type Handler<K extends RequestType> = (request: Request<K>) => Promise<void>;
type HandlerTable = { [K in RequestType]?: Handler<K> };

const MAX_REMEMBERED_PARENTS = 5000;

export class KernelServer {
  private readonly signer: Signer;
  private readonly session = crypto.randomUUID();
  // Handover: a client that reconnects with an identity already in use (jupyter_client reuses its
  // session id across a restart) takes it over, instead of replies going to the stale connection.
  private readonly sockets = {
    shell: new zmq.Router({ handover: true }),
    control: new zmq.Router({ handover: true }),
    stdin: new zmq.Router({ handover: true }),
    iopub: new zmq.XPublisher(),
    hb: new zmq.Reply(),
  };
  private readonly out: Record<"shell" | "control" | "stdin" | "iopub", SendQueue>;
  private readonly history: History;
  private readonly stopper: Stopper;
  private readonly queue: Request[] = [];
  private draining = false;
  private executionCount = 0;
  /** Requests that outputs may still refer to (late output goes to the cell that scheduled it). */
  private readonly parents = new Map<string, Pick<Message, "header" | "identities">>();
  private readonly calls = new Map<string, (content: JSONObject) => void>();
  private ready?: EngineReady;
  private readonly readyPromise: Promise<EngineReady>;
  private running: { id: string; result: string | null } | null = null;
  private closed = false;

  /** Shell: queued in arrival order, except the two that must reach a busy kernel at once. */
  private readonly shellHandlers: HandlerTable = {
    kernel_info_request: (r) => this.kernelInfo(r),
    execute_request: (r) => this.execute(r),
    complete_request: (r) => this.complete(r),
    inspect_request: (r) => this.inspect(r),
    is_complete_request: (r) => this.isComplete(r),
    history_request: (r) => this.historyReply(r),
    comm_info_request: (r) => this.commInfo(r),
    comm_open: (r) => this.commOpen(r),
    comm_msg: (r) => this.commMsg(r),
    comm_close: (r) => this.commClose(r),
    connect_request: (r) => this.connect(r),
    // VS Code sends interrupt_request on shell; it must not wait behind the cell it interrupts.
    interrupt_request: (r) => this.interruptReply(r),
    shutdown_request: (r) => this.shutdown(r),
    usage_request: (r) => this.usage(r),
    debug_request: (r) => this.debug(r),
  };
  private readonly shellImmediate = new Set<RequestType>(["interrupt_request", "shutdown_request"]);

  /** Control: answered at once, never queued; nothing here runs user code or takes the running slot. */
  private readonly controlHandlers: HandlerTable = {
    kernel_info_request: (r) => this.kernelInfo(r),
    interrupt_request: (r) => this.interruptReply(r),
    shutdown_request: (r) => this.shutdown(r),
    connect_request: (r) => this.connect(r),
    usage_request: (r) => this.usage(r),
    debug_request: (r) => this.debug(r),
    history_request: (r) => this.historyReply(r),
    comm_info_request: (r) => this.commInfo(r),
  };

  constructor(private readonly options: ServerOptions) {
    this.signer = new Signer(options.info.signature_scheme, options.info.key);
    this.history = new History(options.historyFile);
    const queue = (name: "shell" | "control" | "stdin" | "iopub") => new SendQueue(this.sockets[name], name, options.log);
    this.out = { shell: queue("shell"), control: queue("control"), stdin: queue("stdin"), iopub: queue("iopub") };
    let markReady!: (r: EngineReady) => void;
    this.readyPromise = new Promise((r) => (markReady = r));
    options.engine.onEvent((event) => {
      if (event.type === "ready") {
        this.ready = event;
        markReady(event);
      } else this.onEngineEvent(event);
    });
    const heapLimit = () => this.ready?.heapLimit;
    this.stopper = options.stopper
      ? options.stopper(heapLimit)
      : new CellStopper({ post: (reason) => options.engine.post({ type: "interrupt", reason }), memoryLimit: options.memoryLimit, heapLimit });
  }

  async start(): Promise<void> {
    const { info } = this.options;
    const s = this.sockets;
    for (const socket of Object.values(s)) socket.linger = 0;
    s.iopub.verbosity = "allSubs";
    await Promise.all([
      s.shell.bind(endpoint(info, "shell")),
      s.control.bind(endpoint(info, "control")),
      s.stdin.bind(endpoint(info, "stdin")),
      s.iopub.bind(endpoint(info, "iopub")),
      s.hb.bind(endpoint(info, "hb")),
    ]);
    this.publish("status", { execution_state: "starting" }, {});
    // REQ/REP: one echo per ping, and the loop awaits it before reading the next, so sends never overlap.
    void this.loop(s.hb, async (frames) => void (await s.hb.send(frames)));
    void this.loop(s.iopub, async ([frame]) => {
      // A subscription frame starts with 1; answer with the welcome message (spec 5.5, JEP 65).
      if (frame && frame[0] === 1) this.publish("iopub_welcome", { subscription: frame.subarray(1).toString() }, {});
    });
    void this.loop(s.shell, async (frames) => this.receive(frames, "shell"));
    void this.loop(s.control, async (frames) => this.receive(frames, "control"));
    void this.loop(s.stdin, async (frames) => this.onStdin(frames));
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

  private decode(frames: Buffer[]): Message | null {
    try {
      return decode(frames, this.signer);
    } catch (e) {
      const why = e instanceof WireError ? e.message : String(e);
      this.options.log(`dropped a malformed or unsigned message (${why}); ${frames.length} frames`);
      return null;
    }
  }

  // ---- dispatch ----

  /** Decodes, parses the content for its type, and routes by the channel's table. */
  private async receive(frames: Buffer[], channel: Channel): Promise<void> {
    const msg = this.decode(frames);
    if (!msg) return;
    const type = msg.header.msg_type;
    const table = channel === "shell" ? this.shellHandlers : this.controlHandlers;
    const handler = isRequestType(type) ? (table[type] as Handler<RequestType> | undefined) : undefined;
    if (!handler) return this.reject(msg, channel, type);
    let content: RequestContents[RequestType];
    try {
      content = parseContent(type as RequestType, msg.content);
    } catch (e) {
      if (!(e instanceof ContentError)) throw e;
      return this.answerError(msg, channel, "BadRequest", `Malformed ${type}: ${e.message}`);
    }
    const request: Request = { msg, channel, content };
    if (channel === "control" || this.shellImmediate.has(type as RequestType)) {
      // Not awaited: an interrupt that waits on code stuck in native calls must not hold up a later shutdown.
      void this.handle(request, handler);
      return;
    }
    this.queue.push(request);
    void this.drain();
  }

  private async reject(msg: Message, channel: Channel, type: string): Promise<void> {
    const elsewhere = channel === "control" && isRequestType(type) && this.shellHandlers[type];
    this.options.log(elsewhere ? `${type} on the control channel refused` : `unknown message type ${JSON.stringify(type).slice(0, 200)}`);
    const evalue = elsewhere ? `${type} belongs on the shell channel; the control channel does not run code.` : `Glassbox does not handle ${type}.`;
    return this.answerError(msg, channel, elsewhere ? "WrongChannel" : "UnknownMessageType", evalue);
  }

  /** An error reply (inside busy/idle) for a request; nothing for messages that take no reply. */
  private async answerError(msg: Message, channel: Channel, ename: string, evalue: string): Promise<void> {
    const reply = replyType(msg.header.msg_type);
    if (!reply) return;
    this.status("busy", msg);
    this.send(channel, msg, reply, { status: "error", ename, evalue, traceback: [`${ename}: ${evalue}`] });
    this.status("idle", msg);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length) {
        const request = this.queue.shift()!;
        await this.handle(request, this.shellHandlers[request.msg.header.msg_type as RequestType] as Handler<RequestType>);
      }
    } finally {
      this.draining = false;
    }
  }

  private async handle(request: Request, handler: Handler<RequestType>): Promise<void> {
    const { msg } = request;
    const type = msg.header.msg_type;
    this.status("busy", msg);
    try {
      await handler(request);
    } catch (e) {
      this.options.log(`${type} failed: ${(e as Error).stack ?? e}`);
      const reply = replyType(type);
      if (reply) this.send(request.channel, msg, reply, { status: "error", ename: "KernelError", evalue: String((e as Error)?.message ?? e), traceback: [] });
    } finally {
      this.status("idle", msg);
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

  private abort(waiting: Request[]): void {
    for (const { msg, channel } of waiting) {
      this.status("busy", msg);
      this.send(channel, msg, "execute_reply", { status: "aborted", execution_count: this.executionCount });
      this.status("idle", msg);
    }
  }

  // ---- sending ----

  private send(channel: Channel | "stdin", parent: Pick<Message, "header" | "identities">, msgType: string, content: unknown, metadata: JSONObject = {}): void {
    if (this.closed) return;
    const header = newHeader(msgType, this.session);
    this.out[channel].send(encode({ identities: parent.identities, header, parent_header: parent.header, metadata, content }, this.signer));
  }

  private publish(msgType: string, content: unknown, parent: Header | Record<string, never>, metadata: JSONObject = {}, buffers: Buffer[] = []): void {
    if (this.closed) return;
    const header = newHeader(msgType, this.session);
    // One topic per message type, as ipykernel does ("kernel.<id>.<type>" is also accepted by clients).
    const topic = Buffer.from(`kernel.${this.session}.${msgType}`);
    this.out.iopub.send(encode({ identities: [topic], header, parent_header: parent, metadata, content, buffers }, this.signer));
  }

  private status(state: "busy" | "idle", parent: Message): void {
    this.publish("status", { execution_state: state }, parent.header);
  }

  // ---- handlers ----

  private async kernelInfo({ msg, channel }: Request<"kernel_info_request">): Promise<void> {
    const ready = await this.readyPromise;
    this.send(channel, msg, "kernel_info_reply", {
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
    });
  }

  private async complete({ msg, channel, content }: Request<"complete_request">): Promise<void> {
    const found = await this.call({ type: "complete", id: msg.header.msg_id, code: content.code, cursorPos: content.cursor_pos });
    this.send(channel, msg, "complete_reply", { status: "ok", ...found });
  }

  private async inspect({ msg, channel, content }: Request<"inspect_request">): Promise<void> {
    const found = await this.call({ type: "inspect", id: msg.header.msg_id, code: content.code, cursorPos: content.cursor_pos, detailLevel: content.detail_level });
    this.send(channel, msg, "inspect_reply", { status: "ok", metadata: {}, ...found });
  }

  private async isComplete({ msg, channel, content }: Request<"is_complete_request">): Promise<void> {
    this.send(channel, msg, "is_complete_reply", await this.call({ type: "is_complete", id: msg.header.msg_id, code: content.code }));
  }

  private async historyReply({ msg, channel, content: c }: Request<"history_request">): Promise<void> {
    let history: unknown[] = [];
    if (c.hist_access_type === "tail") history = this.history.tail(c.n ?? 10, c.output);
    else if (c.hist_access_type === "range") history = this.history.range(c.session, c.start, c.stop, c.output);
    else if (c.hist_access_type === "search") history = this.history.search(c.pattern, c.n, c.unique, c.output);
    this.send(channel, msg, "history_reply", { status: "ok", history });
  }

  private async commInfo({ msg, channel, content }: Request<"comm_info_request">): Promise<void> {
    const found = await this.call({ type: "comm_info", id: msg.header.msg_id, targetName: content.target_name });
    this.send(channel, msg, "comm_info_reply", { status: "ok", ...found });
  }

  private async commOpen({ msg, content }: Request<"comm_open">): Promise<void> {
    this.remember(msg);
    await this.call({ type: "comm_open", id: msg.header.msg_id, commId: content.comm_id, targetName: content.target_name, data: content.data, metadata: msg.metadata });
  }

  private async commMsg({ msg, content }: Request<"comm_msg">): Promise<void> {
    this.remember(msg);
    await this.call({ type: "comm_msg", id: msg.header.msg_id, commId: content.comm_id, data: content.data, metadata: msg.metadata, buffers: msg.buffers });
  }

  private async commClose({ msg, content }: Request<"comm_close">): Promise<void> {
    await this.call({ type: "comm_close", id: msg.header.msg_id, commId: content.comm_id, data: content.data });
  }

  private async connect({ msg, channel }: Request<"connect_request">): Promise<void> {
    const { shell_port, iopub_port, stdin_port, control_port, hb_port } = this.options.info;
    this.send(channel, msg, "connect_reply", { status: "ok", shell_port, iopub_port, stdin_port, control_port, hb_port });
  }

  private async interruptReply({ msg, channel }: Request<"interrupt_request">): Promise<void> {
    await this.interrupt("user");
    this.send(channel, msg, "interrupt_reply", { status: "ok" });
  }

  private async debug({ msg, channel, content }: Request<"debug_request">): Promise<void> {
    this.send(channel, msg, "debug_reply", {
      type: "response",
      seq: 0,
      request_seq: content.seq,
      command: content.command,
      success: false,
      message: "Glassbox does not support the Jupyter debugger yet. Use console.log or display() to look inside values.",
    });
  }

  private async usage({ msg, channel }: Request<"usage_request">): Promise<void> {
    const heap = await this.stopper.heapUsage().catch(() => null);
    this.send(channel, msg, "usage_reply", {
      hostname: hostname(),
      pid: process.pid,
      kernel_memory: residentMemoryWithChildren(),
      memory_limit: this.options.memoryLimit,
      heap_used: heap?.usedSize ?? null,
    });
  }

  // ---- execution ----

  private remember(msg: Message): void {
    // Only what late output and input requests need, copied: a received frame can pin the memory of
    // the whole message it arrived in, and thousands of remembered cells would keep all of it. Copied
    // outside Buffer's pool too: a pooled copy of a few bytes keeps its whole 8 KiB slab alive.
    const identities = msg.identities.map((id) => {
      const copy = Buffer.allocUnsafeSlow(id.length);
      copy.set(id);
      return copy;
    });
    this.parents.set(msg.header.msg_id, { header: msg.header, identities });
    if (this.parents.size > MAX_REMEMBERED_PARENTS) this.parents.delete(this.parents.keys().next().value as string);
  }

  private async execute(request: Request<"execute_request">): Promise<void> {
    const { msg, channel, content: c } = request;
    if (c.store_history) this.executionCount++;
    const count = this.executionCount;
    this.remember(msg);
    if (!c.silent) this.publish("execute_input", { code: c.code, execution_count: count }, msg.header);
    const id = msg.header.msg_id;
    const running = { id, result: null as string | null };
    this.running = running;
    const unwatch = this.stopper.watchCell(() => this.running === running);
    let result: JSONObject;
    try {
      result = await this.call({
        type: "execute",
        id,
        code: c.code,
        silent: c.silent,
        storeHistory: c.store_history,
        userExpressions: c.user_expressions,
        allowStdin: c.allow_stdin,
        executionCount: count,
      });
    } finally {
      unwatch();
      if (c.store_history) this.history.add(count, c.code, running.result);
      this.running = null;
    }
    const aborted = result.status === "error" && c.stop_on_error ? this.takeQueuedExecutes() : [];
    this.send(channel, msg, "execute_reply", { ...result, execution_count: count });
    this.abort(aborted);
  }

  /** Stops the running cell, if any (interrupt_request, SIGINT, shutdown). */
  async interrupt(reason: InterruptReason): Promise<void> {
    if (this.running) await this.stopper.interrupt(reason);
  }

  private async shutdown({ msg, channel, content }: Request<"shutdown_request">): Promise<void> {
    this.send(channel, msg, "shutdown_reply", { status: "ok", restart: content.restart });
    this.publish("status", { execution_state: "idle" }, msg.header);
    // Give the reply and status a moment on the wire before the process goes.
    setTimeout(() => {
      void (async () => {
        await this.interrupt("user");
        await this.close();
        this.options.engine.post({ type: "shutdown" });
      })();
    }, 50);
  }

  private async onStdin(frames: Buffer[]): Promise<void> {
    const msg = this.decode(frames);
    if (!msg || msg.header.msg_type !== "input_reply") return;
    let reply: RequestContents["input_reply"];
    try {
      reply = parseContent("input_reply", msg.content);
    } catch (e) {
      reply = { value: "", error: `malformed input_reply (${(e as Error).message})` };
    }
    this.options.engine.post({ type: "input_reply", ...reply });
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
        const parent = event.parent ? this.parents.get(event.parent)?.header : undefined;
        if (event.msgType === "execute_result" && this.running && event.parent === this.running.id) {
          const text = (event.content.data as Record<string, unknown> | undefined)?.["text/plain"];
          this.running.result = typeof text === "string" ? text : null;
        }
        this.publish(event.msgType, event.content, parent ?? {}, event.metadata ?? {}, (event.buffers ?? []).map((b) => Buffer.from(b)));
        return;
      }
      case "input_request": {
        const parent = this.parents.get(event.parent);
        if (parent) this.send("stdin", parent, "input_request", { prompt: event.prompt, password: event.password });
        return;
      }
      case "interrupt_ack":
        this.stopper.acknowledged();
        return;
    }
  }

  async close(): Promise<void> {
    // Let queued sends (the shutdown reply, the last status) leave before the sockets go.
    await Promise.race([Promise.all(Object.values(this.out).map((q) => q.flushed())), new Promise((r) => setTimeout(r, 500))]);
    await new Promise((r) => setTimeout(r, 50));
    this.closed = true;
    for (const socket of Object.values(this.sockets)) socket.close();
    this.stopper.close();
  }
}
