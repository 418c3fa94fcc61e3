// The NaN/Inf guard: an infinite loss stops at its batch, and weights that went NaN under a finite (clipped)
// loss are caught before anything is saved. The output-folder lock: one trainer per --out, stale locks broken.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureModelWeights, nonFiniteWeight } from '../../src/codegen/runtime/checkpoint.js';
import { acquireOutputLock, LOCK_FILE, OutputLockError, processStart } from '../../src/codegen/runtime/out-lock.js';
import { train, trainOutputPaths } from '../../src/codegen/runtime/trainer.js';
import { buildMlp, makeBlobs, makeSpec, tempDir, useCpu } from './helpers.js';

beforeAll(useCpu);

describe('NaN/Inf guard', () => {
  it('stops at the batch whose loss is Infinity (not only NaN)', async () => {
    // A linear unit on inputs of 1e30: the squared error overflows float32 to exactly +Infinity.
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    const x = tf.tensor2d([[1e30], [1e30], [1e30], [1e30]]);
    const result = await train({
      training: makeSpec({ loss: 'mean_squared_error', metrics: [], epochs: 2, batch_size: 2, shuffle: false }), model, numClasses: null,
      train: { x, y: tf.zeros([4, 1]), size: 4 }, validation: null, outDir: tempDir(), resume: false, quiet: false, log: () => {},
    });
    expect(result.stopReason).toBe('nan');
    expect(result.epochsRun).toBe(0);
  });

  it('names Infinity and its batch in the stop message', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    const errors: string[] = [];
    await train({
      training: makeSpec({ loss: 'mean_squared_error', metrics: [], epochs: 1, batch_size: 2, shuffle: false }), model, numClasses: null,
      train: { x: tf.tensor2d([[1], [1], [1e30], [1e30]]), y: tf.zeros([4, 1]), size: 4 }, validation: null,
      outDir: tempDir(), resume: false, quiet: false, log: (line) => errors.push(line),
    });
    expect(errors.join('\n')).toMatch(/loss became Infinity at epoch 1, batch 2/);
  });

  it('catches weights that became NaN while the clipped loss stayed finite, and writes no checkpoint', async () => {
    const data = makeBlobs(64, 8, 3, 1);
    const x = data.x.arraySync() as number[][];
    x[3][2] = Infinity; // what a CSV value of 1e39 becomes in float32
    const outDir = tempDir();
    const model = buildMlp(1);
    const result = await train({
      training: makeSpec({ epochs: 2, shuffle: false }), model, numClasses: 3,
      train: { x: tf.tensor2d(x), y: data.y, size: 64 }, validation: null, outDir, resume: false, quiet: true,
    });
    expect(result.stopReason).toBe('nan');
    expect(nonFiniteWeight(await captureModelWeights(result.model)), 'rolled back to finite weights').toBeNull();
    expect(existsSync(trainOutputPaths(outDir).checkpoint)).toBe(false);
  });

  it('nonFiniteWeight names the first weight holding NaN or Infinity', async () => {
    const model = buildMlp(1);
    expect(nonFiniteWeight(await captureModelWeights(model))).toBeNull();
    for (const bad of [NaN, Infinity, -Infinity]) {
      const weights = model.getWeights().map((w) => w.clone());
      const kernel = weights[2].arraySync() as number[][];
      kernel[1][1] = bad;
      model.setWeights([weights[0], weights[1], tf.tensor2d(kernel), weights[3]]);
      expect(nonFiniteWeight(await captureModelWeights(model))).toBe(model.weights[2].originalName);
    }
  });
});

describe('output folder lock', () => {
  it('refuses a second writer and names the holder; released, it can be taken again', () => {
    const dir = tempDir();
    const lock = acquireOutputLock(dir);
    expect(() => acquireOutputLock(dir)).toThrow(OutputLockError);
    expect(() => acquireOutputLock(dir)).toThrow(new RegExp(`in use by another trainer \\(pid ${process.pid}`));
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    acquireOutputLock(dir).release();
  });

  it('breaks a stale lock: its process is gone, or its pid now belongs to a process started at another time', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, start: '1', host: hostname(), since: 'then' }));
    acquireOutputLock(dir).release();
    // A live pid (ours) with another start time: the pid was reused.
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, start: `${processStart(process.pid)}0`, host: hostname(), since: 'then' }));
    acquireOutputLock(dir).release();
    // Our pid with our start time: held.
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, start: processStart(process.pid), host: hostname(), since: 'now' }));
    expect(() => acquireOutputLock(dir)).toThrow(OutputLockError);
  });
});
