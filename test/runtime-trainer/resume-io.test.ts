// Resume (at an epoch boundary and mid-epoch), checkpoint contents, model save/load and atomic folder writes.
import * as tf from '@tensorflow/tfjs';
import { existsSync, promises as fs, readFileSync, renameSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, readCheckpoint } from '../../src/codegen/runtime/checkpoint.js';
import { loadModelFromDir, saveModelAtomic } from '../../src/codegen/runtime/model-io.js';
import type { Optimizer } from '../../src/codegen/runtime/spec-types.js';
import { train, trainOutputPaths, type TrainArgs, type TrainSplit } from '../../src/codegen/runtime/trainer.js';
import { buildMlp, makeBlobs, makeSpec, tempDir, useCpu } from './helpers.js';

let trainSplit: TrainSplit;
let valSplit: TrainSplit;
beforeAll(async () => {
  await useCpu();
  trainSplit = makeBlobs(160, 8, 3, 1, 3.0);
  valSplit = makeBlobs(60, 8, 3, 2, 3.0);
});

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

/** Trains until interrupted at the end of epoch 2 (`epoch`) or within epoch 3, at sample 96 (`batch`). */
function trainUntilStopped(args: TrainArgs, stopAt: 'epoch' | 'batch') {
  const controller = new AbortController();
  return train({
    ...args, signal: controller.signal,
    onEpochEnd: (epoch) => { if (stopAt === 'epoch' && epoch === 1) controller.abort(); },
    onBatchEnd: (epoch, done) => { if (stopAt === 'batch' && epoch === 2 && done === 96) controller.abort(); },
  });
}

