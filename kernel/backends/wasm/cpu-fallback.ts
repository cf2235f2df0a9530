// Kernels the wasm backend lacks, that are rare in teaching models and have no wasm version in
// gradients.ts: run the cpu backend's kernel on a copy of the data. Slower than a wasm kernel, but
// correct, so `tf.einsum` or `tf.unsortedSegmentSum` work on wasm too.
import type * as tfjs from "@tensorflow/tfjs";
import type { DataType, KernelBackend, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";

type Tf = typeof tfjs;
type WasmBackend = KernelBackend & { makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: unknown): TensorInfo };

/** The kernels served this way when the wasm backend has none of its own. */
export const CPU_FALLBACK_KERNELS = ["UnsortedSegmentSum", "Einsum"];

function viaCpu(tf: Tf, kernelName: string) {
  return ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo | undefined>; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo | TensorInfo[] => {
    const cpu = tf.findBackend("cpu");
    const kernel = tf.getKernel(kernelName, "cpu");
    if (!cpu || !kernel) throw new Error(`${kernelName} is not available on the wasm backend here; switch with %backend cpu.`);
    const copies: TensorInfo[] = [];
    // Some kernels (Einsum) take their inputs as an array: keep the shape of `inputs`.
    const cpuInputs: Record<string, TensorInfo> | TensorInfo[] = Array.isArray(inputs) ? [] : {};
    try {
      for (const [name, t] of Object.entries(inputs)) {
        if (!t) continue;
        const copy = { dataId: cpu.write(backend.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
        copies.push(copy);
        (cpuInputs as Record<string, TensorInfo>)[name] = copy;
      }
      const result = kernel.kernelFunc({ inputs: cpuInputs as Record<string, TensorInfo>, backend: cpu, attrs: attrs ?? {} }) as TensorInfo | TensorInfo[];
      const outputs = Array.isArray(result) ? result : [result];
      copies.push(...outputs);
      const back = outputs.map((o) => (backend as WasmBackend).makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId)));
      return Array.isArray(result) ? back : back[0];
    } finally {
      for (const c of copies) cpu.disposeData(c.dataId);
    }
  };
}

export function registerWasmCpuFallbacks(tf: Tf): void {
  for (const name of CPU_FALLBACK_KERNELS) {
    if (tf.getKernel(name, "wasm") === undefined && tf.getKernel(name, "cpu") !== undefined) {
      tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: viaCpu(tf, name) as never });
    }
  }
}
