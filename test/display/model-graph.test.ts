// display(model) → application/vnd.glassbox.model.v1+json: layers, edges with tensor shapes,
// parameters, nested graphs; and the folded view the renderer and PNG draw.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { MODEL_MIME, layoutGraph, type ModelPayloadV1 } from "../../kernel/display/graph-view";
import { formatModel } from "../../kernel/display/model";
import { cpu, pngSize } from "./helpers";
import { deepModel, nestedModel, sequentialModel, twoInputModel } from "./models";

before(cpu);

function graphOf(model: Parameters<typeof formatModel>[0]): ModelPayloadV1 {
  const data = formatModel(model).data;
  assert.ok(pngSize(data["image/png"] as string).width >= 300, "the bundle carries a PNG of the graph");
  assert.match(data["text/plain"] as string, /Total params/);
  return data[MODEL_MIME] as ModelPayloadV1;
}

test("Sequential: a chain from its input layer, shapes on the edges, parameter counts", () => {
  const p = graphOf(sequentialModel());
  assert.equal(p.version, 1);
  assert.deepEqual(p.graph.layers.map((l) => [l.className, l.outputShapes, l.params]), [["InputLayer", [[null, 4]], 0], ["Dense", [[null, 8]], 40], ["Dense", [[null, 3]], 27]]);
  assert.deepEqual(p.graph.edges.map((e) => [e.from, e.to, e.shape]), [["hidden_input", "hidden", [null, 4]], ["hidden", "probs", [null, 8]]]);
  assert.deepEqual([p.graph.inputs, p.graph.outputs, p.totalParams, p.layerCount], [["hidden_input"], ["probs"], 67, 3]);
});

test("two inputs and a shared layer: one node, an edge per call; a frozen nested head", () => {
  const p = graphOf(twoInputModel());
  assert.deepEqual(p.graph.inputs, ["left", "right"]);
  assert.deepEqual(p.graph.outputs, ["score", "head"]);
  assert.equal(p.graph.layers.filter((l) => l.name === "shared").length, 1, "a shared layer is one node");
  assert.deepEqual(p.graph.edges.filter((e) => e.from === "shared" || e.to === "shared").map((e) => [e.from, e.to, e.shape]),
    [["left", "shared", [null, 5]], ["right", "shared", [null, 5]], ["shared", "joined", [null, 3]], ["shared", "joined", [null, 3]]]);
  const head = p.graph.layers.find((l) => l.name === "head")!;
  assert.deepEqual(head.graph!.layers.map((l) => [l.id, l.trainable, l.params]), [["head/head_hidden_input", false, 0], ["head/head_hidden", false, 28], ["head/head_out", true, 10]]);
  assert.deepEqual([p.totalParams, p.trainableParams], [18 + 7 + 38, 18 + 7 + 10]);
});

test("nested models: each level's own graph, prefixed ids, opened on request in the view", () => {
  const p = graphOf(nestedModel());
  const block = p.graph.layers.find((l) => l.name === "block")!;
  assert.equal(block.className, "Model");
  assert.deepEqual(block.graph!.layers.map((l) => l.id), ["block/block_in", "block/block_wide", "block/block_dense"]);
  assert.deepEqual(block.graph!.edges.map((e) => e.shape), [[null, 6], [null, 12]]);
  assert.deepEqual(p.graph.edges.map((e) => [e.from, e.to]), [["embed_input", "embed"], ["embed", "block"], ["block", "outer_out"]]);
  assert.equal(p.layerCount, 6);
  const folded = layoutGraph(p.graph);
  assert.deepEqual(folded.nodes.map((n) => n.kind), ["layer", "layer", "model", "layer"]);
  const open = layoutGraph(p.graph, { expanded: new Set(["block"]) });
  assert.deepEqual(open.nodes.map((n) => n.id), ["embed_input", "embed", "block/block_in", "block/block_wide", "block/block_dense", "outer_out"]);
  assert.deepEqual(open.edges.map((e) => `${e.from} → ${e.to}`).sort(), ["block/block_dense → outer_out", "block/block_in → block/block_wide", "block/block_wide → block/block_dense", "embed → block/block_in", "embed_input → embed"], "the outer edges reach into the opened model");
  assert.ok(open.nodes.every((n) => n.y > 0 && n.width > 0), "dagre placed every node");
});

test("150 layers: the 74 repeated Dense → Dropout blocks fold into one node", () => {
  const p = graphOf(deepModel());
  assert.equal(p.layerCount, 151);
  const view = layoutGraph(p.graph);
  assert.equal(view.nodes.length, 4);
  const repeat = view.nodes.find((n) => n.kind === "repeat")!;
  assert.equal(repeat.count, 74);
  assert.equal(repeat.title, "74 × Dense → Dropout");
  assert.equal(repeat.members!.length, 148);
  assert.equal(layoutGraph(p.graph, { collapseRepeats: false }).nodes.length, 151);
});
