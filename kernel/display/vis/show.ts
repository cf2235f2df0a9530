/** tfvis.show.*: model summaries, layer weights, value distributions, per-class results, training. */
import type * as tfjs from "@tensorflow/tfjs";
import { settings } from "../fit";
import { modelHtml, modelText, summarizeModel } from "../model";
import { TrainingMonitor } from "../training";
import { currentSink } from "../sink";
import { fitCallbacksFor } from "./callbacks";
import { confusionMatrixFigure, histogramFigure, isTensor, tableFigure, type ConfusionMatrixOptions, type HistogramOptions, type TensorLike } from "./render";
import { drawFigure, surfaceName, type ChartOptions, type Drawable } from "./surface";

export function modelSummary(surface: Drawable, model: tfjs.LayersModel): Promise<void> {
  if (!model || typeof (model as { getClassName?: unknown }).getClassName !== "function" || !Array.isArray(model.layers)) {
    throw new TypeError("tfvis.show.modelSummary: the second argument must be a tf.LayersModel (tf.sequential() or tf.model()).");
  }
  const s = summarizeModel(model);
  const { figure } = tableFigure(surfaceName(surface, "Model summary"), {
    headers: ["Layer name", "Output shape", "# Of params", "Trainable"],
    values: s.layers.map((l) => [`${l.name} (${l.type})`, l.outputShape, l.params, l.trainable]),
  });
  drawFigure(surface, "show.modelSummary", figure, { "text/plain": modelText(s), "text/html": modelHtml(s) });
  return Promise.resolve();
}

/** Weights of one layer: a table of each weight's statistics, then the distribution of all its values. */
export async function layer(surface: Drawable, layer: tfjs.layers.Layer): Promise<void> {
  if (!layer || typeof (layer as { getWeights?: unknown }).getWeights !== "function") throw new TypeError("tfvis.show.layer: the second argument must be a layer, e.g. model.getLayer(\"dense_1\") or model.layers[0].");
  const name = surfaceName(surface, layer.name);
  const weights = layer.weights;
  const all: number[] = [];
  const rows: unknown[][] = [];
  for (const w of weights) {
    const values = await w.read().data();
    let min = Infinity, max = -Infinity, zeros = 0, nan = 0;
    for (const v of values) { if (v !== v) nan++; else { if (v < min) min = v; if (v > max) max = v; if (v === 0) zeros++; } all.push(v); }
    rows.push([w.name, `[${w.shape.join(",")}]`, values.length ? min : "–", values.length ? max : "–", values.length, zeros, nan]);
  }
  const { figure, html, text } = tableFigure(`${name}: weights`, { headers: ["Weight name", "Shape", "Min", "Max", "# Params", "# Zeros", "# NaN"], values: rows });
  drawFigure(`${name}\u0000weights`, "show.layer", figure, { "text/html": html, "text/plain": text });
  drawFigure(`${name}\u0000distribution`, "show.layer", histogramFigure(`${name}: values distribution`, all));
}

export async function valuesDistribution(surface: Drawable, tensor: tfjs.Tensor | TensorLike, opts: HistogramOptions = {}): Promise<void> {
  if (!isTensor(tensor)) throw new TypeError("tfvis.show.valuesDistribution: the second argument must be a tensor.");
  const values = await (tensor as tfjs.Tensor).data();
  const integer = (tensor as tfjs.Tensor).dtype === "int32" || (tensor as tfjs.Tensor).dtype === "bool";
  drawFigure(surface, "show.valuesDistribution", histogramFigure(surfaceName(surface, "values distribution"), values as ArrayLike<number>, opts, integer));
}

export function perClassAccuracy(surface: Drawable, classAccuracy: Array<{ accuracy: number; count: number }>, classLabels?: string[], opts: ChartOptions = {}): Promise<void> {
  if (!Array.isArray(classAccuracy) || classAccuracy.some((c) => !c || typeof c.accuracy !== "number")) {
    throw new TypeError("tfvis.show.perClassAccuracy: give the result of tfvis.metrics.perClassAccuracy, [{ accuracy, count }, …].");
  }
  const labels = classAccuracy.map((_, i) => classLabels?.[i] ?? String(i));
  const name = surfaceName(surface, "Per-class accuracy");
  const { html, text } = tableFigure(name, { headers: ["Class", "Accuracy", "# Samples"], values: classAccuracy.map((c, i) => [labels[i], c.accuracy, c.count]) });
  drawFigure(surface, "show.perClassAccuracy", {
    data: [{ type: "bar", x: labels, y: classAccuracy.map((c) => c.accuracy), text: classAccuracy.map((c) => `n=${c.count}`), hovertemplate: "%{x}: %{y:.3f} (%{text})<extra></extra>" }],
    layout: { title: { text: name }, ...(opts.height ? { height: opts.height } : {}), xaxis: { type: "category", title: { text: opts.xLabel ?? "Class" } }, yaxis: { range: [0, 1], title: { text: opts.yLabel ?? "Accuracy" } } },
  }, { "text/html": html, "text/plain": text });
  return Promise.resolve();
}

export function confusionMatrix(surface: Drawable, confusionMatrix: number[][], classLabels?: string[], opts: ConfusionMatrixOptions = {}): Promise<void> {
  drawFigure(surface, "show.confusionMatrix", confusionMatrixFigure(surfaceName(surface, "Confusion matrix"), { values: confusionMatrix, tickLabels: classLabels }, opts));
  return Promise.resolve();
}

/** Live curves of the given metrics during model.fit: `callbacks: tfvis.show.fitCallbacks(surface, ["loss", "acc"])`. */
export function fitCallbacks(surface: Drawable, metrics?: string[], _opts?: { callbacks?: string[]; height?: number }): tfjs.CustomCallbackArgs {
  const monitor = new TrainingMonitor(currentSink(), { title: surfaceName(surface, "training"), only: metrics, minIntervalMs: settings.minIntervalMs });
  return fitCallbacksFor(monitor);
}

/** The curves of a finished fit: `tfvis.show.history(surface, history, ["loss", "val_loss"])`. */
export function history(surface: Drawable, history: tfjs.History | { history: Record<string, number[]> } | Array<Record<string, number>>, metrics?: string[]): void {
  const monitor = new TrainingMonitor(currentSink(), { title: surfaceName(surface, "training"), only: metrics, minIntervalMs: 60_000 }); // one show, then the final update
  const rows: Array<Record<string, number>> = Array.isArray(history) ? history
    : Object.entries(history.history).reduce<Array<Record<string, number>>>((acc, [key, values]) => {
      values.forEach((v, i) => { (acc[i] ??= {})[key] = Number(v); });
      return acc;
    }, []);
  rows.forEach((row, i) => monitor.epoch(row, i + 1));
  monitor.done();
}
