// The "native" TensorFlow.js backend: tensors live in libtorch (on the GPU when the linked libtorch has
// CUDA and one is visible, else on the CPU), kernels are ATen calls through the addon. A kernel with
// no native implementation, or inputs a native kernel declines, runs through the one host fallback
// (fallback.ts), which is counted so users can see it.
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { cpus } from "node:os";
import { installFusedAdam } from "./adam";
import { loadAddon, type NativeAddon } from "./addon";
import { nativeBackendClass, type DeviceInfo } from "./backend";
import type { Context, KernelArgs, NativeKernel, Tf } from "./context";
import { HostFallback } from "./fallback";
import { installFusedGradients } from "./gradients";
import { elementwiseKernels } from "./kernels/elementwise";
import { nnKernels } from "./kernels/nn";
import { reduceKernels } from "./kernels/reduce";
import { shapeKernels } from "./kernels/shape";
import { installFusedRnn } from "./rnn";

export const NATIVE_BACKEND = "native";

// On the CPU: between wasm (2) and tfjs-node (3), so that only an unset backend picks it and explicit
// choices (tf.setBackend) always win. On a GPU: above tfjs-node-gpu.
const CPU_PRIORITY = 2.5;
const GPU_PRIORITY = 4;

export type NativeRegistration = { ok: true } | { ok: false; reason: string };

/** Intra-op threads: the machine's cores unless GLASSBOX_NATIVE_THREADS says otherwise. */
export function threadCount(): number {
  const requested = Number.parseInt(process.env.GLASSBOX_NATIVE_THREADS ?? "", 10);
  return Number.isInteger(requested) && requested > 0 ? requested : Math.max(1, cpus().length);
}

export function nativeKernels(ctx: Context): NativeKernel[] {
  return [...elementwiseKernels(ctx), ...reduceKernels(ctx), ...shapeKernels(ctx), ...nnKernels(ctx)];
}

/** What runs where, for the banner and %backend. */
export interface NativeStatus {
  addon: NativeAddon;
  device: DeviceInfo;
  threads: number;
  version: string;
  fallback: HostFallback;
}

let status: NativeStatus | undefined;

/** The loaded addon, once registerNativeBackend has succeeded (for tests and diagnostics). */
export function nativeAddon(): NativeAddon | undefined {
  return status?.addon;
}

export function nativeStatus(): NativeStatus | undefined {
  return status;
}

/** Lines for the banner and %backend: device, libtorch, host fallbacks this session, an unused GPU. */
export function describeNative(): string[] {
  if (status === undefined) return [];
  const { device, threads, version, fallback } = status;
  const where = device.device === "cpu"
    ? `cpu, ${threads} thread${threads === 1 ? "" : "s"}`
    : `${device.device} ${device.name}, ${Math.round(device.totalBytes / 1e9)} GB`;
  // On the CPU, say which library multiplies matrices: ATen's means the system BLAS, which may be slow.
  const gemm = device.device === "cpu" ? `; matrix products: ${status.addon.gemmLibrary() === "oneDNN" ? "oneDNN sgemm" : "ATen (system BLAS)"}` : "";
  const lines = [`  device: ${where}; libtorch ${version}${gemm}`];
  if (device.device === "cpu" && device.gpu) lines.push(`  ${device.name ? `GPU ${device.name}` : "the GPU"} is not used: ${device.reason}`);
  const used = fallback.summary();
  lines.push(used.length === 0 ? "  host fallbacks: none so far" : `  host fallbacks (kernels copied to the cpu backend): ${used.join(", ")}`);
  return lines;
}

function wantedDevice(): "auto" | "cpu" | "cuda" {
  const wanted = (process.env.GLASSBOX_DEVICE ?? "").trim().toLowerCase();
  return wanted === "" ? "auto" : (wanted as "cpu" | "cuda");
}

export function registerNativeBackend(tf: Tf): NativeRegistration {
  if (tf.findBackendFactory(NATIVE_BACKEND) !== null) return { ok: true };
  const load = loadAddon();
  if (!load.ok) return load;
  const { addon } = load;
  if (typeof addon.selectDevice !== "function") {
    return { ok: false, reason: `the native addon at ${load.path} is from an older Glassbox; rebuild it with npm run build:native -- --force` };
  }
  let device: DeviceInfo;
  try {
    device = addon.selectDevice(wantedDevice());
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  const threads = threadCount();
  addon.setThreads(threads);
  const cpuBackend = (): MathBackendCPU => {
    const cpu = tf.findBackend("cpu") as MathBackendCPU | null;
    if (cpu === null) throw new Error("the native backend's host fallback needs TensorFlow.js's cpu backend, which is not registered");
    return cpu;
  };
  const fallback = new HostFallback(cpuBackend);
  const natives = new Map(nativeKernels({ tf, addon }).map((k) => [k.name, k]));
  for (const config of tf.getKernelsForBackend("cpu")) {
    const cpuKernel = config.kernelFunc;
    const name = config.kernelName;
    const native = natives.get(name);
    const kernelFunc: KernelFunc = native === undefined
      ? (args) => fallback.run(name, cpuKernel, args as unknown as KernelArgs)
      : (args) => native.run(args as unknown as KernelArgs) ?? fallback.run(name, cpuKernel, args as unknown as KernelArgs);
    const nativeConfig: KernelConfig = { kernelName: name, backendName: NATIVE_BACKEND, kernelFunc };
    tf.registerKernel(nativeConfig);
  }
  // Kernels the cpu backend lacks but that are native here (Identity is engine-level on cpu).
  for (const [name, native] of natives) {
    if (tf.getKernel(name, NATIVE_BACKEND) === undefined) {
      tf.registerKernel({ kernelName: name, backendName: NATIVE_BACKEND, kernelFunc: (args) => native.run(args as unknown as KernelArgs) as TensorInfo });
    }
  }
  const Backend = nativeBackendClass(tf.KernelBackend as unknown as new () => KernelBackend, addon, device);
  tf.registerBackend(NATIVE_BACKEND, () => new Backend(), device.device === "cpu" ? CPU_PRIORITY : GPU_PRIORITY);
  installFusedAdam(tf, addon, NATIVE_BACKEND);
  installFusedGradients(tf, addon, NATIVE_BACKEND);
  installFusedRnn(tf, addon, NATIVE_BACKEND);
  status = { addon, device, threads, version: addon.version(), fallback };
  return { ok: true };
}
