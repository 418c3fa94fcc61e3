// Shared by the native step's parity tests (chains and graphs): trains one model on the tfjs train function and
// on the native step with the same batches, and compares per-batch gradients (one sgd step with learning rate 1
// gives w0 - w1 = the gradient), weights, batch_norm's moving statistics and adam slots after several steps,
// per-step loss and accuracy, and predictions of the trained model (the wasm backend caches packed weights by
// tensor id, which in-place updates must invalidate; batch_norm predicts with its moving statistics).
// Tolerances: gradients 2e-5 + 1e-3 relative; weights after 10 adam steps 5e-5 absolute (float32 sums in another
// order: OpenBLAS vs XNNPACK).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon, nativeTrainFunction, type TrainFunction } from '../../src/codegen/runtime/native.js';
import { randomValues, sizeOf, useWasmWithTrainingKernels } from '../runtime-backend/helpers.js';

export const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
export const biasInit = (seed: number) => tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed });

/** A chain (`layers`, built as tf.sequential) or a graph (`model`, built with the functional API). */
export interface Case {
  name: string; input: number[];
  layers?: () => tf.layers.Layer[];
  model?: () => tf.LayersModel;
  loss?: 'sparse_categorical_crossentropy' | 'categorical_crossentropy';
}

const BATCH = 6;

export function build(c: Case): tf.LayersModel {
  return c.model ? c.model() : tf.sequential({ layers: c.layers!() });
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
function tfjsMasks(model: tf.LayersModel): (() => tf.Tensor) | undefined {
  const dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout');
  if (dropouts.length === 0) return undefined;
  return () => tf.tidy(() => tf.concat(dropouts.map((l) => {
    const shape = [BATCH, ...(l.outputShape as number[]).slice(1)];
    return (l.apply(tf.ones(shape), { training: true }) as tf.Tensor).flatten();
  })));
}

interface Run { losses: number[]; accuracies: number[]; weights: Float32Array[]; slots: Float32Array[]; iterations: number; predictions: Float32Array }

async function train(c: Case, path: 'tfjs' | 'native', optimizer: 'adam' | 'sgd', steps: number): Promise<Run> {
  const model = build(c);
  const opt = optimizer === 'adam' ? tf.train.adam(0.01) : tf.train.sgd(1);
  const loss = c.loss ?? 'sparse_categorical_crossentropy';
  model.compile({ optimizer: opt, loss: loss === 'categorical_crossentropy' ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const engine = model as unknown as { makeTrainFunction(): TrainFunction; metricsNames: string[] };
  const owner = (model as unknown as { model?: typeof engine }).model ?? engine;
  let fn: TrainFunction = owner.makeTrainFunction();
  if (path === 'native') {
    const native = nativeTrainFunction(model, { loss }, opt, owner.metricsNames, { masks: tfjsMasks(model) });
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
  // getWeights includes the non-trainable ones: batch_norm's moving mean and variance.
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const optWeights = await opt.getWeights();
  const slots = optWeights.slice(1).map((w) => w.tensor.dataSync() as Float32Array);
  const iterations = optWeights[0].tensor.dataSync()[0];
  tf.dispose(optWeights[0].tensor);
  const [x] = batchOf(c, 99, classes);
  const predictions = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
  x.dispose();
  return { losses, accuracies, weights, slots, iterations, predictions };
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  expect(a.map((t) => t.length)).toEqual(b.map((t) => t.length));
  let max = 0;
  a.forEach((t, i) => t.forEach((v, j) => { max = Math.max(max, Math.abs(v - b[i][j])); }));
  return max;
}

/** The two parity tests for each case (inside a describe whose beforeAll selects the wasm backend). */
/** The native addon must load (these suites fail rather than skip without it), on wasm with nnc's training kernels. */
export async function requireNativeOnWasm(): Promise<void> {
  const { addon, reason } = loadNativeAddon();
  if (!addon) {
    throw new Error(`nnc-native is not available (${reason}); build it with \`node native/build.mjs\` (needs g++, make, python3 and libopenblas-dev)`);
  }
  await useWasmWithTrainingKernels();
}

export function paritySuite(cases: Case[]): void {
  for (const c of cases) {
    describe(c.name, () => {
      it('per-batch gradients (and moving statistics) equal tfjs (one sgd step, learning rate 1)', async () => {
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

      it('weights, moving statistics, adam slots, loss and accuracy after 10 steps equal tfjs; predict sees the new weights', async () => {
        const tfjs = await train(c, 'tfjs', 'adam', 10);
        const native = await train(c, 'native', 'adam', 10);
        expect(maxAbsDiff(native.weights, tfjs.weights)).toBeLessThan(5e-5);
        expect(maxAbsDiff(native.slots, tfjs.slots)).toBeLessThan(5e-5);
        expect(native.iterations).toBe(10);
        native.losses.forEach((l, i) => expect(l).toBeCloseTo(tfjs.losses[i], 4));
        expect(native.accuracies).toEqual(tfjs.accuracies);
        // Training moved every weight tensor, and the trained model's predictions follow them.
        const initial = build(c).getWeights().map((w) => w.dataSync() as Float32Array);
        native.weights.forEach((w, i) => expect(maxAbsDiff([w], [initial[i]]), `weight ${i}`).toBeGreaterThan(1e-4));
        expect(maxAbsDiff([native.predictions], [tfjs.predictions])).toBeLessThan(1e-4);
      });
    });
  }
}
