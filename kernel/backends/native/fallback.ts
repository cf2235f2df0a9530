// The one way a kernel without a native implementation runs on the native backend: its inputs are
// copied to the host, TensorFlow.js's cpu kernel runs on them, and its outputs are copied back. Each
// use is counted by kernel name, so `%backend` and the banner can say what still leaves the device.
import type { KernelFunc, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { KernelArgs } from "./context";

export class HostFallback {
  /** Kernel name -> calls that took the host path since the backend was registered. */
  readonly counts = new Map<string, number>();

  constructor(private readonly cpu: () => MathBackendCPU) {}

  run(kernelName: string, cpuKernel: KernelFunc, { inputs, backend, attrs }: KernelArgs): TensorInfo | TensorInfo[] {
    this.counts.set(kernelName, (this.counts.get(kernelName) ?? 0) + 1);
    const cpu = this.cpu();
    const made: object[] = [];
    const hostInputs: NamedTensorInfoMap = {};
    for (const [name, t] of Object.entries(inputs)) {
      if (t == null) continue;
      const dataId = cpu.write(backend.readSync(t.dataId), t.shape, t.dtype);
      made.push(dataId);
      hostInputs[name] = { dataId, shape: t.shape, dtype: t.dtype };
    }
    try {
      const out = cpuKernel({ inputs: hostInputs, backend: cpu, attrs } as unknown as Parameters<KernelFunc>[0]) as TensorInfo | TensorInfo[];
      const outs = Array.isArray(out) ? out : [out];
      for (const o of outs) made.push(o.dataId);
      const results = outs.map((o) => {
        if (o.dtype === "complex64") throw new Error(`${kernelName}: the native backend cannot hold complex64 tensors; use tf.setBackend("cpu") for complex math`);
        return { dataId: backend.write(cpu.readSync(o.dataId), o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
      });
      return Array.isArray(out) ? results : (results[0] as TensorInfo);
    } finally {
      for (const dataId of made) cpu.disposeData(dataId, true);
    }
  }

  /** "Name x count" lines, most used first. */
  summary(): string[] {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} x${n}`);
  }
}
