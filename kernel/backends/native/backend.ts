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

    allocate(size: number): Float32Array {
      return this.ledger.allocate(size);
    }

    exclusiveValues(dataId: object): Float32Array | undefined {
      const values = this.data.get(dataId)?.values;
      if (!(values instanceof Float32Array) || this.refCount(dataId) !== 1) return undefined;
      return this.ledger.exclusive(values) ? values : undefined;
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
      if (released && values !== undefined) this.ledger.release(values);
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
