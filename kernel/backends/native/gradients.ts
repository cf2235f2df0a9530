// Gradients that TensorFlow.js computes in several passes over activation-sized tensors, as one
// native pass on the native backend. tfjs's ReLU gradient is mul(dy, cast(step(x))): three kernels
// and two full-size temporaries per ReLU per step, a tenth of a small CNN's training step on the
// CPU. Here it is one kernel (GlassboxReluGrad, native/src/elementwise.cc) with the same float32
// result. Other backends, and inputs the kernel does not serve, keep tfjs's own gradient.
import type { GradFunc, NamedAttrMap, Tensor } from "@tensorflow/tfjs";
import { patchMethod } from "../../engine/tfjs-patches";
import type { NativeAddon } from "./addon";
import type { NativeBackend } from "./backend";
import type { Tf } from "./context";

export const RELU_GRAD = "GlassboxReluGrad";

const INSTALLED = Symbol.for("glassbox.native.reluGradient");

export function installFusedGradients(tf: Tf, addon: NativeAddon, backendName: string): void {
  const op = addon.binaryOps.indexOf("ReluGrad");
  if (op < 0) throw new Error("the native addon lacks ReluGrad; rebuild it (npm run build:native -- --force)");
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const native = backend as NativeBackend;
      return native.made(addon.binary(op, native.id(inputs.dy as Tensor), native.id(inputs.x as Tensor)));
    },
  });
  const reluGrad = (dy: Tensor, x: Tensor): Tensor => tf.engine().runKernel(RELU_GRAD, { dy, x }, {}) as Tensor;
  const served = (dy: Tensor, x: Tensor) => tf.getBackend() === backendName && dy.dtype === "float32" && x.dtype === "float32";
  // Its own gradient, for gradients of gradients: linear in dy with the same mask, constant in x.
  if (tf.getGradient(RELU_GRAD) === undefined) {
    tf.registerGradient({
      kernelName: RELU_GRAD,
      inputsToSave: ["x"],
      gradFunc: (ddy, saved) => {
        const [x] = saved as [Tensor];
        return { dy: () => (served(ddy as Tensor, x) ? reluGrad(ddy as Tensor, x) : tf.mul(ddy as Tensor, tf.cast(tf.step(x), "float32"))), x: () => tf.zerosLike(x) };
      },
    });
  }
  const config = tf.getGradient("Relu");
  if (config === undefined) return;
  patchMethod(config as { gradFunc: GradFunc }, "gradFunc", INSTALLED, (original) => (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved as [Tensor];
    if (Array.isArray(dy) || !served(dy, x)) return original(dy, saved, attrs);
    return { x: () => reluGrad(dy, x) };
  });
}
