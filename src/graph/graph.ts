// The model as a graph: nodes (layers) with named inputs and one output each, in topological order. A chain is
// the case in which each node takes the previous node's output; shape inference, contracts, the summary and code
// generation all walk this one structure.
import type { Layer, ModelInput, ModelSpec } from '../spec/types.js';

export interface GraphNode {
  /** Position in `model.layers` (source order): spans and initial-weight seeds are keyed by it. */
  index: number;
  layer: Layer;
  /** Names of the tensors it takes: model inputs or earlier nodes' outputs (a node's output is named by its layer). */
  inputs: string[];
  /** A recurrent layer's initial states (`initial_state: [h, c]`), taken besides its inputs; empty when none. */
  initialState: string[];
  /** The tensors it gives: its output (the layer's name), then its states (`return_state: true`). */
  outputs: string[];
}

/** Every tensor a node takes: its inputs, then its initial states. */
export const nodeTakes = (n: GraphNode): string[] => (n.initialState.length ? [...n.inputs, ...n.initialState] : n.inputs);

export interface ModelGraph {
  inputs: ModelInput[];
  /** Topological order; ties keep source order, so a chain stays in the order it was written. */
  nodes: GraphNode[];
  outputs: string[];
  /** Each node takes the previous one's output (the first node the only input), and the last node is the only output. */
  chain: boolean;
  /** Nodes on a cycle, in source order (they are left out of `nodes`); empty for a well-formed model. */
  cycle: GraphNode[];
}

export function modelInputs(model: ModelSpec): ModelInput[] {
  return model.inputs ?? [model.input];
}

/** The tensors each layer takes: as written, or else the previous layer's output (the first layer's: the first input). */
export function layerInputs(model: ModelSpec, index: number): string[] {
  const layer = model.layers[index];
  if (layer.inputs) return layer.inputs;
  return [index === 0 ? modelInputs(model)[0].name : model.layers[index - 1].name];
}

export function modelOutputs(model: ModelSpec): string[] {
  return model.outputs ?? (model.layers.length ? [model.layers[model.layers.length - 1].name] : []);
}

const graphs = new WeakMap<ModelSpec, ModelGraph>();

/** The model's graph (computed once per model object; a spec is not changed after checking). */
export function modelGraph(model: ModelSpec): ModelGraph {
  const cached = graphs.get(model);
  if (cached) return cached;
  const graph = buildGraph(model);
  graphs.set(model, graph);
  return graph;
}

function buildGraph(model: ModelSpec): ModelGraph {
  const inputs = modelInputs(model);
  const all: GraphNode[] = model.layers.map((layer, index) => ({
    index, layer, inputs: layerInputs(model, index), initialState: layer.initial_state ?? [], outputs: [layer.name, ...(layer.state_outputs ?? [])],
  }));
  const producer = new Map<string, GraphNode>(all.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  // Kahn's algorithm; a node is ready when every input is a model input or an emitted node. Nodes that name an
  // unknown tensor were reported by normalization; they count as ready so inference can report them again.
  const waiting = new Map<GraphNode, number>();
  const consumers = new Map<GraphNode, GraphNode[]>();
  for (const n of all) {
    let count = 0;
    for (const name of nodeTakes(n)) {
      const p = producer.get(name);
      if (!p) continue;
      count++;
      let list = consumers.get(p);
      if (!list) consumers.set(p, (list = []));
      list.push(n);
    }
    waiting.set(n, count);
  }
  const nodes: GraphNode[] = [];
  // Ready nodes by source index: a min-heap would do, but ready sets are small; a chain has one at a time.
  const ready: GraphNode[] = all.filter((n) => waiting.get(n) === 0);
  let isChain = true;
  while (ready.length) {
    let best = 0;
    for (let i = 1; i < ready.length; i++) if (ready[i].index < ready[best].index) best = i;
    const n = ready.splice(best, 1)[0];
    nodes.push(n);
    for (const c of consumers.get(n) ?? []) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  const emitted = new Set(nodes);
  const cycle = all.filter((n) => !emitted.has(n));
  const outputs = modelOutputs(model);
  nodes.forEach((n, i) => {
    // a layer with states or initial states needs the functional API: tf.sequential takes one tensor per layer
    if (n.index !== i || n.inputs.length !== 1 || n.outputs.length !== 1 || n.initialState.length || n.inputs[0] !== (i === 0 ? inputs[0].name : nodes[i - 1].layer.name)) isChain = false;
  });
  const chain = isChain && cycle.length === 0 && inputs.length === 1 && outputs.length === 1 && nodes.length > 0 && outputs[0] === nodes[nodes.length - 1].layer.name;
  return { inputs, nodes, outputs, chain, cycle };
}

/**
 * The nodes from an output back to an input along each node's first input: for a chain, the layers last to first.
 * Contracts read the output activation and units from it.
 */
export function pathToOutput(graph: ModelGraph, output: string): GraphNode[] {
  const byName = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const path: GraphNode[] = [];
  const seen = new Set<GraphNode>();
  for (let n = byName.get(output); n && !seen.has(n); n = byName.get(n.inputs[0])) {
    seen.add(n);
    path.push(n);
  }
  return path;
}
