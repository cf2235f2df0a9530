/**
 * VS Code notebook renderer for application/vnd.glassbox.model.v1+json: the model's layers as a
 * layered graph (dagre, via kernel/display/graph-view.ts), edges labelled with tensor shapes,
 * frozen layers dashed. Large models stay readable: runs of identical blocks and nested models
 * are folded into one node (click to open, click again to fold), the wheel zooms, dragging pans.
 */
import { MODEL_MIME, type ModelPayloadV1 } from "../../kernel/display/payloads";
// The same dagre layout as the kernel's PNG: graph-view.ts is pure (dagre, no tfjs, no DOM).
import { layoutGraph, type GraphView, type ViewNode } from "../../kernel/display/graph-view";
import { el } from "../shared/dom";
import { defineRenderer, drawFirst } from "../shared/host";
import { ensureStyles } from "../shared/styles";
import { checkModel } from "./check";
import { formatInteger, t } from "../shared/i18n";

const SVG = "http://www.w3.org/2000/svg";
const CSS = `
.gb-model-view { position: relative; overflow: hidden; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); border-radius: 2px; cursor: grab; touch-action: none; }
.gb-model-view.gb-dragging { cursor: grabbing; }
.gb-model-view svg { display: block; width: 100%; height: 100%; user-select: none; }
.gb-node rect { fill: var(--vscode-editorWidget-background, var(--vscode-editor-background, #fff)); stroke: var(--vscode-editor-foreground, #444); stroke-width: 1; rx: 4; }
.gb-node[data-kind="repeat"] rect, .gb-node[data-kind="model"] rect { stroke: var(--vscode-focusBorder, #007fd4); stroke-width: 2; }
.gb-node[data-kind="repeat"], .gb-node[data-kind="model"], .gb-node[data-folded] { cursor: pointer; }
.gb-node[data-frozen] rect { stroke-dasharray: 4 3; opacity: .75; }
.gb-node[data-frozen] text { opacity: .7; }
.gb-node text { fill: var(--vscode-editor-foreground, #333); font-family: var(--vscode-editor-font-family, monospace); font-size: 12px; }
.gb-node .gb-node-title { font-weight: 600; }
.gb-node .gb-node-sub { fill: var(--vscode-descriptionForeground, #777); }
.gb-edge path { fill: none; stroke: var(--vscode-descriptionForeground, #888); stroke-width: 1.2; }
.gb-edge text { fill: var(--vscode-descriptionForeground, #777); font-family: var(--vscode-editor-font-family, monospace); font-size: 10px; }
.gb-arrow { fill: var(--vscode-descriptionForeground, #888); }
`;

