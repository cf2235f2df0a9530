// The "native" TensorFlow.js backend: the cpu backend's storage (tensors stay in its typed arrays) with
// its hot kernels replaced by ATen ones from the native addon. Every kernel the addon lacks, and every
// input a native kernel declines (other dtypes, unusual attributes), runs the cpu kernel unchanged.
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { installFusedAdam } from "./adam";
import { loadAddon, type NativeAddon } from "./addon";
import { nativeBackendClass } from "./backend";
import type { Context, KernelArgs, NativeKernel, Tf } from "./context";
import { convKernels } from "./kernels/conv";
import { elementwiseKernels } from "./kernels/elementwise";
import { matMulKernels } from "./kernels/matmul";
import { poolKernels } from "./kernels/pool";
import { installFusedRnn } from "./rnn";

export const NATIVE_BACKEND = "native";

// Between wasm (2) and tfjs-node (3), so that only an unset backend picks it and explicit choices
// (tf.setBackend) always win.
const PRIORITY = 2.5;

export type NativeRegistration = { ok: true } | { ok: false; reason: string };

/** One intra-op thread unless GLASSBOX_NATIVE_THREADS says otherwise: measured fastest on small
 * models, and OpenMP's spinning collapses throughput when another process holds a core. */
function threadCount(): number {
  const requested = Number.parseInt(process.env.GLASSBOX_NATIVE_THREADS ?? "", 10);
  return Number.isInteger(requested) && requested > 0 ? requested : 1;
}

export function nativeKernels(ctx: Context): NativeKernel[] {
  return [...convKernels(ctx), ...poolKernels(ctx), ...matMulKernels(ctx), ...elementwiseKernels(ctx)];
}

function withFallback(kernel: NativeKernel, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const nativeArgs = { inputs: args.inputs, backend: args.backend, attrs: args.attrs ?? {} } as unknown as KernelArgs;
    return kernel.run(nativeArgs) ?? (fallback(args) as TensorInfo);
  };
}

let loaded: NativeAddon | undefined;

/** The loaded addon, once registerNativeBackend has succeeded (for tests and diagnostics). */
export function nativeAddon(): NativeAddon | undefined {
  return loaded;
}

export function registerNativeBackend(tf: Tf): NativeRegistration {
  if (tf.findBackendFactory(NATIVE_BACKEND) !== null) return { ok: true };
  const load = loadAddon();
  if (!load.ok) return load;
  const cpu = tf.findBackend("cpu") as MathBackendCPU | null;
  if (cpu === null) {
    return { ok: false, reason: "the native backend builds on TensorFlow.js's cpu backend, which is not registered in this process" };
  }
  const { addon } = load;
  addon.setThreads(threadCount());
  // A subclass of the cpu backend's class, so its data storage and all its kernels work unchanged.
  const NativeBackend = nativeBackendClass(cpu.constructor as new () => MathBackendCPU);
  const natives = new Map(nativeKernels({ tf, addon }).map((k) => [k.name, k]));
  for (const config of tf.getKernelsForBackend("cpu")) {
    const native = natives.get(config.kernelName);
    const kernelFunc = native === undefined ? config.kernelFunc : withFallback(native, config.kernelFunc);
    const nativeConfig: KernelConfig = { ...config, backendName: NATIVE_BACKEND, kernelFunc };
    tf.registerKernel(nativeConfig);
  }
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), PRIORITY);
  installFusedAdam(tf, addon, NATIVE_BACKEND);
  installFusedRnn(tf, addon, NATIVE_BACKEND);
  loaded = addon;
  return { ok: true };
}
