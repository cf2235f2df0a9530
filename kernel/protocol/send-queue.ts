/**
 * One send at a time per ZeroMQ socket. zeromq.js allows a single send in flight per socket and
 * throws "Socket is busy writing" (synchronously) at a second one; it also defers every 256th
 * send to keep the event loop free, so any burst of outputs would hit that. Every send of the
 * kernel goes through a queue like this one.
 */
export interface WritableSocket {
  send(frames: Buffer[]): Promise<void>;
}

/**
 * How many messages may wait behind a socket that cannot take them (an iopub subscriber that
 * stopped reading, a client gone away). Beyond this the oldest waiting messages are dropped:
 * the kernel keeps running and its memory stays bounded.
 */
export const MAX_WAITING = 10_000;

export class SendQueue {
  private readonly waiting: Buffer[][] = [];
  private sending = false;
  private dropped = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly socket: WritableSocket,
    private readonly name: string,
    private readonly log: (line: string) => void,
    private readonly limit = MAX_WAITING,
  ) {}

  /** Queues one message; never throws. */
  send(frames: Buffer[]): void {
    if (this.waiting.length >= this.limit) {
      this.waiting.shift();
      if (this.dropped++ === 0) this.log(`${this.name}: ${this.limit} messages waiting for a reader; dropping the oldest`);
    }
    this.waiting.push(frames);
    if (!this.sending) void this.pump();
  }

  /** Resolves once everything queued so far has left (or failed to). */
  flushed(): Promise<void> {
    if (!this.sending && !this.waiting.length) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  get length(): number {
    return this.waiting.length;
  }

  private async pump(): Promise<void> {
    this.sending = true;
    while (this.waiting.length) {
      const frames = this.waiting.shift()!;
      try {
        await this.socket.send(frames);
      } catch (e) {
        this.log(`${this.name}: send failed: ${(e as Error).message ?? e}`);
      }
    }
    this.sending = false;
    if (this.dropped) {
      this.log(`${this.name}: the reader caught up; ${this.dropped} messages were dropped`);
      this.dropped = 0;
    }
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
