/**
 * tf.LayersModel → its graph (application/vnd.glassbox.model.v1+json, drawn by the model renderer),
 * with a PNG of the graph and a Keras-style summary (layers, output shapes, parameter counts) as
 * text/plain and escaped text/html for other clients.
 */
import type * as tfjs from "@tensorflow/tfjs";
import { escapeHtml } from "./escape";
import type { DisplayPayload, Formatter } from "./mime";
import { MODEL_MIME } from "./graph-view";
import { modelGraphPng, modelPayload } from "./model-graph";

export interface LayerRow { name: string; type: string; outputShape: string; params: number; trainable: boolean }
export interface ModelSummary { name: string; layers: LayerRow[]; totalParams: number; trainableParams: number }

function shapeText(shape: unknown): string {
  // Layers report one shape (array with null batch dims) or a list of shapes for several outputs.
  const one = (s: unknown) => `[${(s as Array<number | null>).map((d) => (d === null ? "null" : d)).join(",")}]`;
  if (!Array.isArray(shape)) return "?";
  return Array.isArray(shape[0]) ? shape.map(one).join(" ") : one(shape);
}

export function summarizeModel(model: tfjs.LayersModel): ModelSummary {
  const layers = model.layers.map((layer): LayerRow => {
    let outputShape = "multiple";
    try { outputShape = shapeText(layer.outputShape); } catch { /* layer used at several nodes */ }
    let params = 0;
    try { params = layer.countParams(); } catch { /* not built yet: no weights to count */ }
    return { name: layer.name, type: layer.getClassName(), outputShape, params, trainable: layer.trainable };
  });
  const trainableParams = model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
  return { name: model.name, layers, totalParams: layers.reduce((sum, l) => sum + l.params, 0), trainableParams };
}

export function modelText(s: ModelSummary): string {
  const head = ["Layer (type)", "Output shape", "Param #"];
  const rows = s.layers.map((l) => [`${l.name} (${l.type})`, l.outputShape, l.params.toLocaleString("en-US")]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padStart(w[2])}`;
  const rule = (c: string) => c.repeat(w[0] + w[1] + w[2] + 4);
  return [
    `Model: ${s.name}`, rule("_"), line(head), rule("="), ...rows.map(line), rule("="),
    `Total params: ${s.totalParams.toLocaleString("en-US")}`,
    `Trainable params: ${s.trainableParams.toLocaleString("en-US")}`,
    `Non-trainable params: ${(s.totalParams - s.trainableParams).toLocaleString("en-US")}`,
  ].join("\n");
}

export function modelHtml(s: ModelSummary): string {
  const cell = "padding:2px 10px;border-bottom:1px solid rgba(128,128,128,.35)";
  const rows = s.layers.map((l) => `<tr><td style="${cell}">${escapeHtml(l.name)} <span style="opacity:.7">(${escapeHtml(l.type)})</span></td><td style="${cell};font-family:monospace">${escapeHtml(l.outputShape)}</td><td style="${cell};text-align:right">${l.params.toLocaleString("en-US")}</td></tr>`).join("");
  return `<div><div style="font-weight:600;margin-bottom:4px">Model: ${escapeHtml(s.name)}</div>`
    + `<table style="border-collapse:collapse"><thead><tr><th style="${cell};text-align:left">Layer (type)</th><th style="${cell};text-align:left">Output shape</th><th style="${cell};text-align:right">Param #</th></tr></thead><tbody>${rows}</tbody></table>`
    + `<div style="margin-top:4px">Total params: ${s.totalParams.toLocaleString("en-US")} · trainable: ${s.trainableParams.toLocaleString("en-US")} · non-trainable: ${(s.totalParams - s.trainableParams).toLocaleString("en-US")}</div></div>`;
}

export function formatModel(model: tfjs.LayersModel): DisplayPayload {
  const s = summarizeModel(model);
  const graph = modelPayload(model, s.totalParams, s.trainableParams);
  return { data: { [MODEL_MIME]: graph, "image/png": modelGraphPng(graph), "text/plain": modelText(s), "text/html": modelHtml(s) }, metadata: {} };
}

export function modelFormatter(tf: typeof tfjs): Formatter {
  return (value) => (value instanceof tf.LayersModel ? formatModel(value) : undefined);
}
