/**
 * Model graphs (application/vnd.glassbox.model.v1+json, docs/mime/model.v1.md; payload types in
 * payloads.ts): the view both the kernel's PNG and the notebook renderer draw: nested models shown as one
 * node unless expanded, long runs of identical blocks collapsed to one "×N" node, and a layered
 * layout by dagre. Pure code (no tfjs, no DOM), shared by the kernel and the renderer.
 */
import dagre from "@dagrejs/dagre";
import type { GraphEdge, GraphLayer, ModelGraph, Shape } from "./payloads";

export { MODEL_MIME } from "./payloads";
export type { GraphEdge, GraphLayer, ModelGraph, ModelPayloadV1, Shape } from "./payloads";

/** What the view draws: a layer, a collapsed run of repeated blocks, or a nested model (collapsed). */
export interface ViewNode {
  id: string;
  kind: "layer" | "repeat" | "model";
  title: string;
  subtitle: string;
  shape: string;
  params: number;
  trainable: boolean;
  /** For "repeat": how many blocks and the layer ids inside; for "model": the nested graph's layer count. */
  count?: number;
  members?: string[];
  width: number;
  height: number;
  x: number;
  y: number;
}

export interface ViewEdge { from: string; to: string; label: string; points: Array<{ x: number; y: number }> }
export interface GraphView { nodes: ViewNode[]; edges: ViewEdge[]; width: number; height: number }

export interface ViewOptions {
  /** Nested models (by layer id) drawn with their insides. */
  expanded?: ReadonlySet<string>;
  /** Collapse runs of ≥ 3 identical blocks (default true). */
  collapseRepeats?: boolean;
  /** Repeat nodes (by id) the user opened: their layers are drawn one by one. */
  unfolded?: ReadonlySet<string>;
  /** Text width of one character, for node sizes (the PNG font and the DOM font differ). */
  charWidth?: number;
  lineHeight?: number;
}

