// nnc-native's own threads (native/src/parallel.h) split the step's loops over samples, elements or columns and run
// a layer's weight gradient beside its input gradient; every output is computed as on one thread, so the weights,
// adam slots and per-step losses after several steps must be bit-identical for 1, 2 and 3 threads. The model is
// large enough that every split runs (conv rows, im2col, pooling, dropout, dense, adam over tens of thousands).
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon, nativeTrainFunction } from '../../src/codegen/runtime/native.js';
import { randomValues, useWasmWithTrainingKernels } from '../runtime-backend/helpers.js';

const BATCH = 16;
const STEPS = 4;
const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });

function build(): tf.Sequential {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [20, 20, 3], filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: glorot(1) }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'tanh', kernelInitializer: glorot(2) }),
    tf.layers.flatten(),
    tf.layers.dropout({ rate: 0.3, seed: 5 }),
    tf.layers.dense({ units: 64, activation: 'sigmoid', kernelInitializer: glorot(3) }),
    tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: glorot(4) }),
  ] });
}

const digest = (arrays: Float32Array[]) => {
  const hash = createHash('sha256');
  for (const a of arrays) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return hash.digest('hex');
};

async function trainWith(threads: number): Promise<{ weights: string; slots: string; losses: number[] }> {
  loadNativeAddon().addon!.setThreads!(threads);
  expect(loadNativeAddon().addon!.info().threads).toBe(threads);
  const model = build();
  const optimizer = tf.train.adam(0.01);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const names = (model as unknown as { model: { metricsNames: string[] } }).model.metricsNames;
  const native = nativeTrainFunction(model, { loss: 'sparse_categorical_crossentropy' }, optimizer, names, { seed: 9 });
  if ('reason' in native) throw new Error(native.reason);
  const losses: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    const x = tf.tensor(randomValues(BATCH * 20 * 20 * 3, 50 + s), [BATCH, 20, 20, 3]);
    const y = tf.tensor2d(Array.from({ length: BATCH }, (_, i) => (i * 3 + s) % 5), [BATCH, 1]);
    const outs = native.train([x, y], 1000 + s);
    losses.push(outs[0].dataSync()[0]);
    tf.dispose([x, y, ...outs]);
  }
  const weights = digest(model.getWeights().map((w) => w.dataSync() as Float32Array));
  const optWeights = await optimizer.getWeights();
  const slots = digest(optWeights.slice(1).map((w) => w.tensor.dataSync() as Float32Array));
  tf.dispose(optWeights.map((w) => w.tensor));
  model.dispose();
  return { weights, slots, losses };
}

const addon = loadNativeAddon().addon;
let before = 1;

describe.skipIf(!addon?.setThreads)('native step threads', () => {
  beforeAll(async () => {
    await useWasmWithTrainingKernels();
    before = addon!.info().threads ?? 1;
  });
  afterAll(() => addon!.setThreads!(before));

  it('gives bit-identical weights, adam slots and losses on 1, 2 and 3 threads', async () => {
    const one = await trainWith(1);
    // The model trains: the loss moves (a step that did nothing would also be "identical").
    expect(new Set(one.losses).size).toBeGreaterThan(1);
    for (const threads of [2, 3]) {
      const many = await trainWith(threads);
      expect(many.losses, `${threads} threads`).toEqual(one.losses);
      expect(many.weights, `${threads} threads`).toBe(one.weights);
      expect(many.slots, `${threads} threads`).toBe(one.slots);
    }
  });
});