function ensureModelStyles(): void {
  ensureStyles();
  if (document.getElementById("glassbox-model-styles")) return;
  const style = document.createElement("style");
  style.id = "glassbox-model-styles";
  style.textContent = CSS;
  document.head.appendChild(style);
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

let markerCounter = 0;

class ModelOutput {
  private payload!: ModelPayloadV1;
  private readonly root = el("div", { class: "gb-root gb-model" });
  private readonly header = el("div", { class: "gb-row" });
  private readonly viewport = el("div", { class: "gb-model-view" });
  private readonly canvas = svg("svg");
  private readonly scene = svg("g");
  private readonly expanded = new Set<string>();
  private readonly unfolded = new Set<string>();
  private collapse = true;
  private view!: GraphView;
  private transform = { x: 0, y: 0, k: 1 };
  private readonly markerId = `gb-arrow-${++markerCounter}`;

  constructor(readonly node: HTMLElement) {
    ensureModelStyles();
    const defs = svg("defs");
    const marker = svg("marker", { id: this.markerId, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "gb-arrow" }));
    defs.append(marker);
    this.canvas.append(defs, this.scene);
    this.viewport.append(this.canvas);
    this.root.append(this.header, this.viewport);
    node.replaceChildren(this.root);
    this.bindZoomAndPan();
  }

  update(payload: ModelPayloadV1): void {
    this.payload = payload;
    this.layout(true);
  }

  private renderHeader(): void {
    const p = this.payload;
    const button = (label: string, action: string, onClick: () => void) => el("button", { class: "gb-button", dataset: { action }, on: { click: onClick } }, label);
    this.header.replaceChildren(
      el("span", { class: "gb-title" }, p.graph.name),
      el("span", { class: "gb-chip" }, p.graph.className),
      el("span", { class: "gb-muted", dataset: { role: "counts" } }, t("model.counts", { layers: formatInteger(p.layerCount), params: formatInteger(p.totalParams), trainable: formatInteger(p.trainableParams) })),
      button(t("model.fit"), "fit", () => { this.fit(); }),
      button(this.collapse ? t("model.showAll") : t("model.fold"), "fold", () => { this.collapse = !this.collapse; this.unfolded.clear(); this.layout(true); }),
    );
  }

  private layout(refit: boolean): void {
    this.view = layoutGraph(this.payload.graph, { expanded: this.expanded, unfolded: this.unfolded, collapseRepeats: this.collapse, charWidth: 7.4, lineHeight: 16 });
    this.renderHeader();
    // Tall graphs get a taller view, up to a limit; beyond that the user zooms and pans.
    this.viewport.style.height = `${Math.max(160, Math.min(640, this.view.height + 16))}px`;
    this.draw();
    if (refit) this.fit();
  }

  private draw(): void {
    const edges = svg("g"), nodes = svg("g");
    for (const e of this.view.edges) {
      if (!e.points.length) continue;
      const g = svg("g", { class: "gb-edge", "data-from": e.from, "data-to": e.to });
      g.append(svg("path", { d: e.points.map((p, i) => `${i ? "L" : "M"} ${p.x} ${p.y}`).join(" "), "marker-end": `url(#${this.markerId})` }));
      const mid = e.points[Math.floor(e.points.length / 2)];
      g.append(svg("text", { x: mid.x + 5, y: mid.y + 3 }, e.label));
      edges.append(g);
    }
    for (const n of this.view.nodes) nodes.append(this.nodeElement(n));
    this.scene.replaceChildren(edges, nodes);
  }

  private nodeElement(n: ViewNode): SVGGElement {
    const g = svg("g", { class: "gb-node", "data-id": n.id, "data-kind": n.kind, transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})` });
    if (!n.trainable) g.setAttribute("data-frozen", "");
    const title = svg("title", {}, n.kind === "repeat" ? `${n.count} repeated blocks (${n.members?.length} layers): click to show them` : n.kind === "model" ? `nested model with ${n.count} layers: click to open` : `${n.title} (${n.subtitle})`);
    g.append(title, svg("rect", { width: n.width, height: n.height }));
    const sub = n.kind === "model" ? `${n.subtitle} · ${n.count} layers ▸` : n.subtitle;
    g.append(svg("text", { x: 10, y: 18, class: "gb-node-title" }, n.title), svg("text", { x: 10, y: 34, class: "gb-node-sub" }, sub),
      svg("text", { x: 10, y: 50 }, `${n.shape}  ${n.params.toLocaleString("en-US")} params${n.trainable ? "" : " · frozen"}`));
    if (n.kind === "repeat") g.addEventListener("click", () => { this.unfolded.add(n.id); this.layout(false); });
    if (n.kind === "model") g.addEventListener("click", () => { this.expanded.add(n.id); this.layout(false); });
    // A layer of an opened nested model folds it again (its id is "<model id>/<layer>").
    const parent = [...this.expanded].find((m) => n.id.startsWith(`${m}/`));
    if (parent && n.kind === "layer") {
      g.setAttribute("data-folded", parent);
      g.addEventListener("click", () => { this.expanded.delete(parent); this.layout(false); });
    }
    return g;
  }

  /** Whole graph in view, never enlarged past 100%. */
  fit(): void {
    const w = this.viewport.clientWidth || 800, h = this.viewport.clientHeight || 400;
    const k = Math.min(1, w / Math.max(1, this.view.width), h / Math.max(1, this.view.height));
    this.transform = { k, x: (w - this.view.width * k) / 2, y: (h - this.view.height * k) / 2 };
    this.apply();
  }

  private apply(): void {
    const { x, y, k } = this.transform;
    this.scene.setAttribute("transform", `translate(${x},${y}) scale(${k})`);
    this.viewport.dataset.zoom = k.toFixed(3);
  }

  private bindZoomAndPan(): void {
    this.viewport.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = this.viewport.getBoundingClientRect();
      const px = event.clientX - rect.left, py = event.clientY - rect.top;
      const k = Math.min(4, Math.max(0.05, this.transform.k * Math.exp(-event.deltaY * 0.0015)));
      const f = k / this.transform.k;
      this.transform = { k, x: px - (px - this.transform.x) * f, y: py - (py - this.transform.y) * f };
      this.apply();
    }, { passive: false });
    let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;
    this.viewport.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, tx: this.transform.x, ty: this.transform.y, moved: false };
    });
    this.viewport.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 3) return; // a click, not a drag
      if (!drag.moved) { drag.moved = true; this.viewport.setPointerCapture(event.pointerId); this.viewport.classList.add("gb-dragging"); }
      this.transform = { ...this.transform, x: drag.tx + dx, y: drag.ty + dy };
      this.apply();
    });
    const end = () => { drag = undefined; this.viewport.classList.remove("gb-dragging"); };
    this.viewport.addEventListener("pointerup", end);
    this.viewport.addEventListener("pointercancel", end);
  }

  dispose(): void {
    this.node.replaceChildren();
  }
}

export const activate = defineRenderer<ModelPayloadV1>({
  mime: MODEL_MIME,
  version: 1,
  check: checkModel,
  render: (element, payload) => drawFirst(new ModelOutput(element), payload),
});
