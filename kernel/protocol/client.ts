/**
 * A Jupyter client over ZeroMQ, used by everything in this repository that talks to a kernel:
 * `glassbox run`, the VS Code controller and the benches. It speaks the same wire format as the kernel.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as zmq from "zeromq";
import { KERNEL_NODE_FLAGS } from "../node-flags";
import { endpoint, writeConnectionFile, type ConnectionInfo } from "./connection";
import { SendQueue } from "./send-queue";
import { decode, encode, newHeader, Signer, type Header, type JSONObject, type Message } from "./wire";

export interface RequestHandlers {
  /** Every iopub message whose parent is this request, in order. */
  onIopub?: (msg: Message) => void;
  /** Answers an input_request; the returned string is sent back as input_reply. */
  onInput?: (prompt: string, password: boolean) => Promise<string>;
}

interface Pending {
  msgType: string;
  reply?: Message;
  idle: boolean;
  handlers: RequestHandlers;
  resolve: (reply: Message) => void;
}

export class KernelClient {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Dealer();
  private readonly control = new zmq.Dealer();
  private readonly stdin = new zmq.Dealer();
  private readonly iopub = new zmq.Subscriber();
  private readonly pending = new Map<string, Pending>();
  private readonly out: Record<"shell" | "control" | "stdin", SendQueue>;
  private closed = false;
  /** Set once the kernel process has gone: later requests settle at once with this error. */
  private gone: string | null = null;
  /** Problems of the client itself (a send that failed). */
  onLog?: (text: string) => void;
  /** iopub messages that belong to no request of this client (other clients, late output). */
  onUnsolicited?: (msg: Message) => void;

  constructor(readonly info: ConnectionInfo) {
    this.signer = new Signer(info.signature_scheme, info.key);
    const routingId = `glassbox-client-${this.session}`;
    this.shell.routingId = routingId;
    this.stdin.routingId = routingId;
    for (const socket of [this.shell, this.control, this.stdin, this.iopub]) {
      socket.linger = 0;
      // A client usually connects before a starting kernel has bound its ports: retry quickly.
      socket.reconnectInterval = 10;
    }
    this.shell.connect(endpoint(info, "shell"));
    this.control.connect(endpoint(info, "control"));
    this.stdin.connect(endpoint(info, "stdin"));
    this.iopub.connect(endpoint(info, "iopub"));
    this.iopub.subscribe();
    const log = (line: string) => this.onLog?.(`${line}\n`);
    this.out = { shell: new SendQueue(this.shell, "shell", log), control: new SendQueue(this.control, "control", log), stdin: new SendQueue(this.stdin, "stdin", log) };
    void this.pump(this.shell, (m) => this.onReply(m));
    void this.pump(this.control, (m) => this.onReply(m));
    void this.pump(this.iopub, (m) => this.onIopub(m));
    void this.pump(this.stdin, (m) => void this.onStdin(m));
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, handle: (msg: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: Message;
        try {
          msg = decode(frames as Buffer[], this.signer);
        } catch {
          continue; // A client ignores what it cannot verify, as the kernel does.
        }
        handle(msg);
      }
    } catch (e) {
      if (!this.closed) throw e;
    }
  }

  private parentId(msg: Message): string | undefined {
    return (msg.parent_header as { msg_id?: string }).msg_id;
  }

  private settle(id: string, p: Pending): void {
    if (p.reply && p.idle) {
      this.pending.delete(id);
      p.resolve(p.reply);
    }
  }

  private onReply(msg: Message): void {
    const id = this.parentId(msg);
    const p = id ? this.pending.get(id) : undefined;
    if (!id || !p) return;
    p.reply = msg;
    this.settle(id, p);
  }

  private onIopub(msg: Message): void {
    const id = this.parentId(msg);
    const p = id ? this.pending.get(id) : undefined;
    if (!id || !p) {
      this.onUnsolicited?.(msg);
      return;
    }
    p.handlers.onIopub?.(msg);
    if (msg.header.msg_type === "status" && (msg.content as { execution_state?: string }).execution_state === "idle") {
      p.idle = true;
      this.settle(id, p);
    }
  }

  private async onStdin(msg: Message): Promise<void> {
    if (msg.header.msg_type !== "input_request") return;
    const id = this.parentId(msg);
    const handler = id ? this.pending.get(id)?.handlers.onInput : undefined;
    const content = msg.content as { prompt?: string; password?: boolean };
    let reply: JSONObject;
    try {
      if (!handler) throw new Error("this client takes no input");
      reply = { status: "ok", value: await handler(content.prompt ?? "", !!content.password) };
    } catch (e) {
      // An error, not an empty string: the cell must not go on as if the user had typed nothing.
      reply = { status: "error", value: "", ename: "InputError", evalue: (e as Error)?.message ?? String(e) };
    }
    this.send("stdin", "input_reply", reply, msg.header);
  }

  private send(channel: "shell" | "control" | "stdin", msgType: string, content: unknown, parent: Message["parent_header"] = {}): Header {
    const header = newHeader(msgType, this.session);
    this.out[channel].send(encode({ identities: [], header, parent_header: parent, metadata: {}, content }, this.signer));
    return header;
  }

  /** Sends a request and resolves with its reply once the kernel has also gone idle for it. */
  async request(channel: "shell" | "control", msgType: string, content: JSONObject = {}, handlers: RequestHandlers = {}): Promise<Message> {
    if (this.gone) return deadReply(msgType, this.gone);
    const header = this.send(channel, msgType, content);
    return new Promise<Message>((resolve) => this.pending.set(header.msg_id, { msgType, idle: false, handlers, resolve }));
  }

  /**
   * The kernel process has exited: every pending request settles now with an error reply that says
   * so (status "error", ename "KernelDied"), and so does every later one, instead of waiting forever.
   */
  kernelExited(how: string): void {
    this.gone = `The kernel exited (${how}) before answering.`;
    for (const p of this.pending.values()) p.resolve(p.reply ?? deadReply(p.msgType, this.gone));
    this.pending.clear();
  }

  execute(code: string, handlers: RequestHandlers = {}, options: JSONObject = {}): Promise<Message> {
    return this.request(
      "shell",
      "execute_request",
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: !!handlers.onInput, stop_on_error: true, ...options },
      handlers,
    );
  }

  /** Resolves true when the heartbeat echoes within `timeoutMs`. */
  async heartbeat(timeoutMs = 1000): Promise<boolean> {
    const hb = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
    try {
      hb.connect(endpoint(this.info, "hb"));
      await hb.send("ping");
      const [echo] = await hb.receive();
      return echo.toString() === "ping";
    } catch {
      return false;
    } finally {
      hb.close();
    }
  }

  /**
   * Polls kernel_info until one request completes, reply and idle status both (a poll whose status
   * went out before iopub's subscription connected never completes, hence the short interval).
   */
  async waitReady(timeoutMs = 30_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    const polls: Promise<Message>[] = [];
    while (Date.now() < deadline) {
      polls.push(this.request("shell", "kernel_info_request"));
      const reply = await Promise.race([...polls, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
      if (reply) return reply;
    }
    throw new Error(`The kernel did not answer kernel_info within ${timeoutMs / 1000} s.`);
  }

  close(): void {
    this.closed = true;
    for (const socket of [this.shell, this.control, this.stdin, this.iopub]) socket.close();
    for (const p of this.pending.values()) p.resolve(p.reply ?? ({ content: { status: "aborted" } } as unknown as Message));
    this.pending.clear();
  }
}

function deadReply(msgType: string, evalue: string): Message {
  const type = msgType.endsWith("_request") ? msgType.slice(0, -"_request".length) + "_reply" : msgType;
  return {
    identities: [],
    header: newHeader(type, "glassbox-client"),
    parent_header: {},
    metadata: {},
    content: { status: "error", ename: "KernelDied", evalue, traceback: [`KernelDied: ${evalue}`] },
    buffers: [],
  };
}

export interface LaunchOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra arguments for `glassbox kernel`. */
  args?: string[];
  /** Receives the kernel's stderr (its log). */
  onLog?: (text: string) => void;
  /** The program that runs the CLI; default: this process's node (in an editor, with ELECTRON_RUN_AS_NODE set by the caller). */
  executable?: string;
  /** The CLI script; default: cliPath(). Source-run callers (tests under tsx) point it at dist/cli.js. */
  cli?: string;
  /** How long to wait for the first kernel_info reply; default 30 s. */
  readyTimeoutMs?: number;
}

