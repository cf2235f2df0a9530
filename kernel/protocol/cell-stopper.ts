/**
 * Stops the running cell from the protocol worker: on interrupt, and by itself when the process is
 * about to exhaust memory. The engine stops the cell when its event loop is free; when the main
 * thread is stuck in synchronous code, JavaScript there is terminated through the inspector.
 * Nothing here knows about Jupyter messages.
 */
import { Session } from "node:inspector";
import type { InterruptReason } from "./engine-link";

/** How long an interrupt waits for the engine to answer by itself before terminating JavaScript. */
const INTERRUPT_GRACE_MS = 100;
const MEMORY_GRACE_MS = 10;
/** Stop a cell once the main thread's heap passes this share of V8's limit (V8 would abort the process). */
const HEAP_STOP_RATIO = 0.7;
/** Never let a cell that started with a large heap come closer than this to V8's limit. */
const HEAP_LAST_RATIO = 0.9;
/** How often the watchdog looks; allocation is fast, so this bounds the overshoot past the limit. */
const WATCH_INTERVAL_MS = 25;
/**
 * A cell that starts above the limit (earlier cells kept large values) may still run; it is stopped
 * once it grows the process by this much more.
 */
const GROWTH_ALLOWANCE = 64 * 2 ** 20;

export interface StopperOptions {
  /** Asks the engine to stop the running cell (it answers with an ack when its event loop is free). */
  post: (reason: InterruptReason) => void;
  /** Resident-memory limit of the whole process, in bytes. */
  memoryLimit: number;
  /** V8's heap limit of the main thread, once the engine has reported it. */
  heapLimit: () => number | undefined;
  /** Resident memory of the process now (injectable for tests). */
  resident?: () => number;
}

export class CellStopper {
  private readonly inspector = new Session();
  private ack: (() => void) | null = null;
  private watch: { timer: NodeJS.Timeout; stopping: boolean } | null = null;
  private readonly resident: () => number;

  constructor(private readonly options: StopperOptions) {
    this.resident = options.resident ?? (() => process.memoryUsage.rss());
    this.inspector.connectToMainThread();
  }

  /** The engine acknowledged an interrupt: it stops the cell itself. */
  acknowledged(): void {
    this.ack?.();
  }

  /** Starts watching memory for the cell that starts now; returns the function that stops watching. */
  watchCell(isRunning: () => boolean): () => void {
    this.unwatch();
    const threshold = Math.max(this.options.memoryLimit, this.resident() + GROWTH_ALLOWANCE);
    // The heap's baseline comes from the first sample (asynchronous), with the same allowance.
    let heapThreshold: number | undefined;
    const watch = {
      stopping: false,
      timer: setInterval(() => {
        if (watch.stopping || !isRunning()) return;
        if (this.resident() > threshold) {
          watch.stopping = true;
          void this.interrupt("memory");
          return;
        }
        const heapLimit = this.options.heapLimit();
        if (!heapLimit) return;
        this.heapUsage()
          .then(({ usedSize }) => {
            heapThreshold ??= Math.min(Math.max(heapLimit * HEAP_STOP_RATIO, usedSize + GROWTH_ALLOWANCE), heapLimit * HEAP_LAST_RATIO);
            if (!watch.stopping && isRunning() && usedSize > heapThreshold) {
              watch.stopping = true;
              void this.interrupt("memory");
            }
          })
          .catch(() => undefined);
      }, WATCH_INTERVAL_MS),
    };
    this.watch = watch;
    return () => {
      if (this.watch === watch) this.unwatch();
    };
  }

  private unwatch(): void {
    if (this.watch) clearInterval(this.watch.timer);
    this.watch = null;
  }

  heapUsage(): Promise<{ usedSize: number; totalSize: number }> {
    return new Promise((resolve, reject) => this.inspector.post("Runtime.getHeapUsage", (e, r) => (e ? reject(e) : resolve(r as { usedSize: number; totalSize: number }))));
  }

  /** Stops the running cell: the engine does it when its event loop is free; otherwise JavaScript is terminated. */
  async interrupt(reason: InterruptReason): Promise<void> {
    // Memory runs out in milliseconds: barely any grace then, since the allocating code will not yield anyway.
    const grace = reason === "memory" ? MEMORY_GRACE_MS : INTERRUPT_GRACE_MS;
    const acked = new Promise<boolean>((resolve) => {
      this.ack = () => resolve(true);
      setTimeout(() => resolve(false), grace);
    });
    this.options.post(reason);
    if (!(await acked)) {
      // The main thread is stuck in synchronous code. First let the engine prepare (it pauses async
      // context tracking, which a terminated promise continuation would otherwise corrupt), then
      // terminate that code; V8 cancels the termination once it has unwound.
      await new Promise<void>((resolve) =>
        this.inspector.post("Runtime.evaluate", { expression: `globalThis[Symbol.for("glassbox.beforeTerminate")]?.()` }, () => resolve()),
      );
      await new Promise<void>((resolve) => this.inspector.post("Runtime.terminateExecution", () => resolve()));
    }
    this.ack = null;
  }

  close(): void {
    this.unwatch();
    this.inspector.disconnect();
  }
}
