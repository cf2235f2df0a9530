/** The structural check of a model.v1 payload: every field the renderer and the dagre layout read (docs/mime/model.v1.md). */
import type { ModelGraph, ModelPayloadV1 } from "../../kernel/display/payloads";
import { array, boolean, nullable, number, numberOrNull, object, optional, string, strings } from "../shared/check";

const shape = (value: unknown, path: string) => array(value, path, numberOrNull);

function graph(value: unknown, path: string): ModelGraph {
  const g = object(value, path);
  string(g.name, `${path}.name`);
  string(g.className, `${path}.className`);
  strings(g.inputs, `${path}.inputs`);
  strings(g.outputs, `${path}.outputs`);
  array(g.layers, `${path}.layers`, (l, lp) => {
    const layer = object(l, lp);
    for (const k of ["id", "name", "className"]) string(layer[k], `${lp}.${k}`);
    array(layer.outputShapes, `${lp}.outputShapes`, shape);
    number(layer.params, `${lp}.params`);
    boolean(layer.trainable, `${lp}.trainable`);
    optional(layer.graph, `${lp}.graph`, graph);
  });
  array(g.edges, `${path}.edges`, (e, ep) => {
    const edge = object(e, ep);
    string(edge.from, `${ep}.from`);
    string(edge.to, `${ep}.to`);
    nullable(edge.shape, `${ep}.shape`, shape);
  });
  return g as unknown as ModelGraph;
}

export function checkModel(json: unknown): ModelPayloadV1 {
  const p = object(json, "payload");
  graph(p.graph, "graph");
  for (const k of ["totalParams", "trainableParams", "layerCount"]) number(p[k], k);
  return json as ModelPayloadV1;
}
