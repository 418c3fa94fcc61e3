// The decisive check: nnc's static shapes and parameter counts equal what tfjs itself builds from layerConfig.
import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { inferModel, type ModelShapeInfo } from '../../src/shapes/infer.js';
import * as nncLayers from '../../src/codegen/runtime/layers.js';
import { instantiateLayer, layerConfig } from '../../src/codegen/layer-config.js';
import type { ModelSpec } from '../../src/spec/types.js';
import { SpanIndex } from '../../src/spec/spans.js';
import { L, model, spec } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixtures: ModelSpec[] = [
  model('mlp', [28, 28], [L.flatten(), L.dense(500, 'sigmoid'), L.dense(200, 'sigmoid'), L.dense(10, 'softmax')]),
  model('dense_rank3', [4, 5, 6], [L.dense(7, 'relu'), L.dense(3, 'linear', { use_bias: false }), L.flatten(), L.dense(2)]),
  model('conv_paddings', [17, 41, 3], [
    L.conv2d(8, 3, { strides: 2, padding: 'same', activation: 'relu' }),
    L.conv2d(6, [3, 5], { strides: [1, 2], padding: 'valid' }),
    L.conv2d(4, 3, { dilation: 2, padding: 'valid', use_bias: false }),
    L.conv2d(4, 3, { dilation: [2, 1], padding: 'same' }),
    L.pool2d('max_pool2d', 2, { padding: 'same' }),
    L.pool2d('avg_pool2d', [2, 1], { strides: [1, 1], padding: 'valid' }),
    L.batchNorm(),
    L.global('global_avg_pool2d'),
    L.dense(3, 'softmax'),
  ]),
  model('conv_global_max', [9, 9, 2], [L.conv2d(5, 2, { padding: 'valid', strides: 3 }), L.global('global_max_pool2d'), L.layerNorm({ center: false })]),
  model('conv1d_stack', [50, 4], [
    L.conv1d(8, 5, { strides: 2, padding: 'same', activation: 'relu' }),
    L.conv1d(6, 3, { dilation: 3, padding: 'valid', use_bias: false }),
    L.pool1d('max_pool1d', 3, { padding: 'same' }),
    L.pool1d('avg_pool1d', 2, { strides: 1 }),
    L.global('global_max_pool1d'),
    L.dense(2, 'sigmoid'),
  ]),
  model('conv1d_avg', [11, 3], [L.conv1d(2, 4), L.global('global_avg_pool1d')]),
  model('reshape_net', [784], [L.reshape([28, 28, 1]), L.conv2d(4, 5), L.reshape([-1, 4]), L.dropout(0.25), L.activation('tanh'), L.flatten(), L.dense(5)]),
  model('norms', [6, 10], [L.batchNorm({ momentum: 0.9 }), L.batchNorm({ epsilon: 0.01 }), L.layerNorm(), L.layerNorm({ scale: false }), L.flatten(), L.batchNorm()]),
  model('embed_lstm', [12], [L.embedding(100, 16), L.rnn('lstm', 8, { return_sequences: true }), L.rnn('lstm', 5)], { dtype: 'int32' }),
  model('gru_stack', [7, 3], [L.rnn('gru', 6, { return_sequences: true }), L.rnn('gru', 4, { use_bias: false }), L.dense(1, 'sigmoid')]),
  model('simple_rnn', [9, 5], [L.rnn('simple_rnn', 7, { return_sequences: true }), L.rnn('simple_rnn', 3, { use_bias: false, return_sequences: true }), L.dense(2)]),
  model('embed_2d', [3, 4], [L.embedding(20, 6), L.dense(2)], { dtype: 'int32' }),
  model('lstm_nobias', [4, 2], [L.rnn('lstm', 3, { use_bias: false })]),
  // Keras "simple MNIST convnet"
  model('keras_mnist', [28, 28, 1], [
    L.conv2d(32, 3, { activation: 'relu' }), L.pool2d('max_pool2d', 2), L.conv2d(64, 3, { activation: 'relu' }), L.pool2d('max_pool2d', 2),
    L.flatten(), L.dropout(0.5), L.dense(10, 'softmax'),
  ]),
  // the textbook's Fruits-360 CNN (100x100 RGB, 131 classes)
  model('fruits', [100, 100, 3], [
    L.conv2d(32, 3, { activation: 'relu' }), L.pool2d('max_pool2d', 2), L.conv2d(64, 3, { activation: 'relu' }), L.pool2d('max_pool2d', 2),
    L.flatten(), L.dense(100, 'relu'), L.dense(200, 'relu'), L.dropout(0.5), L.dense(131, 'softmax'),
  ]),
];

