// The native whole-step path against tfjs's own train function, layer type by layer type: per-batch gradients
// (one sgd step with learning rate 1 gives w0 - w1 = the gradient), weights and adam slots after several steps,
// per-step loss and accuracy, and predictions of the trained model (the wasm backend caches packed weights by tensor
// id, which in-place updates must invalidate). Tolerances: gradients 2e-5 + 1e-3 relative; weights after 10 adam
// steps 5e-5 absolute (float32 sums in another order: OpenBLAS vs XNNPACK).
// Dropout: the two paths draw their masks from different generators (native/README.md); with the masks given
// (fixedMasks), the native step must match tfjs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon, nativeTrainFunction, type TrainFunction } from '../../src/codegen/runtime/native.js';
import { randomValues, sizeOf, useWasmWithTrainingKernels } from '../runtime-backend/helpers.js';

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
const biasInit = (seed: number) => tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed });

interface Case { name: string; input: number[]; layers: () => tf.layers.Layer[]; loss?: 'sparse_categorical_crossentropy' | 'categorical_crossentropy' }

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

const BATCH = 6;

function build(c: Case): tf.Sequential {
  return tf.sequential({ layers: c.layers() });
}

function batchOf(c: Case, step: number, classes: number): [tf.Tensor, tf.Tensor] {
  const x = tf.tensor(randomValues(BATCH * sizeOf(c.input), 100 + step), [BATCH, ...c.input]);
  const labels = Array.from({ length: BATCH }, (_, i) => (i * 7 + step * 3) % classes);
  const y = c.loss === 'categorical_crossentropy'
    ? tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat()
    : tf.tensor2d(labels, [BATCH, 1]);
  return [x, y];
}

/** tfjs's dropout multipliers for each dropout layer of `model` at batch size BATCH (the same on every step). */
function tfjsMasks(model: tf.Sequential): (() => tf.Tensor) | undefined {
  const dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout');
  if (dropouts.length === 0) return undefined;
  return () => tf.tidy(() => tf.concat(dropouts.map((l) => {
    const shape = [BATCH, ...(l.outputShape as number[]).slice(1)];
    return (l.apply(tf.ones(shape), { training: true }) as tf.Tensor).flatten();
  })));
}

interface Run { losses: number[]; accuracies: number[]; weights: Float32Array[]; slots: Float32Array[]; iterations: number; predictions: Float32Array; model: tf.Sequential }

async function train(c: Case, path: 'tfjs' | 'native', optimizer: 'adam' | 'sgd', steps: number): Promise<Run> {
  const model = build(c);
  const opt = optimizer === 'adam' ? tf.train.adam(0.01) : tf.train.sgd(1);
  const loss = c.loss ?? 'sparse_categorical_crossentropy';
  model.compile({ optimizer: opt, loss: loss === 'categorical_crossentropy' ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const engine = (model as unknown as { model: { makeTrainFunction(): TrainFunction; metricsNames: string[] } }).model;
  let fn: TrainFunction = engine.makeTrainFunction();
  if (path === 'native') {
    const native = nativeTrainFunction(model, { loss }, opt, engine.metricsNames, { masks: tfjsMasks(model) });
    if ('reason' in native) throw new Error(native.reason);
    fn = native.train;
  }
  const classes = (model.outputs[0].shape[1] as number);
  const losses: number[] = [];
  const accuracies: number[] = [];
  // A prediction before training: the wasm backend may cache operators holding the initial weights.
  const [x0] = batchOf(c, 99, classes);
  tf.tidy(() => (model.predict(x0) as tf.Tensor).dataSync());
  x0.dispose();
  for (let s = 0; s < steps; s++) {
    const [x, y] = batchOf(c, s, classes);
    const outs = fn([x, y]);
    losses.push(outs[0].dataSync()[0]);
    accuracies.push(outs[1].dataSync()[0]);
    tf.dispose([x, y, ...outs]);
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const optWeights = await opt.getWeights();
  const slots = optWeights.slice(1).map((w) => w.tensor.dataSync() as Float32Array);
  const iterations = optWeights[0].tensor.dataSync()[0];
  tf.dispose(optWeights[0].tensor);
  const [x] = batchOf(c, 99, classes);
  const predictions = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
  x.dispose();
  return { losses, accuracies, weights, slots, iterations, predictions, model };
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  expect(a.map((t) => t.length)).toEqual(b.map((t) => t.length));
  let max = 0;
  a.forEach((t, i) => t.forEach((v, j) => { max = Math.max(max, Math.abs(v - b[i][j])); }));
  return max;
}

describe('native whole-step path', () => {
  beforeAll(async () => {
    const { addon, reason } = loadNativeAddon();
    if (!addon) {
      throw new Error(`nnc-native is not available (${reason}); build it with \`node native/build.mjs\` (needs g++, make, python3 and libopenblas-dev)`);
    }
    await useWasmWithTrainingKernels();
  });

  for (const c of CASES) {
    describe(c.name, () => {
      it('per-batch gradients equal tfjs (one sgd step, learning rate 1)', async () => {
        const initial = build(c).getWeights().map((w) => w.dataSync() as Float32Array);
        const tfjs = await train(c, 'tfjs', 'sgd', 1);
        const native = await train(c, 'native', 'sgd', 1);
        const grads = (r: Run) => r.weights.map((w, i) => w.map((v, j) => initial[i][j] - v));
        const [g0, g1] = [grads(tfjs), grads(native)];
        // Gradients that are all zero would make the comparison empty.
        expect(g0.some((g) => g.some((v) => Math.abs(v) > 1e-4))).toBe(true);
        g0.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - g1[i][j])).toBeLessThanOrEqual(2e-5 + 1e-3 * Math.abs(v))));
        expect(native.losses[0]).toBeCloseTo(tfjs.losses[0], 5);
      });

      it('weights, adam slots, loss and accuracy after 10 steps equal tfjs; predict sees the new weights', async () => {
        const tfjs = await train(c, 'tfjs', 'adam', 10);
        const native = await train(c, 'native', 'adam', 10);
        expect(maxAbsDiff(native.weights, tfjs.weights)).toBeLessThan(5e-5);
        expect(maxAbsDiff(native.slots, tfjs.slots)).toBeLessThan(5e-5);
        expect(native.iterations).toBe(10);
        native.losses.forEach((l, i) => expect(l).toBeCloseTo(tfjs.losses[i], 4));
        expect(native.accuracies).toEqual(tfjs.accuracies);
        // Training moved the weights, and the trained model's predictions follow them.
        const initial = build(c).getWeights().map((w) => w.dataSync() as Float32Array);
        expect(maxAbsDiff(native.weights, initial)).toBeGreaterThan(1e-3);
        expect(maxAbsDiff([native.predictions], [tfjs.predictions])).toBeLessThan(1e-4);
      });
    });
  }

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
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' })], tf.train.adam())).toMatch(/last layer/);
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })], tf.train.adam(), undefined, ['loss', 'mse'])).toMatch(/metric mse/);
    expect(check([tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })], tf.train.adam())).toBe('supported');
  });
});
