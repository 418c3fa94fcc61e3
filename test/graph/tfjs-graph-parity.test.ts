// Graph models against tfjs: nnc's per-layer output shapes and parameter counts equal those of the functional
// model tfjs builds from the same layer configs (tf.input, layer.apply, tf.model), and a forward pass runs.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { CheckResult } from '../../src/pipeline.js';
import { checked } from './tfjs-functional.js';
import { instantiateLayer, layerConfig } from '../../src/codegen/layer-config.js';
import { modelGraph } from '../../src/graph/graph.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


/** The functional tfjs model for a checked spec's first model, built as generated model.ts builds it. */
function buildFunctional(r: CheckResult) {
  const model = r.spec!.models[0];
  const info = r.shapes[0];
  const graph = modelGraph(model);
  const tensors = new Map<string, tf.SymbolicTensor>();
  for (const i of graph.inputs) tensors.set(i.name, tf.input({ name: i.name, shape: i.shape }));
  const layers = new Map<string, tf.layers.Layer>();
  for (const n of graph.nodes) {
    const shape = info.layers.find((l) => l.index === n.index)!.outputShape;
    const layer = instantiateLayer(layerConfig(n.layer, n.index, null, 7, shape), tf);
    const args = n.inputs.map((name) => tensors.get(name)!);
    tensors.set(n.layer.name, layer.apply(args.length === 1 ? args[0] : args) as tf.SymbolicTensor);
    layers.set(n.layer.name, layer);
  }
  const m = tf.model({ inputs: graph.inputs.map((i) => tensors.get(i.name)!), outputs: graph.outputs.map((o) => tensors.get(o)!) });
  return { m, layers, graph };
}

const count = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);

function agrees(r: CheckResult): void {
  const { m, layers, graph } = buildFunctional(r);
  for (const l of r.shapes[0].layers) {
    const t = layers.get(l.name)!;
    expect(t.outputShape, l.name).toEqual(l.outputShape);
    expect(count(t.trainableWeights), `${l.name} trainable`).toBe(l.trainableParams);
    expect(count(t.nonTrainableWeights), `${l.name} non-trainable`).toBe(l.nonTrainableParams);
  }
  expect(m.countParams()).toBe(r.shapes[0].totalParams);
  const xs = graph.inputs.map((i) => tf.randomUniform([2, ...i.shape]));
  const ys = [m.predict(xs.length === 1 ? xs[0] : xs)].flat() as tf.Tensor[];
  ys.forEach((y, k) => expect(y.shape.slice(1)).toEqual(r.shapes[0].layers.find((l) => l.name === graph.outputs[k])!.outputShape.slice(1)));
  tf.dispose([...xs, ...ys]);
}

describe('graph models agree with tfjs', () => {
  it('keras.io toy_resnet: 223,242 parameters, as its model.summary() prints', () => {
    const r = checked('specs/published/toy_resnet.nn');
    expect(r.shapes[0].totalParams).toBe(223_242);
    agrees(r);
  });

  it('keras.io convolutional autoencoder: 28,241 parameters, as its summary() prints', () => {
    const r = checked('specs/published/conv_autoencoder.nn');
    expect(r.shapes[0].totalParams).toBe(28_241);
    expect(r.shapes[0].layers.at(-1)!.outputShape).toEqual([null, 28, 28, 1]);
    agrees(r);
  });

  it('the residual Fashion-MNIST CNN in specs/', () => agrees(checked('specs/fashion_resnet.nn')));

  it('two inputs, two outputs, concatenate, broadcasting multiply and a forward reference', () => {
    const r = checked('two.nn', `model Two {
  input image: [8, 8, 3]
  input meta: [5]
  features = global_avg_pool2d()(image)
  gate = dense(3, activation: sigmoid)(meta)
  scaled = multiply(features, gate)
  both = concatenate(scaled, late, axis: -1)
  head = dense(4, activation: softmax)(both)
  late = dense(2)(meta)
  aux = dense(1)(both)
  outputs: [head, aux]
}
`);
    const info = r.shapes[0];
    expect(info.graph).toBe(true);
    expect(info.layers.map((l) => l.name)).toEqual(['features', 'gate', 'scaled', 'late', 'both', 'head', 'aux']);
    expect(info.layers.find((l) => l.name === 'both')!.outputShape).toEqual([null, 5]);
    agrees(r);
  });
});
