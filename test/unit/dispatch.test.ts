// The protocol server's dispatch, in process over real ZeroMQ sockets: shell requests run one at a
// time in arrival order, interrupt on shell does not wait behind the cell, control cannot execute,
// and malformed content gets an error reply. The engine here is a small stand-in on this thread,
// so no kernel is spawned; the server and the client are the real ones.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KernelClient } from "../../kernel/protocol/client";
import { writeConnectionFile } from "../../kernel/protocol/connection";
import type { EngineEvent, EngineNotice, EngineRequest } from "../../kernel/protocol/engine-link";
import { KernelServer } from "../../kernel/protocol/server";

const dir = mkdtempSync(join(tmpdir(), "glassbox-dispatch-"));
const events: string[] = [];
let emit: (event: EngineEvent) => void = () => undefined;
let server: KernelServer;
let client: KernelClient;
let finishCell: (() => void) | null = null;

/** Executes `wait` block until the test releases them; everything else answers at once. */
function engine(message: EngineRequest | EngineNotice): void {
  if (message.type === "execute") {
    events.push(`start ${message.code}`);
    const done = () => {
      events.push(`end ${message.code}`);
      emit({ type: "reply", id: message.id, content: { status: "ok", user_expressions: {}, payload: [] } });
    };
    if (message.code === "wait") finishCell = done;
    else setTimeout(done, 5);
  } else if (message.type === "interrupt") {
    events.push("interrupt");
    emit({ type: "interrupt_ack" });
    finishCell?.();
    finishCell = null;
  } else if ("id" in message) emit({ type: "reply", id: message.id, content: {} });
}

before(async () => {
  const { path, info } = await writeConnectionFile(join(dir, "connection.json"));
  server = new KernelServer({
    info,
    kernelName: "dispatch-test",
    version: "0",
    historyFile: join(dir, "history.jsonl"),
    memoryLimit: 2 ** 40,
    log: () => undefined,
    engine: { post: (m) => queueMicrotask(() => engine(m)), onEvent: (h) => (emit = h) },
    stopper: () => ({
      acknowledged: () => undefined,
      watchCell: () => () => undefined,
      interrupt: async (reason) => engine({ type: "interrupt", reason }),
      heapUsage: async () => ({ usedSize: 0 }),
      close: () => undefined,
    }),
  });
  await server.start();
  emit({ type: "ready", banner: "test", backend: "cpu", typescriptVersion: "5", language: "typescript", heapLimit: 2 ** 31 });
  client = new KernelClient(info);
  await client.waitReady(10_000);
  rmSync(path, { force: true });
});

after(async () => {
  client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("shell executes run one at a time, in the order they arrived", async () => {
  events.length = 0;
  const replies = await Promise.all(["a", "b", "c", "d"].map((code) => client.execute(code)));
  assert.deepEqual(events, ["start a", "end a", "start b", "end b", "start c", "end c", "start d", "end d"]);
  const counts = replies.map((r) => (r.content as { execution_count: number }).execution_count);
  assert.deepEqual(counts, [0, 1, 2, 3].map((n) => counts[0] + n), "counts follow the arrival order");
});

test("interrupt_request on shell reaches a busy kernel at once, ahead of queued cells", async () => {
  events.length = 0;
  const cell = client.execute("wait");
  const queued = client.execute("next");
  while (!events.includes("start wait")) await new Promise((r) => setTimeout(r, 5));
  const interrupted = await client.request("shell", "interrupt_request");
  assert.equal((interrupted.content as { status: string }).status, "ok");
  await Promise.all([cell, queued]);
  assert.deepEqual(events, ["start wait", "interrupt", "end wait", "start next", "end next"]);
});

test("execute_request on control is refused and takes no running slot", async () => {
  events.length = 0;
  const reply = await client.request("control", "execute_request", { code: "sneaky" });
  assert.equal((reply.content as { ename: string }).ename, "WrongChannel");
  assert.deepEqual(events, []);
  assert.equal(((await client.request("control", "kernel_info_request")).content as { status: string }).status, "ok");
});

test("malformed content and unknown types get error replies that say why", async () => {
  const bad = await client.request("shell", "execute_request", { code: 42 });
  assert.equal((bad.content as { ename: string }).ename, "BadRequest");
  assert.match((bad.content as { evalue: string }).evalue, /content\.code must be a string/);
  const unknown = await client.request("shell", "frobnicate_request");
  assert.equal((unknown.content as { ename: string }).ename, "UnknownMessageType");
  const ok = await client.execute("after");
  assert.equal((ok.content as { status: string }).status, "ok");
});
