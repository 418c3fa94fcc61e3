// A checked model built by tfjs as generated model.ts builds it: tf.input per input, then each node's layer from
// the config code generation renders, applied to its inputs (several as a list, initial states as `initialState`),
// a layer with states giving a list. Tests compare what tfjs makes of it with what nnc inferred.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { check, type CheckResult } from '../../src/pipeline.js';
import * as nncLayers from '../../src/codegen/runtime/layers.js';
import { instantiateLayer, layerConfig, type ConfigValue, type LayerConfig } from '../../src/codegen/layer-config.js';
import { modelGraph, type GraphNode, type ModelGraph } from '../../src/graph/graph.js';
import type { ModelShapeInfo } from '../../src/shapes/infer.js';
import type { ModelSpec } from '../../src/spec/types.js';

export interface Functional {
  graph: ModelGraph;
  tensors: Map<string, tf.SymbolicTensor>;
  /** Each applied node's tfjs layer, by the node's layer name. */
  layers: Map<string, tf.layers.Layer>;
}

export function functionalInputs(model: ModelSpec): Functional {
  const graph = modelGraph(model);
  const tensors = new Map<string, tf.SymbolicTensor>();
  for (const i of graph.inputs) tensors.set(i.name, tf.input({ name: i.name, shape: i.shape, dtype: i.dtype }));
  return { graph, tensors, layers: new Map() };
}

/**
 * tfjs' orthogonal initializer runs a QR decomposition op by op: over ten minutes for a 256-unit LSTM's recurrent
 * kernel on the cpu backend. Shapes and counts do not depend on the initial values, so large models swap it.
 */
function withoutOrthogonal(v: ConfigValue): ConfigValue {
  if (Array.isArray(v)) return v.map(withoutOrthogonal);
  if (!v || typeof v !== 'object') return v;
  if ('$call' in v && v.$call === 'tf.initializers.orthogonal') return { $call: 'tf.initializers.glorotUniform', args: v.args };
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutOrthogonal(x as ConfigValue)])) as ConfigValue;
}

/** Builds and applies one node's layer; throws what tfjs throws. */
export function applyNode(f: Functional, n: GraphNode, info: ModelShapeInfo, seed = 7, quickInit = false): tf.layers.Layer {
  const shape = info.layers.find((l) => l.index === n.index)?.outputShape;
  const cfg = layerConfig(n.layer, n.index, null, seed, shape);
  const layer = instantiateLayer(quickInit ? { ...cfg, args: withoutOrthogonal(cfg.args) as LayerConfig['args'] } : cfg, tf, nncLayers);
  const take = (name: string) => {
    const t = f.tensors.get(name);
    if (!t) throw new Error(`no tensor ${name}`);
    return t;
  };
  const args = n.inputs.map(take);
  const kwargs = n.initialState.length ? { initialState: n.initialState.map(take) } : undefined;
  const out = layer.apply(args.length === 1 ? args[0] : args, kwargs) as tf.SymbolicTensor | tf.SymbolicTensor[];
  const outs = Array.isArray(out) ? out : [out];
  if (outs.length !== n.outputs.length) throw new Error(`${n.layer.name} gives ${outs.length} tensors in tfjs, ${n.outputs.length} in nnc`);
  n.outputs.forEach((name, k) => f.tensors.set(name, outs[k]));
  f.layers.set(n.layer.name, layer);
  return layer;
}

/** The whole model, every node applied. */
export function buildFunctional(model: ModelSpec, info: ModelShapeInfo, quickInit = false): Functional & { model: tf.LayersModel } {
  const f = functionalInputs(model);
  for (const n of f.graph.nodes) applyNode(f, n, info, 7, quickInit);
  const m = tf.model({ inputs: f.graph.inputs.map((i) => f.tensors.get(i.name)!), outputs: f.graph.outputs.map((o) => f.tensors.get(o)!) });
  return { ...f, model: m };
}

export const countOf = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);

/** The shapes a tfjs layer gives: one, or one per output of a layer with states. */
export function outputShapes(layer: tf.layers.Layer): (number | null)[][] {
  const s = layer.outputShape as (number | null)[] | (number | null)[][];
  return Array.isArray(s[0]) ? (s as (number | null)[][]) : [s as (number | null)[]];
}

/** A spec (a file, or text under a file name) checked with no errors. */
export function checked(file: string, text = readFileSync(file, 'utf8')): CheckResult {
  const r = check(file, text, { readFile: (f: string) => readFileSync(f, 'utf8') });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return r;
}
