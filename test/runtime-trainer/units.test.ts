// Small pure pieces: RNG, CLI parsing, schedules, monitors, progress formatting, validation metrics.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliError, parseTrainArgs } from '../../src/codegen/runtime/cli-args.js';
import { formatEpochLine } from '../../src/codegen/runtime/progress.js';
import { mixSeeds, permutation, Rng } from '../../src/codegen/runtime/rng.js';
import {
  createOptimizer, getLearningRate, learningRateForEpoch, newScheduleState, normalizeMonitor, setLearningRate, updatePlateau,
} from '../../src/codegen/runtime/schedules.js';
import type { Optimizer } from '../../src/codegen/runtime/spec-types.js';
import { macroPrecisionRecallF1, r2Score } from '../../src/codegen/runtime/train-metrics.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

describe('rng', () => {
  it('continues the same sequence after saving and restoring its state', () => {
    const a = new Rng(42);
    for (let i = 0; i < 5; i++) a.nextUint32();
    const b = Rng.fromState(a.state());
    const fromA = Array.from({ length: 20 }, () => a.nextUint32());
    const fromB = Array.from({ length: 20 }, () => b.nextUint32());
    expect(fromB).toEqual(fromA);
    expect(a.state().every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)).toBe(true);
  });

  it('shuffles into a permutation that depends on the seed', () => {
    const p1 = permutation(100, new Rng(1));
    const p2 = permutation(100, new Rng(2));
    expect([...p1].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    expect([...p1]).not.toEqual([...p2]);
    expect([...permutation(100, new Rng(1))]).toEqual([...p1]);
    expect([...permutation(5, null)]).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives roughly uniform floats and distinct mixed seeds', () => {
    const rng = new Rng(3);
    let sum = 0;
    for (let i = 0; i < 10000; i++) sum += rng.nextFloat();
    expect(sum / 10000).toBeGreaterThan(0.48);
    expect(sum / 10000).toBeLessThan(0.52);
    const seeds = new Set<number>();
    for (let e = 0; e < 10; e++) for (let b = 0; b < 10; b++) seeds.add(mixSeeds(7, e, b * 32));
    expect(seeds.size).toBe(100);
  });

  it('rejects a malformed state', () => {
    expect(() => Rng.fromState([1, 2, 3] as never)).toThrow(/four uint32/);
  });
});

describe('parseTrainArgs', () => {
  const defaults = { out: 'out/x' };
  it('parses every option in both spellings', () => {
    const o = parseTrainArgs(['--epochs', '3', '--batch-size=64', '--data-dir', '/d', '--out=o', '--backend', 'wasm',
      '--resume', '--seed', '0', '--quiet', '--limit', '100'], defaults);
    expect(o).toEqual({ epochs: 3, batchSize: 64, dataDir: '/d', out: 'o', backend: 'wasm', resume: true, seed: 0, quiet: true, limit: 100, progress: 'auto', help: false });
  });
  it('uses defaults', () => {
    expect(parseTrainArgs([], defaults)).toEqual({ out: 'out/x', resume: false, quiet: false, progress: 'auto', help: false });
    expect(parseTrainArgs(['--help'], defaults).help).toBe(true);
  });
  it.each([
    [['--epochs', '0'], /--epochs: expected a positive integer, got 0/],
    [['--epochs', 'ten'], /--epochs: expected a positive integer, got 'ten'/],
    [['--batch-size'], /--batch-size: missing value/],
    [['--epoch', '3'], /unknown option '--epoch'/],
    [['--quiet=yes'], /--quiet takes no value/],
    [['--seed', '-1'], /--seed: expected a non-negative integer, got '-1'/],
    [['stray'], /unexpected argument 'stray'/],
    [['--epochs', '2', '--epochs', '3'], /given twice/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseTrainArgs(argv as string[], defaults)).toThrow(CliError);
    expect(() => parseTrainArgs(argv as string[], defaults)).toThrow(message);
  });
});

