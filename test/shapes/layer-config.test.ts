// layerConfig: seeds make initial weights reproducible; the rendered TypeScript builds the same layers.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, instantiateLayer, layerConfig, renderConfigValue, type LayerConfig } from '../../src/codegen/layer-config.js';
import { renderLayerSource } from '../../src/codegen/emit.js';
import { inferModel } from '../../src/shapes/infer.js';
import { SpanIndex } from '../../src/spec/spans.js';
import type { ModelSpec } from '../../src/spec/types.js';
import { L, model, spec } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function configs(m: ModelSpec, seed: number): LayerConfig[] {
  const { info } = inferModel(spec([m]), 0, new SpanIndex());
  return m.layers.map((l, i) => layerConfig(l, i, i === 0 ? m.input : null, seed, info.layers[i].outputShape));
}

function weightsOf(layers: tf.layers.Layer[], inputShape: number[]): number[][] {
  const seq = tf.sequential({ layers });
  const out = seq.getWeights().map((w) => Array.from(w.dataSync()));
  expect(seq.inputs[0].shape).toEqual([null, ...inputShape]);
  seq.dispose();
  return out;
}

const net = () => model('net', [6, 3], [
  L.conv1d(4, 3, { activation: 'relu', kernel_regularizer: { type: 'l1_l2', l1: 0.01, l2: 0.02 } }),
  L.rnn('lstm', 5, { return_sequences: true }), L.rnn('gru', 3, { return_sequences: true }), L.rnn('simple_rnn', 2),
  L.dense(4, 'hard_sigmoid', { kernel_initializer: { type: 'he_normal' }, bias_initializer: { type: 'random_normal', mean: 0, stddev: 1 } }),
  L.dense(4, 'gelu', { kernel_initializer: { type: 'lecun_uniform' }, bias_regularizer: { type: 'l2', l2: 0.1 } }),
  L.dropout(0.3), L.reshape([-1, 2]), L.layerNorm(), L.flatten(), L.batchNorm(),
]);

describe('seeds', () => {
  it('the same seed gives the same initial weights, another seed different ones', () => {
    const m = net();
    const a = weightsOf(configs(m, 1).map((c) => instantiateLayer(c, tf)), m.input.shape);
    const b = weightsOf(configs(m, 1).map((c) => instantiateLayer(c, tf)), m.input.shape);
    const c = weightsOf(configs(m, 2).map((c) => instantiateLayer(c, tf)), m.input.shape);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
  });

  it('two identical layers get different weights', () => {
    const m = model('twins', [8], [L.dense(8), L.dense(8)]);
    const [k1, , k2] = weightsOf(configs(m, 3).map((c) => instantiateLayer(c, tf)), [8]);
    expect(k1).not.toEqual(k2);
  });

  it('every random initializer and dropout carries a seed', () => {
    const text = configs(net(), 9).map(renderLayerSource).join('\n');
    for (const f of ['glorotUniform', 'heNormal', 'leCunUniform', 'randomNormal', 'orthogonal']) {
      expect(text).toMatch(new RegExp(`tf\\.initializers\\.${f}\\(\\{[^)]*seed: (\\d+|deriveSeed\\(seed, \\d+, "\\w+"\\))`));
    }
    expect(text).toMatch(/tf\.layers\.dropout\(\{[^)]*seed: deriveSeed\(seed, \d+, "dropout"\)/);
  });

  it('deriveSeed spreads over slots and stays a 31-bit integer', () => {
    const seeds = new Set(['kernel', 'bias', 'recurrent'].flatMap((slot) => [0, 1, 2].map((i) => deriveSeed(42, i, slot))));
    expect(seeds.size).toBe(9);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
  });

  it("the textbook's uniform [-e, e] initializer stays in range", () => {
    const e = 0.05;
    const m = model('u', [30], [L.dense(40, 'linear', { kernel_initializer: { type: 'random_uniform', minval: -e, maxval: e } })]);
    const [kernel] = weightsOf(configs(m, 5).map((c) => instantiateLayer(c, tf)), [30]);
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(e);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(e / 2);
  });
});

describe('rendering', () => {
  it('renders values as TypeScript source', () => {
    expect(renderConfigValue({
      name: 'dense "1"', units: 3, useBias: false, shape: [28, -1], nothing: null, 'odd-key': 1,
      init: { $call: 'tf.initializers.zeros', args: {} }, reg: { $call: 'tf.regularizers.l2', args: { l2: 0.5 } },
    })).toBe('{ name: "dense \\"1\\"", units: 3, useBias: false, shape: [28, -1], nothing: null, "odd-key": 1, '
      + 'init: tf.initializers.zeros(), reg: tf.regularizers.l2({ l2: 0.5 }) }');
  });

  it('the source the layer partial renders builds the same layers with the same weights', () => {
    const m = net();
    const cfgs = configs(m, 11);
    // The source model.ts holds: `model.add(tf.layers.x({ ... }));` per layer.
    const fromSource = (seed: number) => cfgs.map((c) => {
      let added: tf.layers.Layer | null = null;
      new Function('tf', 'model', 'seed', 'deriveSeed', renderLayerSource(c))(tf, { add: (l: tf.layers.Layer) => { added = l; } }, seed, deriveSeed);
      return added! as tf.layers.Layer;
    });
    const direct = cfgs.map((c) => instantiateLayer(c, tf));
    const same = fromSource(11);
    expect(same.map((l) => l.getClassName())).toEqual(direct.map((l) => l.getClassName()));
    expect(same.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    const directWeights = weightsOf(direct, m.input.shape);
    expect(weightsOf(same, m.input.shape)).toEqual(directWeights);
    // The source derives its seeds from the `seed` in scope (a trainer's --seed): another seed, other weights.
    expect(weightsOf(fromSource(12), m.input.shape)[0]).not.toEqual(directWeights[0]);
  });

  it('the first layer carries the input shape and a float32 dtype, never int32 (it would make its weights int32)', () => {
    const cfg = layerConfig(L.embedding(10, 4), 0, { name: 'tokens', shape: [7], dtype: 'int32' }, 1);
    expect(cfg.args.inputShape).toEqual([7]);
    expect(cfg.args.dtype).toBeUndefined();
    const input = { name: 'x', shape: [3], dtype: 'float32' as const };
    expect(layerConfig(L.dense(2), 0, input, 1, undefined, 'keep').args.dtype).toBe('float32');
    // float32 is tfjs's default, which model.ts leaves out
    expect(layerConfig(L.dense(2), 0, input, 1).args.dtype).toBeUndefined();
    expect(layerConfig(L.dense(2), 1, null, 1).args.inputShape).toBeUndefined();
  });

  it('use_bias false emits no bias initializer', () => {
    const cfg = layerConfig(L.dense(2, 'linear', { use_bias: false }), 0, null, 1);
    expect(cfg.args.useBias).toBe(false);
    expect(cfg.args.biasInitializer).toBeUndefined();
  });
});
