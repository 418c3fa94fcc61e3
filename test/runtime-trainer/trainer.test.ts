// train(): learning, reproducibility, schedules, early stopping, NaN guard, resume, memory, validation metrics.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/codegen/runtime/checkpoint.js';
import { loadModelFromDir } from '../../src/codegen/runtime/model-io.js';
import { getLearningRate } from '../../src/codegen/runtime/schedules.js';
import type { TrainSpec } from '../../src/codegen/runtime/spec-types.js';
import { train, trainOutputPaths, type TrainArgs, type TrainSplit } from '../../src/codegen/runtime/trainer.js';
import { buildMlp, makeBlobs, makeSpec, tempDir, useCpu } from './helpers.js';

let trainSplit: TrainSplit;
let valSplit: TrainSplit;
beforeAll(async () => {
  await useCpu();
  trainSplit = makeBlobs(240, 8, 3, 1, 3.0);
  valSplit = makeBlobs(90, 8, 3, 2, 3.0);
});

function run(spec: TrainSpec, extra: Partial<TrainArgs> = {}, modelSeed = 1) {
  return train({
    training: spec, model: buildMlp(modelSeed), numClasses: 3, train: trainSplit, validation: valSplit,
    outDir: tempDir(), resume: false, quiet: true, ...extra,
  });
}

