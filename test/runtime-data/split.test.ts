import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, loadDataset, preprocessSample } from '../../src/codegen/runtime/data/index.js';
import { planSplits, shuffledIndices } from '../../src/codegen/runtime/data/split.js';
import type { IdxDataset } from '../../src/codegen/runtime/spec-types.js';
import { common, idxBytes, rejection, withTempDir } from './helpers.js';

describe('planSplits', () => {
  it('sizes, disjointness and coverage for any fractions', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 0.45, noNaN: true }), fc.double({ min: 0, max: 0.45, noNaN: true }),
      fc.boolean(), fc.integer(),
      (count, validation, test, shuffle, seed) => {
        const plan = planSplits(count, { validation, test, shuffle, seed, limit: null });
        expect(plan.test.length).toBe(Math.round(count * test));
        expect(plan.validation.length).toBe(Math.round(count * validation));
        const all = [...plan.train, ...plan.validation, ...plan.test];
        expect(all.length).toBe(count);
        expect(new Set(all).size).toBe(count);
        expect(Math.min(...all, 0)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...all, -1)).toBeLessThan(count);
      },
    ));
  });

  it('is seeded: same seed same plan, other seed other order', () => {
    const options = { validation: 0.2, test: 0.1, shuffle: true, limit: null };
    expect(planSplits(100, { ...options, seed: 7 })).toEqual(planSplits(100, { ...options, seed: 7 }));
    expect(planSplits(100, { ...options, seed: 7 }).train).not.toEqual(planSplits(100, { ...options, seed: 8 }).train);
    expect(shuffledIndices(50, 1)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('without shuffle carves validation (and test) from the end, like Keras validation_split', () => {
    const plan = planSplits(10, { validation: 0.2, test: 0.1, shuffle: false, seed: 0, limit: null });
    expect(plan).toEqual({ train: [0, 1, 2, 3, 4, 5, 6], validation: [7, 8], test: [9] });
  });

  it('limit caps only the training split', () => {
    const plan = planSplits(100, { validation: 0.1, test: 0, shuffle: true, seed: 3, limit: 25 });
    expect([plan.train.length, plan.validation.length]).toEqual([25, 10]);
  });

  it('rejects fractions that leave nothing to train on', () => {
    expect(() => planSplits(10, { validation: 0.6, test: 0.4, shuffle: false, seed: 0, limit: null })).toThrow(/leave no training data/);
  });
});

describe('loadDataset on IDX files', () => {
  const count = 20;
  // sample i has every pixel equal to i; label i % 4
  const images = idxBytes([count, 3, 2], Uint8Array.from({ length: count * 6 }, (_, k) => Math.floor(k / 6)));
  const labels = idxBytes([count], Uint8Array.from({ length: count }, (_, i) => i % 4));
  const spec = (overrides: Partial<IdxDataset>): IdxDataset => ({
    ...common(), source: 'idx', train_images: 'img', train_labels: 'lab', test_images: null, test_labels: null, ...overrides,
  });
  const run = (ds: IdxDataset, shape: number[], dtype: 'float32' | 'int32' = 'float32', seed = 5) => withTempDir(async (dir) => {
    await writeFile(join(dir, 'img'), images);
    await writeFile(join(dir, 'lab'), labels);
    return loadDataset(ds, { name: 'pixels', shape, dtype }, { specDir: dir, seed });
  });

  it('carves seeded validation and test splits whose samples keep their labels', async () => {
    const data = await run(spec({ validation: 0.25, test: 0.2, shuffle: true }), [3, 2, 1]);
    expect([data.train.size, data.validation?.size, data.test?.size]).toEqual([11, 5, 4]);
    expect(data.train.x.shape).toEqual([11, 3, 2, 1]);
    expect(data.classes).toEqual(['0', '1', '2', '3']);
    const ids = [data.train, data.validation!, data.test!].flatMap((split) => {
      const x = split.x.reshape([split.size, 6]).arraySync() as number[][];
      const y = Array.from(split.y.dataSync());
      return x.map((row, i) => { expect(y[i]).toBe(row[0] % 4); return row[0]; });
    });
    expect(new Set(ids).size).toBe(count);
    const again = await run(spec({ validation: 0.25, test: 0.2, shuffle: true }), [3, 2, 1]);
    expect(Array.from(again.train.x.dataSync())).toEqual(Array.from(data.train.x.dataSync()));
    const otherSeed = await run(spec({ validation: 0.25, test: 0.2, shuffle: true }), [3, 2, 1], 'float32', 6);
    expect(Array.from(otherSeed.train.x.dataSync())).not.toEqual(Array.from(data.train.x.dataSync()));
    expect(data.description).toMatch(/^idx from .*img \(11 train, 5 validation, 4 test\)$/);
  });

  it('fits min_max on the training split only and inference reproduces it', async () => {
    const data = await run(spec({ validation: 0.5, normalize: { type: 'min_max' } }), [6]);
    // no shuffle: train holds samples 0..9
    expect(data.preprocessing.normalize).toEqual({ type: 'min_max', min: [0], max: [9] });
    const validationFirst = data.validation!.x.dataSync()[0];
    expect(validationFirst).toBeCloseTo(10 / 9, 6);
    expect(Array.from(preprocessSample([9, 9, 9, 9, 9, 9], data.preprocessing))).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('keeps int32 inputs as integers and refuses normalizing them', async () => {
    const data = await run(spec({ limit: 3 }), [6], 'int32');
    expect(data.train.x.dtype).toBe('int32');
    expect(data.train.size).toBe(3);
    const error = await rejection(run(spec({ normalize: { type: 'scale', factor: 0.5 } }), [6], 'int32'));
    expect(error.message).toMatch(/normalize scale cannot apply to the int32 model input 'pixels'/);
  });

  it('errors clearly when the sample size differs from the model input', async () => {
    const error = await rejection(run(spec({}), [28, 28, 1]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(/samples of 3 x 2 = 6 values but model input 'pixels' \[28, 28, 1\] needs 784/);
  });
});