export function shapeText(shape: Shape | null | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? "null" : d)).join(",")}]` : "?";
}

const layerShape = (l: GraphLayer) => (l.outputShapes.length === 1 ? shapeText(l.outputShapes[0]) : l.outputShapes.length ? l.outputShapes.map(shapeText).join(" | ") : "?");

interface Flat { nodes: Map<string, Omit<ViewNode, "width" | "height" | "x" | "y">>; edges: GraphEdge[] }

/** Nested models become one node, or (expanded) their layers wired to the outer edges. */
function flatten(graph: ModelGraph, expanded: ReadonlySet<string>): Flat {
  const nodes: Flat["nodes"] = new Map();
  const edges: GraphEdge[] = [];
  const entry = new Map<string, string[]>(), exit = new Map<string, string[]>();
  for (const layer of graph.layers) {
    if (layer.graph && expanded.has(layer.id)) {
      const inner = flatten(layer.graph, expanded);
      for (const [id, n] of inner.nodes) nodes.set(id, n);
      edges.push(...inner.edges);
      entry.set(layer.id, layer.graph.inputs);
      exit.set(layer.id, layer.graph.outputs);
      continue;
    }
    nodes.set(layer.id, {
      id: layer.id, kind: layer.graph ? "model" : "layer", title: layer.name, subtitle: layer.className,
      shape: layerShape(layer), params: layer.params, trainable: layer.trainable || layer.params === 0,
      ...(layer.graph ? { count: layer.graph.layers.length } : {}),
    });
  }
  for (const e of graph.edges) {
    for (const from of exit.get(e.from) ?? [e.from]) for (const to of entry.get(e.to) ?? [e.to]) edges.push({ from, to, shape: e.shape });
  }
  return { nodes, edges };
}

/** Runs of ≥ 3 repeats of the same block (1–12 layers, same classes, shapes and params) in linear chains. */
function collapseRepeats(flat: Flat, unfolded: ReadonlySet<string>): Flat {
  const outs = new Map<string, GraphEdge[]>(), ins = new Map<string, GraphEdge[]>();
  for (const e of flat.edges) { (outs.get(e.from) ?? outs.set(e.from, []).get(e.from)!).push(e); (ins.get(e.to) ?? ins.set(e.to, []).get(e.to)!).push(e); }
  // X follows P in a chain when P's only edge goes to X and X's only edge comes from P.
  const next = new Map<string, string>(), hasPrev = new Set<string>();
  for (const [from, list] of outs) {
    if (list.length === 1 && ins.get(list[0].to)?.length === 1) { next.set(from, list[0].to); hasPrev.add(list[0].to); }
  }
  const chains: string[][] = [];
  for (const id of flat.nodes.keys()) {
    if (hasPrev.has(id)) continue;
    const chain = [id];
    for (let cur = next.get(id); cur; cur = next.get(cur)) chain.push(cur);
    chains.push(chain);
  }
  const sig = (id: string) => { const n = flat.nodes.get(id)!; return `${n.kind}|${n.subtitle}|${n.shape}|${n.params}|${n.trainable}`; };
  const replaced = new Map<string, string>(); // layer id → repeat node id
  const nodes: Flat["nodes"] = new Map(flat.nodes);
  for (const chain of chains) {
    const sigs = chain.map(sig);
    for (let i = 0; i < chain.length;) {
      let best = { period: 0, count: 0 };
      for (let p = 1; p <= 12 && i + 3 * p <= chain.length; p++) {
        let k = 1;
        while (i + (k + 1) * p <= chain.length && sigs.slice(i + k * p, i + (k + 1) * p).every((s, j) => s === sigs[i + j])) k++;
        if (k >= 3 && k * p > best.count * best.period) best = { period: p, count: k };
      }
      if (!best.count) { i++; continue; }
      const members = chain.slice(i, i + best.period * best.count);
      const block = members.slice(0, best.period).map((m) => flat.nodes.get(m)!);
      const id = `repeat:${members[0]}`;
      if (unfolded.has(id)) { i += members.length; continue; }
      nodes.set(id, {
        id, kind: "repeat", title: `${best.count} × ${block.map((b) => b.subtitle).join(" → ")}`, subtitle: `${block[0].title} … ${flat.nodes.get(members[members.length - 1])!.title}`,
        shape: block[block.length - 1].shape, params: members.reduce((s, m) => s + flat.nodes.get(m)!.params, 0), trainable: block.every((b) => b.trainable),
        count: best.count, members,
      });
      for (const m of members) { nodes.delete(m); replaced.set(m, id); }
      i += members.length;
    }
  }
  const edges: GraphEdge[] = [];
  const keys = new Set<string>();
  for (const e of flat.edges) {
    const from = replaced.get(e.from) ?? e.from, to = replaced.get(e.to) ?? e.to;
    if (from === to) continue;
    const key = `${from}→${to}`;
    if (keys.has(key)) continue;
    keys.add(key);
    edges.push({ from, to, shape: e.shape });
  }
  return { nodes, edges };
}

/** Positions every node and edge (top to bottom) with dagre. */
export function layoutGraph(graph: ModelGraph, options: ViewOptions = {}): GraphView {
  let flat = flatten(graph, options.expanded ?? new Set());
  if (options.collapseRepeats !== false) flat = collapseRepeats(flat, options.unfolded ?? new Set());
  const charW = options.charWidth ?? 7, lineH = options.lineHeight ?? 16;
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 40, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of flat.nodes.values()) {
    const lines = [n.title, n.subtitle + (n.kind === "model" ? ` · ${n.count} layers ▸` : ""), `${n.shape}  ${n.params.toLocaleString("en-US")} params${n.trainable ? "" : " · frozen"}`];
    const width = Math.max(120, Math.min(340, Math.max(...lines.map((l) => l.length)) * charW + 20));
    g.setNode(n.id, { width, height: lines.length * lineH + 12 });
  }
  for (const e of flat.edges) g.setEdge(e.from, e.to, { label: shapeText(e.shape), width: shapeText(e.shape).length * charW * 0.85, height: lineH, labelpos: "c" });
  dagre.layout(g);
  const nodes = [...flat.nodes.values()].map((n) => {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    return { ...n, x: p.x, y: p.y, width: p.width, height: p.height };
  });
  const edges = flat.edges.map((e) => ({ from: e.from, to: e.to, label: shapeText(e.shape), points: ((g.edge(e.from, e.to) as { points?: Array<{ x: number; y: number }> })?.points ?? []).map((p) => ({ x: p.x, y: p.y })) }));
  const size = g.graph() as { width?: number; height?: number };
  return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0 };
}
