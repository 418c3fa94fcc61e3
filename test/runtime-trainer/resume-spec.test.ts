// --resume only continues what was checkpointed: the checkpoint records the spec it was trained from, a
// checkpoint of an edited spec is refused with the differences named, and the current spec's epochs count.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/codegen/runtime/checkpoint.js';
import type { TrainSpec } from '../../src/codegen/runtime/spec-types.js';
import { train, trainOutputPaths, type TrainSplit } from '../../src/codegen/runtime/trainer.js';
import { makeBlobs, makeSpec, tempDir, useCpu } from './helpers.js';

let data: TrainSplit;
beforeAll(async () => {
  await useCpu();
  data = makeBlobs(96, 8, 3, 1);
});

const DATASET = { name: 'blobs', source: 'csv', train: 'blobs.csv', label: 'y', features: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] };

function mlp(activation: 'relu' | 'tanh' = 'relu'): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [8], units: 8, activation, name: 'dense_1' }),
    tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense_2' }),
  ] });
}

function run(outDir: string, opts: { spec?: TrainSpec; model?: tf.LayersModel; dataset?: object; resume?: boolean }) {
  return train({
    training: opts.spec ?? makeSpec({ epochs: 2 }), model: opts.model ?? mlp(), numClasses: 3, train: data, validation: null,
    outDir, resume: opts.resume ?? false, quiet: true, dataset: opts.dataset ?? DATASET,
  });
}

describe('resume checks the spec', () => {
  it('records the spec in the checkpoint and resumes an unchanged spec to its current epoch count', async () => {
    const outDir = tempDir();
    await run(outDir, {});
    const checkpoint = await readCheckpoint(trainOutputPaths(outDir).checkpoint);
    expect(checkpoint!.spec!.fields['model.dense_1.activation']).toBe('"relu"');
    expect(checkpoint!.spec!.fields['training.loss']).toBe('"sparse_categorical_crossentropy"');
    // The spec now says 4 epochs: the resumed run trains epochs 3 and 4.
    const resumed = await run(outDir, { spec: makeSpec({ epochs: 4 }), resume: true });
    expect(resumed.epochsRun).toBe(4);
    expect(resumed.history.loss).toHaveLength(4);
  });

  it.each([
    ['an activation', { model: mlp('tanh') }, /model\.dense_1\.activation: "relu" -> "tanh"/],
    ['the loss', { spec: makeSpec({ epochs: 2, loss: 'categorical_crossentropy' }) }, /training\.loss: "sparse_categorical_crossentropy" -> "categorical_crossentropy"/],
    ['the feature order', { dataset: { ...DATASET, features: ['b', 'a', 'c', 'd', 'e', 'f', 'g', 'h'] } }, /dataset\.features: \["a","b",.*\] -> \["b","a",/],
  ])('refuses a checkpoint after editing %s, naming the difference', async (_what, edit, message) => {
    const outDir = tempDir();
    await run(outDir, {});
    await expect(run(outDir, { ...edit, resume: true })).rejects.toThrow(message);
    await expect(run(outDir, { ...edit, resume: true })).rejects.toThrow(/refusing to resume/);
  });
});