function buildTfjs(m: ModelSpec, info: ModelShapeInfo): tf.Sequential {
  const seq = tf.sequential();
  m.layers.forEach((layer, i) => seq.add(instantiateLayer(layerConfig(layer, i, i === 0 ? m.input : null, 7, info.layers[i].outputShape), tf, nncLayers)));
  return seq;
}

const countOf = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);

describe('shape inference agrees with tfjs', () => {
  for (const m of fixtures) {
    it(m.name, () => {
      const s = spec([m]);
      const { info, diagnostics } = inferModel(s, 0, new SpanIndex());
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(info.complete).toBe(true);
      const seq = buildTfjs(m, info);
      try {
        expect(info.layers.map((l) => l.outputShape)).toEqual(seq.layers.map((l) => l.outputShape));
        seq.layers.forEach((layer, i) => {
          expect(info.layers[i].params, `${layer.name} params`).toBe(layer.countParams());
          expect(info.layers[i].trainableParams, `${layer.name} trainable`).toBe(countOf(layer.trainableWeights));
          expect(info.layers[i].nonTrainableParams, `${layer.name} non-trainable`).toBe(countOf(layer.nonTrainableWeights));
        });
        expect(info.totalParams).toBe(seq.countParams());
        // the real forward pass gives the inferred shape too
        const x = tf.zeros([2, ...m.input.shape], m.input.dtype);
        const y = seq.predict(x) as tf.Tensor;
        expect(y.shape).toEqual([2, ...(info.layers[info.layers.length - 1].outputShape.slice(1) as number[])]);
        tf.dispose([x, y]);
      } finally {
        seq.dispose();
      }
    });
  }
});

describe('known parameter totals', () => {
  const total = (m: ModelSpec) => inferModel(spec([m]), 0, new SpanIndex()).info.totalParams;
  const byName = (name: string) => fixtures.find((f) => f.name === name)!;

  it('textbook MLP has 494,710 parameters', () => expect(total(byName('mlp'))).toBe(494_710));
  it('Keras simple MNIST convnet has 34,826 parameters', () => expect(total(byName('keras_mnist'))).toBe(34_826));
  it('textbook Fruits-360 CNN has 3,451,623 parameters', () => expect(total(byName('fruits'))).toBe(3_451_623));
  it('VGG16 has 138,357,544 parameters', () => {
    const block = (filters: number, convs: number) => [
      ...Array.from({ length: convs }, () => L.conv2d(filters, 3, { padding: 'same', activation: 'relu' })), L.pool2d('max_pool2d', 2),
    ];
    const vgg = model('vgg16', [224, 224, 3], [
      ...block(64, 2), ...block(128, 2), ...block(256, 3), ...block(512, 3), ...block(512, 3),
      L.flatten(), L.dense(4096, 'relu'), L.dense(4096, 'relu'), L.dense(1000, 'softmax'),
    ]);
    const { info } = inferModel(spec([vgg]), 0, new SpanIndex());
    expect(info.layers.find((l) => l.type === 'flatten')!.outputShape).toEqual([null, 7 * 7 * 512]);
    expect(info.totalParams).toBe(138_357_544);
  });
});
