/**
 * `tf.node.summaryFileWriter` and `tf.node.tensorBoard`, as tfjs-node provides them, on every
 * backend: TensorBoard event files (TFRecord framing with masked CRC-32C, `Event` protocol buffers
 * holding `Summary` values) that TensorBoard reads as they grow.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import crc32c from "crc-32/crc32c";
import type * as tfjs from "@tensorflow/tfjs";

type Tf = typeof tfjs;

// --- protocol buffers: the few wire types an Event needs ---------------------------------------

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
const double = (field: number, v: number) => [...key(field, 1), ...new Uint8Array(new Float64Array([v]).buffer)];
const float = (field: number, v: number) => [...key(field, 5), ...new Uint8Array(new Float32Array([v]).buffer)];
const int = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: Uint8Array | number[]) => [...key(field, 2), ...varint(b.length), ...b];
const text = (field: number, s: string) => bytes(field, new TextEncoder().encode(s));
const packedDoubles = (field: number, vs: number[]) => bytes(field, new Uint8Array(new Float64Array(vs).buffer));

/** tensorflow.Event: wall_time = 1, step = 2, file_version = 3, summary = 5. */
function event(step: number, what: number[]): Uint8Array {
  return new Uint8Array([...double(1, Date.now() / 1000), ...int(2, step), ...what]);
}

/** A summary value: tag = 1, simple_value = 2, histo = 5 (Summary.value = 1). */
function summary(value: number[]): number[] {
  return bytes(5, bytes(1, value));
}

// --- TFRecord ----------------------------------------------------------------------------------

function maskedCrc(data: Uint8Array): number {
  const crc = crc32c.buf(data) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

export function tfRecord(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc(data), 0);
  return Buffer.concat([header, data, footer]);
}

// --- writers -----------------------------------------------------------------------------------

export class SummaryFileWriter {
  readonly file: string;
  private queue: Buffer[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tf: Tf,
    logdir: string,
    private readonly maxQueue = 10,
    private readonly flushMillis = 120_000,
    filenameSuffix = ".v2",
  ) {
    mkdirSync(logdir, { recursive: true });
    this.file = join(logdir, `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}${filenameSuffix}`);
    appendFileSync(this.file, tfRecord(event(0, text(3, "brain.Event:2"))));
  }

  /** Logs a scalar (a number or a one-element tensor) under `name` at `step`. */
  scalar(name: string, value: number | tfjs.Scalar, step: number, _description?: string): void {
    const v = typeof value === "number" ? value : value.dataSync()[0];
    this.push(event(step, summary([...text(1, name), ...float(2, v)])));
  }

  /** Logs the distribution of `data` under `name` at `step`, in `buckets` equal-width buckets. */
  histogram(name: string, data: tfjs.Tensor | number[] | Float32Array, step: number, buckets = 30, _description?: string): void {
    const values = Array.from(data instanceof this.tf.Tensor ? data.dataSync() : data, Number);
    if (values.length === 0) throw new Error(`summaryFileWriter.histogram("${name}"): no values to summarize.`);
    let [min, max, sum, squares] = [Infinity, -Infinity, 0, 0];
    for (const v of values) [min, max, sum, squares] = [Math.min(min, v), Math.max(max, v), sum + v, squares + v * v];
    const width = (max - min) / buckets || 1;
    const counts = new Array<number>(buckets).fill(0);
    for (const v of values) counts[Math.min(buckets - 1, Math.floor((v - min) / width))]++;
    const limits = counts.map((_, i) => (i === buckets - 1 ? max : min + (i + 1) * width));
    const histo = [...double(1, min), ...double(2, max), ...double(3, values.length), ...double(4, sum), ...double(5, squares), ...packedDoubles(6, limits), ...packedDoubles(7, counts)];
    this.push(event(step, summary([...text(1, name), ...bytes(5, histo)])));
  }

  /** Writes what is queued to the event file now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length) appendFileSync(this.file, Buffer.concat(this.queue));
    this.queue = [];
  }

  private push(e: Uint8Array): void {
    this.queue.push(tfRecord(e));
    if (this.queue.length >= this.maxQueue) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMillis);
      this.timer.unref();
    }
  }
}

export interface TensorBoardCallbackArgs {
  /** "epoch" (default) or "batch": how often to write the logs. */
  updateFreq?: "batch" | "epoch";
  /** Every how many epochs to write histograms of the weights (0: never). */
  histogramFreq?: number;
}

/** Writers shared per folder, as tfjs-node does, so that two callbacks on one folder share a file. */
const writers = new Map<string, SummaryFileWriter>();

export function summaryWriters(tf: Tf, resolvePath: (p: string) => string) {
  const summaryFileWriter = (logdir: string, maxQueue = 10, flushMillis = 120_000, filenameSuffix = ".v2"): SummaryFileWriter => {
    const dir = resolvePath(logdir);
    let writer = writers.get(dir);
    if (!writer) writers.set(dir, (writer = new SummaryFileWriter(tf, dir, maxQueue, flushMillis, filenameSuffix)));
    return writer;
  };

  /** `model.fit(x, y, { callbacks: tf.node.tensorBoard("./logs") })`: losses and metrics in `<logdir>/train` and `<logdir>/val`. */
  class TensorBoardCallback extends tf.CustomCallback {
    private batches = 0;
    private trained: tfjs.LayersModel | undefined;
    private epochs = 0;
    constructor(logdir = "./logs", args: TensorBoardCallbackArgs = {}) {
      const updateFreq = args.updateFreq ?? "epoch";
      if (updateFreq !== "epoch" && updateFreq !== "batch") throw new Error(`tf.node.tensorBoard: updateFreq must be "epoch" or "batch"; got "${updateFreq}".`);
      const train = () => summaryFileWriter(join(logdir, "train"));
      const val = () => summaryFileWriter(join(logdir, "val"));
      const log = (logs: tfjs.Logs | undefined, prefix: string, step: number) => {
        for (const [key, value] of Object.entries(logs ?? {})) {
          if (typeof value !== "number") continue;
          if (key.startsWith("val_")) val().scalar(`${prefix}_${key.slice(4)}`, value, step);
          else train().scalar(`${prefix}_${key}`, value, step);
        }
      };
      super({
        onBatchEnd: async (_batch, logs) => {
          this.batches++;
          if (updateFreq === "batch") log(logs, "batch", this.batches);
        },
        onEpochEnd: async (_epoch, logs) => {
          this.epochs++;
          log(logs, "epoch", this.epochs);
          const every = args.histogramFreq ?? 0;
          if (every > 0 && this.epochs % every === 0 && this.trained) {
            for (const w of this.trained.weights) train().histogram(w.name, w.read(), this.epochs);
          }
        },
        onTrainEnd: async () => {
          train().flush();
          if (writers.has(resolvePath(join(logdir, "val")))) val().flush();
        },
      });
    }
    override setModel(model: tfjs.LayersModel): void {
      this.trained = model;
    }
  }

  const tensorBoard = (logdir = "./logs", args?: TensorBoardCallbackArgs) => new TensorBoardCallback(logdir, args);
  return { summaryFileWriter, tensorBoard, TensorBoardCallback };
}
