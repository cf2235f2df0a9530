// The native backend class: TensorFlow.js's cpu backend (same storage, so every cpu kernel works on
// it) whose kernel outputs come from recycled buffers (see buffers.ts).
import type { DataType } from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { BufferLedger, BufferPool } from "./buffers";

type BackendValues = Parameters<MathBackendCPU["write"]>[0];

export interface NativeBackend extends MathBackendCPU {
  /** An output buffer for a native kernel; its old contents are arbitrary. */
  allocate(size: number): Float32Array;
  /** The tensor's float32 values when only this one tensor holds them, so they may be updated in place. */
  exclusiveValues(dataId: object): Float32Array | undefined;
  /** Keeps a side buffer (from allocate) with a tensor, recycled when the tensor is disposed. */
  attach(dataId: object, buffer: Float32Array, tag: object): void;
  /** The side buffer attached to a live tensor under this tag. */
  attached(dataId: object, tag: object): Float32Array | undefined;
}

// Enough for the activations and gradients of a few training steps of a mid-sized CNN.
const POOL_BYTES = 256 << 20;

function copyOf<T>(values: T): T {
  return (ArrayBuffer.isView(values) ? (values as unknown as Float32Array).slice() : values) as T;
}

/** A subclass of the running cpu backend's own class (taken from its instance, so the same copy). */
export function nativeBackendClass(cpuClass: new () => MathBackendCPU): new () => NativeBackend {
  return class extends cpuClass implements NativeBackend {
    private readonly pool = new BufferPool(POOL_BYTES);
    private readonly ledger = new BufferLedger(this.pool);
    private readonly sides = new Map<object, { buffer: Float32Array; tag: object }>();

    allocate(size: number): Float32Array {
      return this.ledger.allocate(size);
    }

    exclusiveValues(dataId: object): Float32Array | undefined {
      const values = this.data.get(dataId)?.values;
      if (!(values instanceof Float32Array) || this.refCount(dataId) !== 1) return undefined;
      return this.ledger.exclusive(values) ? values : undefined;
    }

    attach(dataId: object, buffer: Float32Array, tag: object): void {
      this.ledger.retain(buffer);
      this.sides.set(dataId, { buffer, tag });
    }

    attached(dataId: object, tag: object): Float32Array | undefined {
      const side = this.sides.get(dataId);
      return side?.tag === tag ? side.buffer : undefined;
    }

    override write(values: BackendValues, shape: number[], dtype: DataType): object {
      this.ledger.retain(values);
      return super.write(values, shape, dtype);
    }

    override move(dataId: object, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
      this.ledger.retain(values);
      super.move(dataId, values, shape, dtype, refCount);
    }

    override disposeData(dataId: object, force?: boolean): boolean {
      const values = this.data.get(dataId)?.values;
      const released = super.disposeData(dataId, force);
      if (!released) return released;
      if (values !== undefined) this.ledger.release(values);
      const side = this.sides.get(dataId);
      if (side !== undefined) {
        this.sides.delete(dataId);
        this.ledger.release(side.buffer);
      }
      return released;
    }

    // User code gets copies: a buffer it kept could otherwise be recycled under it.
    override readSync(dataId: object): BackendValues {
      return copyOf(super.readSync(dataId));
    }

    override async read(dataId: object): Promise<BackendValues> {
      return copyOf(await super.read(dataId));
    }

    override dispose(): void {
      this.pool.clear();
      super.dispose();
    }
  };
}
