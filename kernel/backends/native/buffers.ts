// Output buffers for the native kernels, recycled when TensorFlow.js disposes the tensors that hold
// them. Fresh multi-megabyte Float32Arrays per kernel made V8 run a full garbage collection about once
// per training step of the digits CNN, and zero-filled each buffer first; recycling removes both.
//
// Recycling is only safe while nothing outside the backend can still see a buffer. So the backend
// (1) counts, per ArrayBuffer, the tensors whose values live in it (slices and views included), and
// recycles a buffer only when that count drops to zero, and (2) hands user code copies (readSync and
// read), as the wasm and webgl backends do, never its own arrays.

/** Buffers kept for reuse, by element count, up to a total size. */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  take(size: number): Float32Array | undefined {
    const list = this.free.get(size);
    const array = list?.pop();
    if (array !== undefined) this.bytes -= array.byteLength;
    return array;
  }

  give(array: Float32Array): void {
    if (this.bytes + array.byteLength > this.limitBytes) return; // left to the garbage collector
    const list = this.free.get(array.length);
    if (list === undefined) this.free.set(array.length, [array]);
    else list.push(array);
    this.bytes += array.byteLength;
  }

  clear(): void {
    this.free.clear();
    this.bytes = 0;
  }
}

/** Tracks which pool-made buffers are in use by how many tensors. */
export class BufferLedger {
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly uses = new Map<ArrayBufferLike, number>();

  constructor(private readonly pool: BufferPool) {}

  /** A Float32Array for a kernel's output; its old contents are arbitrary. */
  allocate(size: number): Float32Array {
    const array = this.pool.take(size) ?? new Float32Array(size);
    this.owned.add(array.buffer as ArrayBuffer);
    return array;
  }

  /** A tensor now holds these values. */
  retain(values: unknown): void {
    const buffer = ownedBuffer(values, this.owned);
    if (buffer !== undefined) this.uses.set(buffer, (this.uses.get(buffer) ?? 0) + 1);
  }

  /** Whether these values are a whole buffer of ours that no other tensor shares (safe to update in place). */
  exclusive(values: unknown): boolean {
    const buffer = ownedBuffer(values, this.owned);
    const view = values as Float32Array;
    return buffer !== undefined && this.uses.get(buffer) === 1 && view.byteOffset === 0 && view.byteLength === buffer.byteLength;
  }

  /** A tensor holding these values was released; the buffer is recycled once no tensor holds it. */
  release(values: unknown): void {
    const buffer = ownedBuffer(values, this.owned);
    if (buffer === undefined) return;
    const left = (this.uses.get(buffer) ?? 1) - 1;
    if (left > 0) {
      this.uses.set(buffer, left);
      return;
    }
    this.uses.delete(buffer);
    this.owned.delete(buffer);
    this.pool.give(new Float32Array(buffer));
  }
}

function ownedBuffer(values: unknown, owned: WeakSet<ArrayBuffer>): ArrayBuffer | undefined {
  if (!ArrayBuffer.isView(values)) return undefined;
  const buffer = values.buffer;
  return buffer instanceof ArrayBuffer && owned.has(buffer) ? buffer : undefined;
}
