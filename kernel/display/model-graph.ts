/**
 * tf.LayersModel → its graph (layers, the tensors between them, nested models inside), for
 * application/vnd.glassbox.model.v1+json, and a PNG of the laid-out graph for other clients.
 * Sequential models are a chain from their input; functional ones follow each layer's inbound
 * nodes that belong to this model (a shared layer has one node per call).
 */
import type * as tfjs from "@tensorflow/tfjs";
import type { Rgb } from "./colormap";
import { layoutGraph, type GraphEdge, type GraphLayer, type ModelGraph, type ModelPayloadV1, type Shape } from "./graph-view";
import { Raster } from "./raster";

interface LayerNode { inboundLayers: tfjs.layers.Layer[]; nodeIndices: number[]; tensorIndices: number[]; outputShapes: Shape | Shape[] }
type AnyLayer = tfjs.layers.Layer & { inboundNodes: LayerNode[] };
type AnyModel = tfjs.LayersModel & { containerNodes?: Set<string>; inputLayers?: tfjs.layers.Layer[]; outputLayers?: tfjs.layers.Layer[] };

const isShape = (s: unknown): s is Shape => Array.isArray(s) && s.every((d) => d === null || typeof d === "number");
/** A node's outputShapes is one shape, or one per output tensor. */
function shapesOf(node: LayerNode | undefined): Shape[] {
  const s = node?.outputShapes;
  return isShape(s) ? [s] : Array.isArray(s) ? s.filter(isShape) : [];
}

function paramsOf(layer: tfjs.layers.Layer): number {
  try { return layer.countParams(); } catch { return 0; } // not built yet: no weights
}

function isModel(layer: unknown): layer is AnyModel {
  return !!layer && typeof layer === "object" && Array.isArray((layer as AnyModel).layers) && typeof (layer as AnyModel).summary === "function";
}

function layerOf(layer: tfjs.layers.Layer, prefix: string, shapes: Shape[]): GraphLayer {
  const id = prefix + layer.name;
  const out: GraphLayer = { id, name: layer.name, className: layer.getClassName(), outputShapes: dedupe(shapes), params: paramsOf(layer), trainable: layer.trainable };
  if (isModel(layer)) out.graph = modelGraph(layer, `${id}/`);
  return out;
}

function dedupe(shapes: Shape[]): Shape[] {
  const seen = new Set<string>();
  return shapes.filter((s) => { const k = JSON.stringify(s); return seen.has(k) ? false : (seen.add(k), true); });
}

export function modelGraph(model: tfjs.LayersModel, prefix = ""): ModelGraph {
  const m = model as AnyModel;
  const layers = m.layers as AnyLayer[];
  const graph: ModelGraph = { name: m.name, className: m.getClassName(), inputs: [], outputs: [], layers: [], edges: [] };
  if (m.getClassName() === "Sequential" || !m.containerNodes) {
    // Sequential: its input layer (not in .layers), then each layer in order.
    const input = layers[0]?.inboundNodes[0]?.inboundLayers[0] as AnyLayer | undefined;
    const chain = input ? [input, ...layers] : layers;
    chain.forEach((layer, i) => {
      const shapes = shapesOf(layer.inboundNodes[0]);
      graph.layers.push(layerOf(layer, prefix, shapes));
      if (i > 0) graph.edges.push({ from: prefix + chain[i - 1].name, to: prefix + layer.name, shape: shapesOf(chain[i - 1].inboundNodes[0])[0] ?? null });
    });
    graph.inputs = chain.length ? [prefix + chain[0].name] : [];
    graph.outputs = chain.length ? [prefix + chain[chain.length - 1].name] : [];
    return graph;
  }
  const own = m.containerNodes;
  for (const layer of layers) {
    const shapes: Shape[] = [];
    layer.inboundNodes.forEach((node, i) => {
      if (!own.has(`${layer.name}_ib-${i}`)) return;
      shapes.push(...shapesOf(node));
      node.inboundLayers.forEach((src, k) => {
        const from = (src as AnyLayer).inboundNodes[node.nodeIndices[k]];
        const edge: GraphEdge = { from: prefix + src.name, to: prefix + layer.name, shape: shapesOf(from)[node.tensorIndices[k]] ?? null };
        graph.edges.push(edge);
      });
    });
    graph.layers.push(layerOf(layer, prefix, shapes));
  }
  graph.inputs = (m.inputLayers ?? []).map((l) => prefix + l.name);
  graph.outputs = (m.outputLayers ?? []).map((l) => prefix + l.name);
  return graph;
}