describe('schedules', () => {
  it('computes step and exponential learning rates per epoch', () => {
    const state = newScheduleState(0.1);
    const step = [0, 1, 2, 3, 4].map((e) => learningRateForEpoch({ type: 'step', every: 2, factor: 0.5 }, 0.1, e, state));
    expect(step).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    const exp = [0, 2, 4].map((e) => learningRateForEpoch({ type: 'exponential', decay_rate: 0.5, decay_epochs: 2 }, 0.1, e, state));
    expect(exp[0]).toBeCloseTo(0.1, 12); expect(exp[1]).toBeCloseTo(0.05, 12); expect(exp[2]).toBeCloseTo(0.025, 12);
  });

  it('reduces on plateau after `patience` epochs without improvement, not below min_lr', () => {
    const schedule = { type: 'reduce_on_plateau' as const, monitor: 'val_loss', factor: 0.5, patience: 2, min_delta: 0.01, min_lr: 0.03 };
    const state = newScheduleState(0.1);
    const lrs: number[] = [];
    [1.0, 0.5, 0.495, 0.499, 0.6, 0.7, 0.8, 0.9, 1.0].forEach((loss, epoch) => {
      updatePlateau(schedule, state, { val_loss: loss }, epoch);
      lrs.push(state.lr);
    });
    // Epochs 2 and 3 are within min_delta of 0.5: reduce after epoch 3; again after epoch 5 (0.025 -> floor 0.03).
    expect(lrs).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03, 0.03]);
  });

  it('maps accuracy monitor names to tfjs history keys', () => {
    expect(normalizeMonitor('val_accuracy')).toBe('val_acc');
    expect(normalizeMonitor('accuracy')).toBe('acc');
    expect(normalizeMonitor('val_loss')).toBe('val_loss');
  });

  const optimizers: Optimizer[] = [
    { type: 'sgd', learning_rate: 0.1, momentum: 0, nesterov: false },
    { type: 'sgd', learning_rate: 0.1, momentum: 0.9, nesterov: true },
    { type: 'adam', learning_rate: 0.1, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
    { type: 'adamax', learning_rate: 0.1, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
    { type: 'rmsprop', learning_rate: 0.1, rho: 0.9, momentum: 0, epsilon: 1e-7 },
    { type: 'adagrad', learning_rate: 0.1, initial_accumulator_value: 0.1 },
    { type: 'adadelta', learning_rate: 0.1, rho: 0.95, epsilon: 1e-7 },
  ];
  it.each(optimizers.map((o) => [`${o.type}${'momentum' in o && o.momentum ? '+momentum' : ''}`, o] as const))(
    'setLearningRate changes the step size of %s', (_name, spec) => {
      // The first update of every optimizer here is linear in the learning rate.
      const firstStep = (lr: number | null): number => {
        const optimizer = createOptimizer(spec);
        if (lr !== null) setLearningRate(optimizer, lr);
        const w = tf.variable(tf.tensor1d([1, -2, 3]));
        optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
        const delta = tf.tidy(() => tf.sum(tf.abs(tf.sub(w, tf.tensor1d([1, -2, 3])))).dataSync()[0]);
        w.dispose(); optimizer.dispose();
        return delta;
      };
      const base = firstStep(null);
      expect(base).toBeGreaterThan(0);
      expect(firstStep(0.025) / base).toBeCloseTo(0.25, 4);
      const optimizer = createOptimizer(spec);
      setLearningRate(optimizer, 0.3);
      expect(getLearningRate(optimizer)).toBe(0.3);
      optimizer.dispose();
    });
});

describe('metrics and formatting', () => {
  it('computes macro precision/recall/f1 like sklearn', () => {
    // truth 0 0 1 1 2 2 ; predicted 0 1 1 1 2 0
    const scores = macroPrecisionRecallF1(Int32Array.from([0, 0, 1, 1, 2, 2]), Int32Array.from([0, 1, 1, 1, 2, 0]));
    // class 0: p=1/2 r=1/2; class 1: p=2/3 r=1; class 2: p=1 r=1/2
    expect(scores.precision).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 10);
    expect(scores.recall).toBeCloseTo((0.5 + 1 + 0.5) / 3, 10);
    expect(scores.f1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 10);
  });
  it('computes r2', () => {
    expect(r2Score(Float32Array.from([1, 2, 3]), Float32Array.from([1, 2, 3]))).toBe(1);
    expect(r2Score(Float32Array.from([1, 2, 3]), Float32Array.from([2, 2, 2]))).toBeCloseTo(0, 10);
  });
  it('formats the epoch line', () => {
    const line = formatEpochLine(2, 10, { loss: 0.4123, acc: 0.85104, val_loss: 0.5, val_acc: 0.8, lr: 0.001 }, 2310.4, 26.04, false);
    expect(line).toBe('epoch 3/10 - loss 0.412 - acc 0.851 - val_loss 0.500 - val_acc 0.800 - 2,310 samples/s - 26.0s');
  });
});