export interface RunningKernel {
  client: KernelClient;
  process: ChildProcess;
  connectionFile: string;
  kernelInfo: Message;
  /** Asks the kernel to shut down, then makes sure the process is gone. */
  shutdown(): Promise<void>;
}

/** The CLI entry next to the bundle that imports this module (dist/cli.js). */
export function cliPath(): string {
  return join(__dirname, "cli.js");
}

/** Starts `glassbox kernel` in a child process with a fresh connection file and waits until it answers. */
export async function launchKernel(options: LaunchOptions = {}): Promise<RunningKernel> {
  const { path, info } = await writeConnectionFile();
  const child = spawn(options.executable ?? process.execPath, [...KERNEL_NODE_FLAGS, options.cli ?? cliPath(), "kernel", path, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    log = (log + text).slice(-20_000);
    options.onLog?.(text);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => reject(new Error(`The kernel exited during startup (${signal ?? `code ${code}`}).\n${log.trim()}`)));
    // A program that cannot be spawned (ENOENT, EACCES) emits "error", not "exit"; unhandled it would throw.
    child.once("error", (e) => reject(new Error(`The kernel could not be started: ${e.message}`)));
  });
  const client = new KernelClient(info);
  // Whatever is pending when the process goes (OOM killer, native crash) settles instead of hanging.
  child.once("exit", (code, signal) =>
    client.kernelExited(signal === "SIGKILL" ? "SIGKILL: killed from outside, most often by the system when memory ran out" : (signal ?? `exit code ${code}`)),
  );
  let kernelInfo: Message;
  try {
    kernelInfo = await Promise.race([client.waitReady(options.readyTimeoutMs), exited]);
  } catch (e) {
    client.close();
    child.kill("SIGKILL");
    rmSync(path, { force: true });
    throw e;
  }
  exited.catch(() => undefined);
  return {
    client,
    process: child,
    connectionFile: path,
    kernelInfo,
    async shutdown() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((r) => child.once("exit", () => r()));
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([client.request("control", "shutdown_request", { restart: false }), new Promise((r) => (wait = setTimeout(r, 2000)))]);
        clearTimeout(wait); // a pending timer would keep the caller's process alive for 2 s
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await gone;
        clearTimeout(timer);
      }
      client.close();
      rmSync(path, { force: true });
    },
  };
}
