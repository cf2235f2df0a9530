// Sends on one socket, serialised: never two in flight, in order, never throwing, bounded.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SendQueue } from "../../kernel/protocol/send-queue";

/** A socket that behaves like zeromq.js: a second send while one is in flight throws synchronously. */
class StrictSocket {
  sent: string[] = [];
  private busy = false;
  constructor(private readonly delayMs: number, private readonly failEvery = 0) {}
  send(frames: Buffer[]): Promise<void> {
    if (this.busy) throw new Error("Socket is busy writing; only one send operation may be in progress at any time");
    this.busy = true;
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        this.busy = false;
        const text = frames[0].toString();
        if (this.failEvery && this.sent.length % this.failEvery === this.failEvery - 1) {
          this.sent.push(`failed ${text}`);
          reject(new Error("EAGAIN"));
        } else {
          this.sent.push(text);
          resolve();
        }
      }, this.delayMs),
    );
  }
}

test("a burst goes out one at a time, in order, and a failed send does not stop the rest", async () => {
  const socket = new StrictSocket(0, 100);
  const logs: string[] = [];
  const queue = new SendQueue(socket, "iopub", (l) => logs.push(l));
  for (let i = 0; i < 1000; i++) queue.send([Buffer.from(String(i))]);
  await queue.flushed();
  assert.equal(socket.sent.length, 1000);
  assert.deepEqual(socket.sent.map((s) => s.replace("failed ", "")), Array.from({ length: 1000 }, (_, i) => String(i)));
  assert.equal(logs.filter((l) => l.includes("send failed")).length, 10);
});

test("behind a reader that does not keep up, the oldest messages are dropped and memory stays bounded", async () => {
  const socket = new StrictSocket(5);
  const logs: string[] = [];
  const queue = new SendQueue(socket, "iopub", (l) => logs.push(l), 10);
  for (let i = 0; i < 100; i++) queue.send([Buffer.from(String(i))]);
  assert.ok(queue.length <= 10);
  await queue.flushed();
  assert.equal(socket.sent.at(-1), "99", "the newest message is delivered");
  assert.ok(socket.sent.length <= 11);
  assert.ok(logs.some((l) => l.includes("dropping the oldest")) && logs.some((l) => l.includes("were dropped")));
});