describe('resume', () => {
  const optimizers: Optimizer[] = [
    { type: 'adam', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
    { type: 'sgd', learning_rate: 0.05, momentum: 0.9, nesterov: true },
    { type: 'adamax', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
    { type: 'rmsprop', learning_rate: 0.01, rho: 0.9, momentum: 0.5, epsilon: 1e-7 },
  ];
  it.each(optimizers.map((o) => [o.type, o] as const))('continues a %s run exactly, from an epoch boundary or mid-epoch', async (_name, optimizer) => {
    const spec = makeSpec({ epochs: 4, optimizer, schedule: { type: 'exponential', decay_rate: 0.5, decay_epochs: 2 } });
    const common = { training: spec, numClasses: 3, train: trainSplit, validation: valSplit, quiet: true };
    const full = await train({ ...common, model: buildMlp(1), outDir: tempDir(), resume: false });
    for (const stopAt of ['epoch', 'batch'] as const) {
      const outDir = tempDir();
      const first = await trainUntilStopped({ ...common, model: buildMlp(1), outDir, resume: false }, stopAt);
      expect(first.stopReason).toBe('interrupted');
      expect(first.epochsRun).toBe(2);
      const state = (await readCheckpoint(trainOutputPaths(outDir).checkpoint))!.state;
      expect([state.epochsDone, state.samplesDoneInEpoch]).toEqual(stopAt === 'epoch' ? [2, 0] : [2, 96]);
      // A differently initialized model: everything must come from the checkpoint.
      const resumed = await train({ ...common, model: buildMlp(99), outDir, resume: true });
      expect(resumed.epochsRun).toBe(4);
      expect(resumed.history.loss).toEqual(full.history.loss);
      expect(resumed.history.val_loss).toEqual(full.history.val_loss);
      expect(resumed.history.lr).toEqual(full.history.lr);
      expect(weightsOf(resumed.model)).toEqual(weightsOf(full.model));
    }
  });

  it('keeps the time of every epoch in the checkpoint, so a resumed run knows those trained before it', async () => {
    const spec = makeSpec({ epochs: 4 });
    const common = { training: spec, numClasses: 3, train: trainSplit, validation: valSplit, quiet: true };
    for (const stopAt of ['epoch', 'batch'] as const) {
      const outDir = tempDir();
      const first = await trainUntilStopped({ ...common, model: buildMlp(1), outDir, resume: false }, stopAt);
      expect(first.epochSeconds).toHaveLength(2);
      expect(first.allEpochSeconds).toEqual(first.epochSeconds);
      const state = (await readCheckpoint(trainOutputPaths(outDir).checkpoint))!.state;
      expect(state.epochSeconds).toEqual(first.epochSeconds);
      if (stopAt === 'batch') expect(state.partialEpochSeconds).toBeGreaterThan(0);
      else expect(state.partialEpochSeconds).toBe(0);
      const resumed = await train({ ...common, model: buildMlp(1), outDir, resume: true });
      expect(resumed.epochSeconds).toHaveLength(2); // this call's epochs
      expect(resumed.allEpochSeconds).toHaveLength(4);
      expect(resumed.allEpochSeconds.slice(0, 2)).toEqual(first.epochSeconds);
      expect(resumed.allEpochSeconds.slice(2, 4).every((s) => s > 0)).toBe(true);
      // The epoch cut by the interrupt counts the time of both parts.
      if (stopAt === 'batch') expect(resumed.allEpochSeconds[2]).toBeCloseTo(resumed.epochSeconds[0] + state.partialEpochSeconds!, 2);
      const final = (await readCheckpoint(trainOutputPaths(outDir).checkpoint))!.state;
      expect(final.epochSeconds).toEqual(resumed.allEpochSeconds);
    }
  });

  it('starts fresh when asked to resume without a checkpoint, and does nothing more once finished', async () => {
    const outDir = tempDir();
    const lines: string[] = [];
    const spec = makeSpec({ epochs: 2 });
    const common = { training: spec, numClasses: 3, train: trainSplit, validation: null, outDir, quiet: false, log: (l: string) => lines.push(l) };
    const first = await train({ ...common, model: buildMlp(1), resume: true });
    expect(lines[0]).toMatch(/no checkpoint in .*checkpoint; starting from the beginning/);
    expect(lines.filter((l) => l.startsWith('epoch ')).map((l) => l.slice(0, 9))).toEqual(['epoch 1/2', 'epoch 2/2']);
    const again = await train({ ...common, model: buildMlp(5), resume: true });
    expect(again.epochsRun).toBe(2);
    expect(again.history.loss).toEqual(first.history.loss);
    expect(weightsOf(again.model)).toEqual(weightsOf(first.model));
  });

  it('refuses a checkpoint made with another optimizer', async () => {
    const outDir = tempDir();
    const common = { numClasses: 3, train: trainSplit, validation: null, outDir, quiet: true };
    await train({ ...common, training: makeSpec({ epochs: 1 }), model: buildMlp(1), resume: false });
    const sgd = makeSpec({ epochs: 2, optimizer: { type: 'sgd', learning_rate: 0.1, momentum: 0, nesterov: false } });
    await expect(train({ ...common, training: sgd, model: buildMlp(1), resume: true })).rejects.toThrow(/made with optimizer Adam, the spec uses SGD/);
  });
});

describe('model-io', () => {
  it('round-trips a model with identical predictions, in the standard tfjs layout', async () => {
    const model = buildMlp(3);
    const dir = path.join(tempDir(), 'model');
    await saveModelAtomic(model, dir, { 'info.json': { classes: ['a', 'b', 'c'] } });
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(readFileSync(path.join(dir, 'weights.bin')).byteLength).toBe(model.countParams() * 4);
    expect(JSON.parse(readFileSync(path.join(dir, 'info.json'), 'utf8'))).toEqual({ classes: ['a', 'b', 'c'] });
    const loaded = await loadModelFromDir(dir);
    const x = makeBlobs(20, 8, 3, 9).x;
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });

  it('recovers the previous version when a writer died between its renames', async () => {
    const parent = tempDir();
    const dir = path.join(parent, 'model');
    const first = buildMlp(3);
    await saveModelAtomic(first, dir);
    // State after a crash in the middle of the swap: old version moved aside, new one half-written.
    renameSync(dir, `${dir}.old`);
    mkdirSync(`${dir}.tmp-999999-x`);
    writeFileSync(path.join(`${dir}.tmp-999999-x`, 'weights.bin'), 'partial');
    expect(weightsOf(await loadModelFromDir(dir))).toEqual(weightsOf(first));
    const second = buildMlp(4);
    await saveModelAtomic(second, dir);
    expect(weightsOf(await loadModelFromDir(dir))).toEqual(weightsOf(second));
    expect((await fs.readdir(parent)).sort()).toEqual(['model']);
  });

  it('rejects a corrupted checkpoint with a clear error', async () => {
    const outDir = tempDir();
    await train({ training: makeSpec({ epochs: 1 }), model: buildMlp(1), numClasses: 3, train: trainSplit, validation: null, outDir, resume: false, quiet: true });
    const file = path.join(trainOutputPaths(outDir).checkpoint, 'optimizer.bin');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
    await expect(readCheckpoint(trainOutputPaths(outDir).checkpoint)).rejects.toThrow(CheckpointError);
    await expect(readCheckpoint(trainOutputPaths(outDir).checkpoint)).rejects.toThrow(/optimizer.bin: checksum mismatch/);
    expect(existsSync(path.join(trainOutputPaths(outDir).checkpoint, 'model.json'))).toBe(true);
  });

  it('saves the best model only when the monitored metric improves', async () => {
    const outDir = tempDir();
    const spec = makeSpec({ epochs: 4, checkpoint: { monitor: 'val_accuracy', best_only: true } });
    const result = await train({ training: spec, model: buildMlp(1), numClasses: 3, train: trainSplit, validation: valSplit, outDir, resume: false, quiet: true });
    const acc = result.history.val_acc;
    const best = acc.indexOf(Math.max(...acc));
    const info = JSON.parse(readFileSync(path.join(trainOutputPaths(outDir).best, 'checkpoint.json'), 'utf8'));
    expect(info).toEqual({ epoch: best + 1, monitor: 'val_accuracy', value: acc[best] });
    expect(result.bestEpoch).toBe(best);
  });
});
