/**
 * Grad-CAM on a named layer, guided backprop, and guided Grad-CAM.
 * The layer's activation and the gradient reaching it are captured by wrapping that layer's `call`
 * with an identity whose custom gradient records dy, so any LayersModel works (sequential or
 * functional) without rebuilding sub-models. Guided backprop swaps the Relu gradient for the
 * duration of the call.
 */
import * as tf from "@tensorflow/tfjs";
import { gradients } from "./batching";
import { begin, type CommonOptions } from "./common";
import { Explanation } from "./explanation";
import { isLayersModel, type Model } from "./model";

export interface GradCamOptions extends CommonOptions {
  /** Name of the layer (a convolution or any layer with [N, h, w, channels] output). Default: the last convolution. */
  layer?: string;
  /** Use the layer's output after its activation (default) or before it (e.g. pre-ReLU conv values). */
  activation?: "after" | "before";
  /** Keep only positive evidence, as in the Grad-CAM paper (default true). */
  relu?: boolean;
  /** Upsampling of the map to the input size, for guided Grad-CAM and plots (default "bilinear"). */
  upsample?: "bilinear" | "nearest";
}

type Hookable = tf.layers.Layer & { call: (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[]; activation?: unknown };

function spatialLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => {
    const shape = l.outputShape;
    return Array.isArray(shape) && !Array.isArray(shape[0]) && shape.length === 4;
  });
}

function findLayer(model: Model, name: string | undefined, method: string): Hookable {
  if (!isLayersModel(model)) throw new Error(`${method}: needs a tf.LayersModel to find layer activations; a plain function has no layers.`);
  const candidates = spatialLayers(model);
  if (name === undefined) {
    if (candidates.length === 0) throw new Error(`${method}: the model has no layer with a [N, h, w, channels] output; Grad-CAM needs a convolutional layer.`);
    const convs = candidates.filter((l) => l.getClassName().includes("Conv"));
    return (convs.length ? convs[convs.length - 1] : candidates[candidates.length - 1]) as Hookable;
  }
  const layer = model.layers.find((l) => l.name === name);
  const names = candidates.map((l) => l.name).join(", ") || "(none)";
  if (!layer) throw new Error(`${method}: layer '${name}' not found; the model's conv layers are: ${names}`);
  if (!candidates.includes(layer)) throw new Error(`${method}: layer '${name}' has output shape [${layer.outputShape}], not [N, h, w, channels]; the model's conv layers are: ${names}`);
  return layer as Hookable;
}

const LINEAR = { getClassName: () => "linear", apply: (x: tf.Tensor) => x };