function countLayers(g: ModelGraph): number {
  return g.layers.reduce((n, l) => n + (l.graph ? countLayers(l.graph) : 1), 0);
}

export function modelPayload(model: tfjs.LayersModel, totalParams: number, trainableParams: number): ModelPayloadV1 {
  const graph = modelGraph(model);
  return { version: 1, graph, totalParams, trainableParams, layerCount: countLayers(graph) };
}

// ---------- PNG ----------

const INK: Rgb = [50, 50, 50];
const MUTED: Rgb = [120, 120, 120];
const EDGE: Rgb = [150, 150, 150];
const FILL: Record<string, Rgb> = { layer: [235, 243, 252], repeat: [240, 235, 250], model: [232, 245, 233], frozen: [240, 240, 240] };

/** The collapsed view, drawn top to bottom; very large graphs are cut at 4000 px with a note. */
export function modelGraphPng(payload: ModelPayloadV1): string {
  const view = layoutGraph(payload.graph, { charWidth: 8, lineHeight: 14 });
  const width = Math.min(2400, Math.max(320, Math.ceil(view.width))), height = Math.min(4000, Math.ceil(view.height) + 24);
  const r = new Raster(width, height);
  r.text(8, 4, `${payload.graph.name}: ${payload.layerCount} layers, ${payload.totalParams.toLocaleString("en-US")} params`, INK, 2);
  const dy = 20;
  for (const e of view.edges) {
    for (let i = 1; i < e.points.length; i++) r.line(e.points[i - 1].x, e.points[i - 1].y + dy, e.points[i].x, e.points[i].y + dy, EDGE, 1);
    const end = e.points[e.points.length - 1];
    if (end) { r.line(end.x - 4, end.y + dy - 5, end.x, end.y + dy, EDGE, 2); r.line(end.x + 4, end.y + dy - 5, end.x, end.y + dy, EDGE, 2); }
    const mid = e.points[Math.floor(e.points.length / 2)];
    if (mid) r.text(mid.x + 4, mid.y + dy - 3, e.label, MUTED, 1);
  }
  for (const n of view.nodes) {
    const x = Math.round(n.x - n.width / 2), y = Math.round(n.y - n.height / 2 + dy);
    const border = n.trainable ? INK : MUTED;
    r.rect(x, y, n.width, n.height, n.trainable ? FILL[n.kind] : FILL.frozen);
    r.line(x, y, x + n.width, y, border); r.line(x, y + n.height, x + n.width, y + n.height, border);
    r.line(x, y, x, y + n.height, border); r.line(x + n.width, y, x + n.width, y + n.height, border);
    // The raster font has ASCII only.
    const fit = (text: string) => {
      const s = text.replace(/→/g, ">").replace(/…/g, "..");
      return Raster.textWidth(s) > n.width - 12 ? s.slice(0, Math.max(1, Math.floor((n.width - 12) / 8) - 2)) + ".." : s;
    };
    r.text(x + 8, y + 6, fit(n.title), INK, 2);
    r.text(x + 8, y + 20, fit(n.kind === "model" ? `${n.subtitle} (${n.count} layers)` : n.subtitle), MUTED, 2);
    r.text(x + 8, y + 34, fit(`${n.shape} ${n.params.toLocaleString("en-US")}p${n.trainable ? "" : " frozen"}`), INK, 2);
  }
  if (view.height + 24 > height) r.text(8, height - 12, "(cut: the graph is taller than this image)", INK, 1);
  return r.toPngBase64();
}