function weightsOf(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('train', () => {
  it('reduces the loss and logs tfjs history keys plus lr', async () => {
    const result = await run(makeSpec({ epochs: 6, metrics: ['accuracy', 'precision', 'recall', 'f1'] }));
    const h = result.history;
    expect(Object.keys(h).sort()).toEqual(['acc', 'loss', 'lr', 'val_acc', 'val_f1', 'val_loss', 'val_precision', 'val_recall']);
    expect(h.loss).toHaveLength(6);
    expect(h.loss[5]).toBeLessThan(h.loss[0] * 0.7);
    expect(h.val_acc[5]).toBeGreaterThan(0.6);
    expect(result.epochsRun).toBe(6);
    expect(result.stopReason).toBeUndefined();
  });

  it('reports validation loss and accuracy as tfjs evaluate computes them', async () => {
    const result = await run(makeSpec({ epochs: 2 }));
    const [loss, acc] = result.model.evaluate(valSplit.x, tf.cast(valSplit.y, 'float32'), { batchSize: 16 }) as tf.Scalar[];
    expect(result.history.val_loss[1]).toBeCloseTo(loss.dataSync()[0], 5);
    expect(result.history.val_acc[1]).toBeCloseTo(acc.dataSync()[0], 5);
  });

  it('gives identical loss curves for the same seed and different ones for another seed', async () => {
    const spec = makeSpec({ epochs: 3 });
    const a = await run(spec);
    const b = await run(spec);
    const c = await run(makeSpec({ epochs: 3, seed: 8 }));
    expect(b.history.loss).toEqual(a.history.loss);
    expect(b.history.val_loss).toEqual(a.history.val_loss);
    expect(c.history.loss).not.toEqual(a.history.loss);
  });

  it('keeps tf.memory().numTensors constant from epoch to epoch', async () => {
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const result = await run(makeSpec({
      epochs: 4, metrics: ['accuracy', 'f1'], class_weights: { '0': 1, '1': 2, '2': 1 },
      schedule: { type: 'step', every: 1, factor: 0.9 },
      early_stopping: { monitor: 'val_loss', patience: 10, min_delta: 0, restore_best_weights: true },
    }), { onEpochEnd: () => { counts.push(tf.memory().numTensors); } });
    expect(counts).toHaveLength(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[0]).toBe(counts[1]);
    // Only the model and its optimizer remain once training is over.
    const modelTensors = result.model.weights.length;
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(modelTensors * 3 + 4);
  });

  it('applies the step schedule through the optimizer', async () => {
    const spec = makeSpec({ epochs: 4, schedule: { type: 'step', every: 2, factor: 0.1 } });
    const model = buildMlp(1);
    const seen: number[] = [];
    const result = await run(spec, { model, onEpochEnd: () => { seen.push(getLearningRate(model.optimizer)); } });
    expect(result.history.lr).toEqual([0.01, 0.01, 0.01 * 0.1, 0.01 * 0.1]);
    expect(seen).toEqual(result.history.lr);
  });

  it('weights the loss by class_weights', async () => {
    // A vanishing learning rate keeps the weights fixed, so the loss ratio is the class weight.
    const spec = makeSpec({ epochs: 1, optimizer: { type: 'sgd', learning_rate: 1e-12, momentum: 0, nesterov: false } });
    const plain = await run(spec);
    const doubled = await run({ ...spec, class_weights: { '0': 2, '1': 2, '2': 2 } });
    expect(doubled.history.loss[0] / plain.history.loss[0]).toBeCloseTo(2, 4);
    await expect(run({ ...spec, class_weights: { '5': 1 } })).rejects.toThrow(/class_weights: '5' is not a class index/);
  });

  it('stops early and restores the best weights', async () => {
    // Validation labels are shifted, so fitting the training data makes val_loss worse after a while.
    const badVal = { ...valSplit, y: tf.tidy(() => tf.mod(tf.add(valSplit.y, 1), 3).toInt()) };
    const spec = makeSpec({ epochs: 30, early_stopping: { monitor: 'val_loss', patience: 2, min_delta: 0, restore_best_weights: true } });
    const result = await train({
      training: spec, model: buildMlp(1), numClasses: 3, train: trainSplit, validation: badVal,
      outDir: tempDir(), resume: false, quiet: true,
    });
    const h = result.history.val_loss;
    expect(result.stoppedEarly).toBe(true);
    expect(result.stopReason).toBe('early_stopping');
    const best = h.indexOf(Math.min(...h));
    expect(result.bestEpoch).toBe(best);
    expect(result.epochsRun).toBe(best + 1 + 2);
    expect(h.length).toBeLessThan(30);
    const [loss] = result.model.evaluate(badVal.x, tf.cast(badVal.y, 'float32'), { batchSize: 64 }) as tf.Scalar[];
    expect(loss.dataSync()[0]).toBeCloseTo(h[best], 5);
  });

  it('stops on a NaN loss, keeping the last good weights and checkpoint', async () => {
    let poisoned = false;
    const outDir = tempDir();
    const lines: string[] = [];
    const result = await run(makeSpec({ epochs: 5 }), {
      outDir, quiet: false, log: (l) => lines.push(l),
      augment: (x) => (poisoned ? tf.mul(x, NaN) : x),
      onEpochEnd: (epoch) => { if (epoch === 1) poisoned = true; },
    });
    expect(result.stopReason).toBe('nan');
    expect(result.history.loss).toHaveLength(2);
    expect(lines.some((l) => /loss became NaN at epoch 3, batch 1/.test(l))).toBe(true);
    const checkpoint = await readCheckpoint(trainOutputPaths(outDir).checkpoint);
    expect(checkpoint!.state.epochsDone).toBe(2);
    const saved = await loadModelFromDir(trainOutputPaths(outDir).checkpoint);
    expect(weightsOf(result.model)).toEqual(weightsOf(saved));
    expect(weightsOf(result.model).flat().every(Number.isFinite)).toBe(true);
  });

  it('stops on NaN from a huge learning rate', async () => {
    const spec = makeSpec({ epochs: 3, optimizer: { type: 'sgd', learning_rate: 1e30, momentum: 0, nesterov: false }, loss: 'mean_squared_error', metrics: [] });
    const reg = makeBlobs(64, 8, 3, 5, 1);
    const y = tf.tidy(() => tf.mul(tf.cast(reg.y, 'float32'), 1e10).reshape([64, 1]));
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 1 })] });
    const initial = weightsOf(model);
    const result = await train({ training: spec, model, numClasses: null, train: { x: reg.x, y, size: 64 }, validation: null, outDir: tempDir(), resume: false, quiet: true });
    expect(result.stopReason).toBe('nan');
    expect(result.history.loss ?? []).toHaveLength(0);
    expect(weightsOf(result.model)).toEqual(initial);
  });
});