/** Runs `body` with the layer's activation A and ∂f/∂A recorded for every model call. */
function withLayerCapture<T>(layer: Hookable, stage: "after" | "before", body: (captured: { acts: tf.Tensor[]; grads: tf.Tensor[] }) => T): T {
  const captured = { acts: [] as tf.Tensor[], grads: [] as tf.Tensor[] };
  const original = layer.call;
  const record = tf.customGrad(((a: tf.Tensor) => ({
    value: a.clone(),
    gradFunc: (dy: tf.Tensor) => {
      captured.grads.push(tf.keep(dy.clone()));
      return dy;
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  layer.call = function (this: Hookable, inputs, kwargs) {
    const act = this.activation as { apply(x: tf.Tensor): tf.Tensor } | undefined;
    if (stage === "before" && !act) throw new Error(`gradCam: layer '${this.name}' has no activation to look before; use activation: "after".`);
    if (stage === "before") this.activation = LINEAR;
    let out: tf.Tensor;
    try {
      out = original.call(this, inputs, kwargs) as tf.Tensor;
    } finally {
      if (stage === "before") this.activation = act;
    }
    captured.acts.push(tf.keep(out.clone()));
    const hooked = record(out) as tf.Tensor;
    return stage === "before" ? (act as { apply(x: tf.Tensor): tf.Tensor }).apply(hooked) : hooked;
  };
  try {
    return body(captured);
  } finally {
    layer.call = original;
  }
}

/** Layer maps CAM = Σ_k α_k A_k with α_k = mean over h, w of ∂f/∂A_k, per row. */
function camOf(model: Model, input: tf.Tensor, options: GradCamOptions, method: string) {
  const layer = findLayer(model, options.layer, method);
  const s = begin(method, model, input, options, true);
  const stage = options.activation ?? "after";
  const cam = withLayerCapture(layer, stage, (captured) => {
    gradients(s.f, input, s.targets, s.rows, s.meter).dispose();
    const acts = captured.acts.length === 1 ? captured.acts[0] : tf.concat(captured.acts, 0);
    const grads = captured.grads.length === 1 ? captured.grads[0] : tf.concat(captured.grads, 0);
    const map = tf.tidy(() => {
      const alpha = tf.mean(grads, [1, 2], true); // [N, 1, 1, K]
      const m = tf.sum(tf.mul(alpha, acts), 3);
      return options.relu === false ? m : tf.relu(m);
    });
    tf.dispose([...captured.acts, ...captured.grads, acts, grads]);
    return map;
  });
  return { s, cam, layer: layer.name, stage };
}

export async function gradCamImpl(model: Model, input: tf.Tensor, options: GradCamOptions = {}): Promise<Explanation> {
  const method = "gradCam";
  const { s, cam, layer, stage } = camOf(model, input, options, method);
  return new Explanation({
    method, modality: "image", input, attributions: cam, targets: s.targets, prediction: s.prediction, baseValue: null, gap: null,
    evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(),
    details: { layer, activation: stage, relu: options.relu !== false, layerShape: cam.shape.slice(1) }, display: options.display,
  });
}

/** Runs body with Relu's gradient replaced by the guided one: pass dy only where x > 0 and dy > 0. */
function withGuidedRelu<T>(body: () => T): T {
  const original = tf.getGradient("Relu");
  if (!original) throw new Error("guidedBackprop: this TensorFlow.js build has no Relu gradient to override.");
  tf.registerGradient({
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(tf.relu(dy as tf.Tensor), tf.step(x)) };
    },
  });
  try {
    return body();
  } finally {
    tf.registerGradient(original);
  }
}

export async function guidedBackpropImpl(model: Model, input: tf.Tensor, options: CommonOptions = {}): Promise<Explanation> {
  const method = "guidedBackprop";
  const s = begin(method, model, input, options, true);
  const attributions = withGuidedRelu(() => gradients(s.f, input, s.targets, s.rows, s.meter));
  return new Explanation({
    method, modality: s.modality, input, attributions, targets: s.targets, prediction: s.prediction, baseValue: null, gap: null,
    evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(), tokens: options.tokens,
    details: { note: "Relu gradients replaced by guided ones (Relu6, LeakyRelu and Elu keep their own)" }, display: options.display,
  });
}

export async function guidedGradCamImpl(model: Model, input: tf.Tensor, options: GradCamOptions = {}): Promise<Explanation> {
  const method = "guidedGradCam";
  if (input.rank !== 4) throw new Error(`guidedGradCam: input has shape [${input.shape}]; it needs images [N, height, width, channels].`);
  const { s, cam, layer, stage } = camOf(model, input, options, method);
  const guided = withGuidedRelu(() => gradients(s.f, input, s.targets, s.rows, s.meter));
  const [h, w] = input.shape.slice(1, 3) as [number, number];
  const attributions = tf.tidy(() => {
    const map = cam.expandDims(3) as tf.Tensor4D;
    const up = options.upsample === "nearest" ? tf.image.resizeNearestNeighbor(map, [h, w]) : tf.image.resizeBilinear(map, [h, w]);
    return tf.mul(guided, up);
  });
  tf.dispose([guided, cam]);
  return new Explanation({
    method, modality: "image", input, attributions, targets: s.targets, prediction: s.prediction, baseValue: null, gap: null,
    evaluations: s.meter.evaluations, batches: s.meter.batches, ms: s.meter.ms(),
    details: { layer, activation: stage, relu: options.relu !== false, upsample: options.upsample ?? "bilinear" }, display: options.display,
  });
}
