// The native whole-step path against tfjs's own train function on chains, layer type by layer type (what is
// compared, and the tolerances: parity-helpers.ts; graphs: graph-parity.test.ts).
// Dropout: the two paths draw their masks from different generators (native/README.md); with the masks given
// (fixedMasks), the native step must match tfjs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeTrainFunction } from '../../src/codegen/runtime/native.js';
import { biasInit, glorot, paritySuite, requireNativeOnWasm, type Case } from './parity-helpers.js';

const CASES: Case[] = [
  { name: 'dense relu / sigmoid / tanh / linear, softmax', input: [7], layers: () => [
    tf.layers.dense({ inputShape: [7], units: 9, activation: 'relu', kernelInitializer: glorot(1), biasInitializer: biasInit(11) }),
    tf.layers.dense({ units: 8, activation: 'sigmoid', kernelInitializer: glorot(2), biasInitializer: biasInit(12) }),
    tf.layers.dense({ units: 6, activation: 'tanh', kernelInitializer: glorot(3), useBias: false }),
    tf.layers.dense({ units: 5, activation: 'linear', kernelInitializer: glorot(4), biasInitializer: biasInit(14) }),
    tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: glorot(5), biasInitializer: biasInit(15) }),
  ] },
  { name: 'flatten, dense, categorical crossentropy', input: [3, 5], loss: 'categorical_crossentropy', layers: () => [
    tf.layers.flatten({ inputShape: [3, 5] }),
    tf.layers.dense({ units: 6, activation: 'sigmoid', kernelInitializer: glorot(1) }),
    tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: glorot(2) }),
  ] },
  { name: 'conv2d valid + max_pool2d valid', input: [9, 8, 2], layers: () => [
    tf.layers.conv2d({ inputShape: [9, 8, 2], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: glorot(1), biasInitializer: biasInit(11) }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: glorot(2) }),
  ] },
  { name: 'conv2d same, strides 2, rectangular kernel + max_pool2d same, strides 1', input: [7, 9, 3], layers: () => [
    tf.layers.conv2d({ inputShape: [7, 9, 3], filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: glorot(1), biasInitializer: biasInit(11) }),
    tf.layers.conv2d({ filters: 2, kernelSize: 2, padding: 'same', activation: 'linear', kernelInitializer: glorot(3), useBias: false }),
    tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(2) }),
  ] },
  { name: 'dropout (masks as tfjs draws them)', input: [10], layers: () => [
    tf.layers.dense({ inputShape: [10], units: 12, activation: 'relu', kernelInitializer: glorot(1) }),
    tf.layers.dropout({ rate: 0.4, seed: 77 }),
    tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: glorot(2) }),
  ] },
];

describe('native whole-step path', () => {
  beforeAll(requireNativeOnWasm);

  paritySuite(CASES);

  it('draws a fresh dropout mask per step, dropping about `rate` of the units, scaling the rest by 1 / (1 - rate)', () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [64], units: 256, activation: 'linear', kernelInitializer: tf.initializers.constant({ value: 0.01 }), biasInitializer: tf.initializers.ones() }),
      tf.layers.dropout({ rate: 0.25, seed: 1 }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: glorot(2) }),
    ] });
    const opt = tf.train.sgd(0.1);
    model.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy' });
    const engine = (model as unknown as { model: { metricsNames: string[] } }).model;
    const native = nativeTrainFunction(model, { loss: 'sparse_categorical_crossentropy' }, opt, engine.metricsNames, { seed: 3 });
    if ('reason' in native) throw new Error(native.reason);
    // The gradient of the first (linear) layer's bias is zero exactly where a unit was dropped.
    const kept: boolean[][] = [];
    const losses: number[] = [];
    const w2 = model.layers[2].getWeights()[0].dataSync().slice();
    for (let s = 0; s < 3; s++) {
      const bias = model.layers[0].getWeights()[1].dataSync().slice();
      const [x, y] = [tf.ones([1, 64]), tf.tensor2d([[s % 2]])];
      const outs = native.train([x, y]);
      losses.push(outs[0].dataSync()[0]);
      const after = model.layers[0].getWeights()[1].dataSync();
      kept.push(Array.from(bias, (b, i) => b !== after[i]));
      tf.dispose([x, y, ...outs]);
    }
    // Step 1's loss from the mask seen: kept units carry 1.64 / (1 - 0.25), dropped ones 0; label 0.
    const logits = [0, 1].map((k) => kept[0].reduce((sum, on, i) => sum + (on ? (1.64 / 0.75) * w2[i * 2 + k] : 0), 0));
    const expected = -Math.log(Math.exp(logits[0]) / (Math.exp(logits[0]) + Math.exp(logits[1])));
    expect(losses[0]).toBeCloseTo(expected, 4);
    for (const k of kept) {
      const dropped = k.filter((v) => !v).length / k.length;
      expect(dropped).toBeGreaterThan(0.15);
      expect(dropped).toBeLessThan(0.35);
    }
    expect(kept[0]).not.toEqual(kept[1]);
    expect(kept[1]).not.toEqual(kept[2]);
  });

  it('says why a model is not supported', () => {
    const check = (layers: tf.layers.Layer[], opt: tf.Optimizer, loss = 'sparse_categorical_crossentropy', metrics = ['loss']) => {
      const model = tf.sequential({ layers });
      model.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy' });
      const r = nativeTrainFunction(model, { loss }, opt, metrics);
      return 'reason' in r ? r.reason : 'supported';
    };
    const softmax = () => tf.layers.dense({ units: 3, activation: 'softmax' });
    expect(check([tf.layers.lstm({ inputShape: [4, 2], units: 3 }), softmax()], tf.train.adam())).toMatch(/not supported: layer .*LSTM/);
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, kernelRegularizer: tf.regularizers.l2() }), softmax()], tf.train.adam())).toMatch(/kernelRegularizer/);
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })], tf.train.rmsprop(0.1))).toMatch(/optimizer RMSProp/);
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })], tf.train.adam(), 'mean_squared_error')).toMatch(/loss mean_squared_error/);
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' })], tf.train.adam())).toMatch(/output layer is not a softmax dense layer/);
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })], tf.train.adam(), undefined, ['loss', 'mse'])).toMatch(/metric mse/);
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })], tf.train.adam())).toBe('supported');
  });
});
