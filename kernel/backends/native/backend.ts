// The native backend's storage: each TensorFlow.js dataId is a NativeData naming a libtorch tensor
// held by the addon (native/src/tensors.cc), as tfjs-node holds TensorFlow handles. `write` uploads,
// `read`/`readSync` copy to the host, `disposeData` frees once no tensor refers to the data. Strings
// (which libtorch cannot hold) stay on the host.
import type { BackendValues, DataType, KernelBackend, TensorInfo } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { dtypeCodeOf } from "./context";

/** The dataId of a native tensor. tfjs treats dataIds as opaque keys, so the bookkeeping lives on it. */
export class NativeData {
  constructor(
    /** Slot in the addon, or -1 for host-held strings. */
    public id: number,
    public dtype: DataType,
    /** Tensors (clones, variables) that share this data; freed at zero. */
    public refCount = 1,
    public strings?: BackendValues,
  ) {}

  /** A slot kept with this tensor for a later kernel (a max pool's argmax), tagged with the input it came from. */
  side?: { id: number; from: object };
}

const DTYPES: DataType[] = ["float32", "int32", "bool"];

function dtypeCode(dtype: DataType): number {
  const code = dtypeCodeOf(dtype);
  if (code === undefined) throw new Error(`the native backend holds float32, int32, bool and string tensors, not ${dtype}`);
  return code;
}

export interface DeviceInfo {
  /** "cpu" or "cuda:0". */
  device: string;
  /** The GPU's name, when one is visible to the driver. */
  name: string;
  totalBytes: number;
  /** Whether the NVIDIA driver sees a GPU. */
  gpu: boolean;
  /** Why a GPU that exists is not used ("" otherwise). */
  reason: string;
}

type KernelBackendClass = new () => KernelBackend;

export interface NativeBackend extends KernelBackend {
  readonly addon: NativeAddon;
  /** The addon slot of a tensor's data. */
  id(t: TensorInfo): number;
  /** A TensorInfo for the slot the addon just made (dtype and shape from the addon's out buffer). */
  made(id: number): TensorInfo;
  /** A TensorInfo for a slot whose shape and dtype the caller knows (multi-output kernels). */
  adopt(id: number, shape: number[], dtype: DataType): TensorInfo;
  /** Whether nothing but this tensor refers to its data (so the addon may update it in place). */
  sole(t: TensorInfo): boolean;
}

/**
 * The backend class, derived from the running tfjs's own KernelBackend (so it is the same copy the
 * engine knows).
 */
export function nativeBackendClass(base: KernelBackendClass, addon: NativeAddon, device: DeviceInfo): new () => NativeBackend {
  const out = addon.out;
  return class extends base implements NativeBackend {
    readonly addon = addon;
    readonly device = device;
    private live = 0;

    id(t: TensorInfo): number {
      return (t.dataId as NativeData).id;
    }

    made(id: number): TensorInfo {
      const rank = out[1] as number;
      const shape = new Array<number>(rank);
      for (let i = 0; i < rank; i++) shape[i] = out[2 + i] as number;
      const dtype = DTYPES[out[0] as number] as DataType;
      this.live++;
      return { dataId: new NativeData(id, dtype), shape, dtype };
    }

    adopt(id: number, shape: number[], dtype: DataType): TensorInfo {
      this.live++;
      return { dataId: new NativeData(id, dtype), shape, dtype };
    }

    sole(t: TensorInfo): boolean {
      return (t.dataId as NativeData).refCount === 1;
    }

    override write(values: BackendValues, shape: number[], dtype: DataType): object {
      this.live++;
      if (dtype === "string") return new NativeData(-1, dtype, 1, values);
      return new NativeData(addon.write(values as ArrayBufferView, shape, dtypeCode(dtype)), dtype);
    }

    override move(dataId: object, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
      // tfjs moves data between backends by handing the new backend its old dataId.
      const data = dataId as NativeData;
      data.dtype = dtype;
      data.refCount = refCount;
      if (dtype === "string") {
        data.id = -1;
        data.strings = values;
      } else {
        data.id = addon.write(values as ArrayBufferView, shape, dtypeCode(dtype));
      }
      this.live++;
    }

    override readSync(dataId: object): BackendValues {
      const data = dataId as NativeData;
      return data.id < 0 ? (data.strings as BackendValues) : (addon.read(data.id) as BackendValues);
    }

    override async read(dataId: object): Promise<BackendValues> {
      return this.readSync(dataId);
    }

    override refCount(dataId: object): number {
      return (dataId as NativeData).refCount;
    }

    override incRef(dataId: object): void {
      (dataId as NativeData).refCount++;
    }

    override disposeData(dataId: object, force = false): boolean {
      const data = dataId as NativeData;
      if (data.refCount <= 0) return true; // already released
      if (!force && --data.refCount > 0) return false;
      data.refCount = 0;
      if (data.id >= 0) addon.free(data.id);
      if (data.side !== undefined) addon.free(data.side.id);
      data.side = undefined;
      data.id = -2;
      data.strings = undefined;
      this.live--;
      return true;
    }

    override numDataIds(): number {
      return this.live;
    }

    override memory(): { unreliable: boolean; reasons?: string[] } & Record<string, unknown> {
      const m = addon.memory();
      // numBytesInDevice: bytes of live tensors held by libtorch (shared storage once); on a GPU the
      // driver's own figures for the whole device come too.
      return { unreliable: false, numBytesInDevice: m.bytes, device: device.device, ...(m.deviceTotal > 0 ? { deviceBytesUsed: m.deviceUsed, deviceBytesTotal: m.deviceTotal } : {}) };
    }

    override floatPrecision(): 16 | 32 {
      return 32;
    }

    override epsilon(): number {
      return 1e-7;
    }

    override timerAvailable(): boolean {
      return false;
    }

    override async time(f: () => void): Promise<{ kernelMs: number }> {
      const start = performance.now();
      f();
      return { kernelMs: performance.now() - start };
    }

    override dispose(): void {
      // Tensors are freed one by one as tfjs disposes them; nothing is pooled here.
    }
  };
}
