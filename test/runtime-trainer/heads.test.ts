// One path for every output count (heads.ts): a one-output model is the case of one head, so writing its loss,
// metrics and loss weight per output trains it exactly as writing them plainly does; with several outputs the
// logged loss and val_loss are the weighted sums of the outputs' unweighted losses.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainSpec } from '../../src/codegen/runtime/spec-types.js';
import { train, type TrainSplit } from '../../src/codegen/runtime/trainer.js';
import { buildMlp, makeBlobs, makeSpec, tempDir, useCpu } from './helpers.js';

let trainSplit: TrainSplit;
let valSplit: TrainSplit;
beforeAll(async () => {
  await useCpu();
  trainSplit = makeBlobs(120, 8, 3, 1, 3.0);
  valSplit = makeBlobs(45, 8, 3, 2, 3.0);
});

const oneOutput = (spec: TrainSpec) => train({
  training: spec, model: buildMlp(1), numClasses: 3, train: trainSplit, validation: valSplit, outDir: tempDir(), resume: false, quiet: true,
});

/** One input, two dense heads: `kind` (3 classes, softmax) and `size` (1 unit, linear). */
function twoHeads(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const input = tf.input({ shape: [8], name: 'x' });
  const hidden = tf.layers.dense({ units: 12, activation: 'relu', kernelInitializer: init(seed), name: 'hidden' }).apply(input) as tf.SymbolicTensor;
  const kind = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(seed + 1), name: 'kind' }).apply(hidden) as tf.SymbolicTensor;
  const size = tf.layers.dense({ units: 1, kernelInitializer: init(seed + 2), name: 'size' }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [kind, size] });
}

describe('heads: one path for one output and several', () => {
  it('trains a one-output model the same, key for key and bit for bit, whether loss, metrics and loss weight are written per output or not', async () => {
    const plain = await oneOutput(makeSpec({ epochs: 3, metrics: ['accuracy', 'f1'] }));
    const perOutput = await oneOutput(makeSpec({
      epochs: 3, loss: { dense_2: 'sparse_categorical_crossentropy' }, metrics: { dense_2: ['accuracy', 'f1'] }, loss_weights: { dense_2: 1 },
    }));
    expect(Object.keys(plain.history)).toEqual(['loss', 'acc', 'val_loss', 'val_acc', 'val_f1', 'lr']);
    expect(JSON.stringify(perOutput.history)).toBe(JSON.stringify(plain.history));
  });

  it('with two outputs logs each output\'s unweighted loss, and loss and val_loss as their weighted sums', async () => {
    const sizeOf = (split: TrainSplit) => tf.tidy(() => tf.reshape(tf.cast(split.y, 'float32'), [-1, 1]).mul(0.5));
    const split = (s: TrainSplit) => ({ x: s.x, y: [s.y, sizeOf(s)], size: s.size });
    const result = await train({
      training: makeSpec({
        epochs: 3, loss: { kind: 'sparse_categorical_crossentropy', size: 'mean_squared_error' }, loss_weights: { size: 0.25 },
        metrics: { kind: ['accuracy'], size: ['mae'] },
      }),
      model: twoHeads(3), numClasses: null, train: split(trainSplit), validation: split(valSplit), outDir: tempDir(), resume: false, quiet: true,
    });
    const h = result.history;
    expect(Object.keys(h)).toEqual(['loss', 'kind_loss', 'size_loss', 'kind_acc', 'size_mae', 'val_loss', 'val_kind_loss', 'val_kind_acc', 'val_size_loss', 'val_size_mae', 'lr']);
    for (let e = 0; e < 3; e++) {
      expect(h.val_loss[e]).toBeCloseTo(h.val_kind_loss[e] + 0.25 * h.val_size_loss[e], 5);
      expect(h.loss[e]).toBeCloseTo(h.kind_loss[e] + 0.25 * h.size_loss[e], 4);
    }
    expect(h.loss[2]).toBeLessThan(h.loss[0]);
  });
});
