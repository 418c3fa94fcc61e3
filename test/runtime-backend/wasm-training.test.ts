// A small CNN trains on wasm with the training kernels, and its gradients equal the cpu backend's.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { randomValues, relativeError, useWasmWithTrainingKernels } from './helpers.js';

const BATCH = 8;
const INPUT: [number, number, number] = [10, 9, 1];
const CLASSES = 3;

function buildModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: INPUT, filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  // Same weights on every backend.
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(randomValues(w.size, 100 + i), w.shape).mul(0.3)));
  return model;
}

function batch(): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.tensor4d(randomValues(BATCH * INPUT[0] * INPUT[1] * INPUT[2], 7), [BATCH, ...INPUT]);
  const labels = Array.from({ length: BATCH }, (_, i) => (i * 7) % CLASSES);
  return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES) };
}

/** Loss gradients for each trainable weight, in model order. */
async function gradientsOn(backend: 'cpu' | 'wasm'): Promise<Float32Array[]> {
  if (backend === 'wasm') await useWasmWithTrainingKernels();
  else await tf.setBackend('cpu');
  const model = buildModel();
  const { x, y } = batch();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor).asScalar(), vars);
  const values = vars.map((v) => grads[v.name].dataSync() as Float32Array);
  tf.dispose([value, x, y, ...Object.values(grads)]);
  model.dispose();
  return values;
}

describe('conv2d model training on wasm', () => {
  it('computes the same gradients as cpu', async () => {
    const expected = await gradientsOn('cpu');
    const got = await gradientsOn('wasm');
    expect(got.length).toBe(4);
    for (let i = 0; i < expected.length; i++) expect(relativeError(got[i], expected[i]), `weight ${i}`).toBeLessThan(1e-4);
  });

  it('reduces the loss over a few steps without leaking tensors', async () => {
    await useWasmWithTrainingKernels();
    expect(tf.getBackend()).toBe('wasm');
    const model = buildModel();
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    const { x, y } = batch();
    await model.trainOnBatch(x, y); // creates the optimizer's slots
    const tensorsBefore = tf.memory().numTensors;
    const losses: number[] = [];
    for (let step = 0; step < 12; step++) losses.push(await model.trainOnBatch(x, y) as number);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
    tf.dispose([x, y]);
    model.dispose();
  });
});
