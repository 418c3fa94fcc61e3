// The plain-JS wasm kernels (GatherV2, Identity, MaxPoolGrad) against the cpu backend, with leak checks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomValues, runOn, sizeOf, useWasmWithTrainingKernels } from './helpers.js';

describe('plain-JS wasm kernels', () => {
  const gatherCases: { shape: number[]; indices: number[]; indexShape?: number[]; axis: number; dtype?: 'float32' | 'int32' | 'bool' }[] = [
    { shape: [6, 4, 3], indices: [5, 0, 0, 2], axis: 0 },
    { shape: [6, 1], indices: [3, 1, 4, 1, 5], axis: 0 },
    { shape: [3, 5, 2], indices: [4, 0, 4, 1, 2, 3], indexShape: [2, 3], axis: 1 },
    { shape: [2, 3, 7], indices: [6, 0], axis: -1, dtype: 'int32' },
    { shape: [5], indices: [4, 4, 0], axis: 0, dtype: 'bool' },
    { shape: [4, 3], indices: [], axis: 0 },
  ];
  for (const c of gatherCases) {
    it(`GatherV2 ${c.dtype ?? 'float32'} [${c.shape}] axis ${c.axis} indices [${c.indices}] matches cpu`, async () => {
      const values = randomValues(sizeOf(c.shape), 3);
      const compute = () => tf.tidy(() => {
        const x = tf.tensor(c.dtype ? Array.from(values, (v) => Math.round(v * 10)) : values, c.shape, c.dtype ?? 'float32');
        const out = tf.gather(x, tf.tensor(c.indices, c.indexShape ?? [c.indices.length], 'int32'), c.axis);
        return [out.dtype === 'float32' ? out : out.toFloat(), tf.tensor1d(out.shape, 'float32')];
      });
      const [expected, wasm] = [await runOn('cpu', compute), await runOn('wasm', compute)];
      expect(Array.from(wasm[1])).toEqual(Array.from(expected[1]));
      expect(Array.from(wasm[0])).toEqual(Array.from(expected[0]));
    });
  }

  it('GatherV2 rejects an index out of range, naming it', async () => {
    await useWasmWithTrainingKernels();
    const x = tf.ones([3, 2]);
    const ids = tf.tensor1d([0, 3], 'int32');
    expect(() => tf.gather(x, ids)).toThrow(/index value 3 is not in \[0, 2\]/);
    tf.dispose([x, ids]);
  });

  it('Identity shares the data by reference count: the copy outlives its source and frees with it', async () => {
    await useWasmWithTrainingKernels();
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(before + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(backend.numDataIds()).toBe(before);
  });

  const poolCases: { x: [number, number, number, number]; size: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' }[] = [
    { x: [2, 6, 6, 3], size: 2, strides: 2, pad: 'valid' },
    { x: [1, 7, 5, 2], size: 3, strides: 2, pad: 'same' },
    { x: [2, 5, 5, 1], size: [2, 3], strides: 1, pad: 'valid' },
  ];
  for (const c of poolCases) {
    it(`MaxPoolGrad x${c.x.join('x')} size ${String(c.size)} strides ${String(c.strides)} ${c.pad} matches cpu`, async () => {
      const values = randomValues(sizeOf(c.x), 5);
      const compute = () => tf.tidy(() => {
        const x = tf.tensor4d(values, c.x);
        const g = tf.grad((a: tf.Tensor) => {
          const y = tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad);
          return y.mul(tf.tensor(randomValues(y.size, 6), y.shape)).sum();
        })(x);
        return [g];
      });
      const [expected, wasm] = [await runOn('cpu', compute), await runOn('wasm', compute)];
      const diff = Math.max(...Array.from(wasm[0], (v, i) => Math.abs(v - expected[0][i])));
      expect(diff).toBeLessThan(1e-6);
    });
  }
});
