import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch, randomAffineTransforms } from '../../src/codegen/runtime/data/augment.js';
import { seededRandom } from '../../src/codegen/runtime/data/split.js';
import type { Augmentation } from '../../src/codegen/runtime/spec-types.js';

const none: Augmentation = { rotation: 0, shear: 0, zoom: 0, horizontal_flip: false, vertical_flip: false, brightness: 0 };
const everything: Augmentation = { rotation: 25, shear: 10, zoom: 0.2, horizontal_flip: true, vertical_flip: true, brightness: 0.3 };

beforeAll(async () => {
  // importing the wasm backend makes it the default; most tests run on cpu, one compares the two
  await tf.setBackend('cpu');
});

const batch = (n: number, h = 6, w = 5, c = 2) => tf.tensor4d(Array.from({ length: n * h * w * c }, (_, i) => (i * 37) % 101), [n, h, w, c]);
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('augmentBatch', () => {
  it.each([['horizontal_flip', 2], ['vertical_flip', 1]] as const)('%s mirrors each sample exactly or leaves it alone', (flag, axis) => {
    const x = batch(16);
    const out = augmentBatch(x, { ...none, [flag]: true }, 11);
    const flipped = tf.reverse(x, axis);
    let mirrored = 0;
    for (let i = 0; i < 16; i++) {
      const [o, original, mirror] = [out, x, flipped].map((t) => t.slice([i, 0, 0, 0], [1, -1, -1, -1]));
      const same = maxAbsDiff(o, original) === 0;
      const mirrorSame = maxAbsDiff(o, mirror) === 0;
      expect(same || mirrorSame).toBe(true);
      if (mirrorSame) mirrored++;
      tf.dispose([o, original, mirror]);
    }
    expect(mirrored).toBeGreaterThan(0);
    expect(mirrored).toBeLessThan(16);
    tf.dispose([x, out, flipped]);
  });

  it('rotation keeps shape and dtype, and a constant image stays constant', () => {
    const x = tf.fill([4, 7, 9, 3], 0.25) as tf.Tensor4D;
    const out = augmentBatch(x, { ...none, rotation: 40, zoom: 0.3, shear: 15 }, 5);
    expect(out.shape).toEqual([4, 7, 9, 3]);
    expect(out.dtype).toBe('float32');
    expect(maxAbsDiff(out, x)).toBeLessThan(1e-6);
    tf.dispose([x, out]);
  });

  it('transforms every sample of the batch, not only the first', () => {
    const x = batch(6);
    const out = augmentBatch(x, { ...none, rotation: 30 }, 2);
    for (let i = 0; i < 6; i++) {
      const [o, original] = [out, x].map((t) => t.slice([i, 0, 0, 0], [1, -1, -1, -1]));
      expect(maxAbsDiff(o, original)).toBeGreaterThan(0);
      expect(tf.tidy(() => tf.max(o).dataSync()[0])).toBeGreaterThan(0);
      tf.dispose([o, original]);
    }
    tf.dispose([x, out]);
  });

  it('rotation-only transforms are rotations about the image centre', () => {
    const rows = randomAffineTransforms(20, 9, 13, { ...none, rotation: 90 }, seededRandom(1));
    const angles = rows.map(([a0, a1, a2, b0, b1, b2]) => {
      expect(a0 * b1 - a1 * b0).toBeCloseTo(1, 10); // det 1
      expect(a0).toBeCloseTo(b1, 10);
      expect(a1).toBeCloseTo(-b0, 10);
      expect(a0 * 6 + a1 * 4 + a2).toBeCloseTo(6, 10); // centre (6, 4) maps to itself
      expect(b0 * 6 + b1 * 4 + b2).toBeCloseTo(4, 10);
      return (Math.atan2(b0, a0) * 180) / Math.PI;
    });
    for (const angle of angles) expect(Math.abs(angle)).toBeLessThanOrEqual(90);
    expect(new Set(angles.map((a) => a.toFixed(6))).size).toBe(20);
  });

  it('brightness scales each sample by one factor within range', () => {
    const x = tf.add(batch(8), 1) as tf.Tensor4D;
    const out = augmentBatch(x, { ...none, brightness: 0.2 }, 9);
    const ratio = tf.div(out, x);
    const perSample = ratio.reshape([8, -1]).arraySync() as number[][];
    for (const values of perSample) {
      expect(Math.max(...values) - Math.min(...values)).toBeLessThan(1e-5);
      expect(values[0]).toBeGreaterThanOrEqual(0.8 - 1e-6);
      expect(values[0]).toBeLessThanOrEqual(1.2 + 1e-6);
    }
    tf.dispose([x, out, ratio]);
  });

  it('is deterministic for a seed and varies across seeds', () => {
    const x = batch(8);
    const [a, b, c] = [3, 3, 4].map((seed) => augmentBatch(x, everything, seed));
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0);
    tf.dispose([x, a, b, c]);
  });

  it('leaks no tensors: only the result is new', () => {
    const x = batch(8);
    const before = tf.memory().numTensors;
    const out = augmentBatch(x, everything, 1);
    expect(tf.memory().numTensors).toBe(before + 1);
    out.dispose();
    const identity = augmentBatch(x, none, 1);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(maxAbsDiff(identity, x)).toBe(0);
    tf.dispose([x, identity]);
  });

  it('gives the same result on the wasm backend as on cpu', async () => {
    const values = batch(5, 8, 8, 3).arraySync();
    const onCpu = augmentBatch(tf.tensor4d(values), everything, 21).arraySync();
    await tf.setBackend('wasm');
    try {
      const onWasm = augmentBatch(tf.tensor4d(values), everything, 21).arraySync();
      const diff = Math.max(...onCpu.flat(3).map((v, i) => Math.abs(v - onWasm.flat(3)[i])));
      expect(diff).toBeLessThan(1e-3);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
