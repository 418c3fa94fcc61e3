// model.ts leaves out arguments equal to tfjs's defaults (src/codegen/tfjs-defaults.ts). Proof that nothing changes:
// every layer type's fixture cases and every example spec, built by tfjs from the configs with the defaults left out
// and from the configs with every argument written (what model.ts held before), give the same getConfig() and the
// same initial weights for the same seed. getConfig() alone would not do: tfjs' SeparableConv2D does not report its
// depth multiplier or pointwise initializer, so the weights are compared too.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as nncLayers from '../../src/codegen/runtime/layers.js';
import { instantiateLayer, layerConfig, type LayerConfig } from '../../src/codegen/layer-config.js';
import { TFJS_DEFAULTS } from '../../src/codegen/tfjs-defaults.js';
import { modelGraph } from '../../src/graph/graph.js';
import { check, type CheckResult } from '../../src/pipeline.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const host = { readFile: (f: string) => readFileSync(f, 'utf8') };
type Mode = 'omit' | 'keep';

/** The model as generated model.ts builds it: a chain as tf.sequential (input on its first layer), else functional. */
function build(r: CheckResult, mode: Mode, seed: number, configs: LayerConfig[] = []): tf.LayersModel {
  const model = r.spec!.models[0];
  const info = r.shapes[0];
  const graph = modelGraph(model);
  const shapeOf = (index: number) => info.layers.find((l) => l.index === index)!.outputShape;
  if (graph.chain) {
    const seq = tf.sequential({ name: model.name });
    graph.nodes.forEach((n, i) => {
      const cfg = layerConfig(n.layer, n.index, i === 0 ? model.input : null, seed, shapeOf(n.index), mode);
      configs.push(cfg);
      seq.add(instantiateLayer(cfg, tf, nncLayers));
    });
    return seq;
  }
  const tensors = new Map<string, tf.SymbolicTensor>();
  for (const i of graph.inputs) tensors.set(i.name, tf.input({ name: i.name, shape: i.shape, dtype: i.dtype }));
  for (const n of graph.nodes) {
    const cfg = layerConfig(n.layer, n.index, null, seed, shapeOf(n.index), mode);
    configs.push(cfg);
    const args = n.inputs.map((name) => tensors.get(name)!);
    const kwargs = n.initialState.length ? { initialState: n.initialState.map((name) => tensors.get(name)!) } : undefined;
    // a layer with states (`return_state`) gives its output and each state
    const out = instantiateLayer(cfg, tf, nncLayers).apply(args.length === 1 ? args[0] : args, kwargs) as tf.SymbolicTensor | tf.SymbolicTensor[];
    n.outputs.forEach((name, k) => tensors.set(name, Array.isArray(out) ? out[k] : out));
  }
  return tf.model({ name: model.name, inputs: graph.inputs.map((i) => tensors.get(i.name)!), outputs: graph.outputs.map((o) => tensors.get(o)!) });
}

/** Builds both ways; returns how many arguments were left out. */
function sameModel(what: string, r: CheckResult, seed = 13): number {
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), what).toEqual([]);
  const omitted: LayerConfig[] = [];
  const kept: LayerConfig[] = [];
  const short = build(r, 'omit', seed, omitted);
  const full = build(r, 'keep', seed, kept);
  try {
    expect(short.getConfig(), `${what}: getConfig()`).toEqual(full.getConfig());
    const a = short.getWeights();
    const b = full.getWeights();
    // tfjs makes variable names unique per process (dense_1/kernel, then dense_1/kernel_1): compare the layers' own names
    const described = (m: tf.LayersModel) => m.weights.map((w) => [w.originalName, w.shape, w.trainable]);
    expect(described(short), `${what}: weights`).toEqual(described(full));
    a.forEach((w, i) => expect(Array.from(w.dataSync()), `${what}: ${short.weights[i].originalName}`).toEqual(Array.from(b[i].dataSync())));
  } finally {
    short.dispose?.();
    full.dispose?.();
  }
  const count = (cs: LayerConfig[]) => cs.reduce((n, c) => n + JSON.stringify(c.args).length, 0);
  return count(kept) - count(omitted);
}

describe('model.ts leaves out tfjs defaults', () => {
  const fixtureDir = 'test/fixtures/layers';
  for (const file of readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).sort()) {
    const { cases } = JSON.parse(readFileSync(`${fixtureDir}/${file}`, 'utf8')) as { cases: { layer: string; input?: number[]; inputs?: [string, number[]][]; dtype?: string }[] };
    it(`${file.replace(/\.json$/, '')}: the same tfjs layer with and without them`, () => {
      for (const c of cases) {
        const inputs = c.inputs ?? [['x', c.input!]];
        const lines = inputs.map(([name, shape]) => `  input ${name}: [${shape.join(', ')}]${c.dtype ? ` as ${c.dtype}` : ''}`);
        const text = `model M {\n${lines.join('\n')}\n  ${c.layer}\n}\n`;
        sameModel(c.layer, check('layer.nn', text, { readFile: () => { throw new Error('no imports'); } }));
      }
    });
  }

  const specs = ['specs', 'specs/published'].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.nn')).map((f) => `${d}/${f}`));
  // tfjs' orthogonal initializer runs a QR decomposition op by op: a 256-unit LSTM's recurrent kernel takes over ten
  // minutes on the cpu backend, so specs with such layers (lstm_seq2seq) are left to the layer fixtures' small LSTMs
  const large = (file: string) => /(lstm|gru|simple_rnn)\((2[0-9]{2}|[3-9][0-9]{2}|[0-9]{4,})\b/.test(readFileSync(file, 'utf8'));
  for (const file of specs.filter((f) => !large(f))) {
    it(`${file}: the same model (getConfig() and initial weights) as with every argument written`, () => {
      const r = check(file, readFileSync(file, 'utf8'), host);
      sameModel(file, r);
    });
  }

  it('leaves something out of the example models, and lists only factories nnc emits', () => {
    const saved = sameModel('specs/fashion_cnn.nn', check('specs/fashion_cnn.nn', readFileSync('specs/fashion_cnn.nn', 'utf8'), host));
    expect(saved).toBeGreaterThan(100);
    const emitted = readdirSync('src/layers/types').concat(readdirSync('src/layers/families'))
      .map((f) => readFileSync(`src/layers/${readdirSync('src/layers/types').includes(f) ? 'types' : 'families'}/${f}`, 'utf8')).join('\n');
    for (const factory of Object.keys(TFJS_DEFAULTS)) {
      // families pass the factory name as a string argument: pool2d('max_pool2d', 'maxPooling2d')
      expect(emitted, factory).toMatch(new RegExp(`['"]${factory}['"]`));
    }
  });
});
