// Each wasm training kernel against the cpu backend (or a direct reference), on random inputs, with leak checks.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { WASM_TRAINING_KERNEL_NAMES } from '../../src/codegen/runtime/wasm-kernels.js';
import { randomValues, relativeError, runOn, sizeOf, useWasmWithTrainingKernels } from './helpers.js';

type Shape4 = [number, number, number, number];
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase { x: Shape4; f: Shape4; strides: number | [number, number]; pad: 'same' | 'valid' | ExplicitPad }

const TOLERANCE = 1e-4;

const convCases: ConvCase[] = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [1, 9, 6, 1], f: [5, 3, 1, 2], strides: 1, pad: 'valid' },
  { x: [2, 7, 9, 3], f: [3, 2, 3, 4], strides: 2, pad: 'same' },
  { x: [3, 8, 8, 2], f: [3, 3, 2, 5], strides: 2, pad: 'valid' },
  { x: [2, 11, 10, 2], f: [2, 4, 2, 3], strides: [3, 2], pad: 'same' },
  { x: [2, 9, 7, 2], f: [3, 3, 2, 3], strides: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { x: [2, 6, 6, 2], f: [1, 1, 2, 3], strides: 1, pad: 'valid' },
];

function caseName(c: ConvCase): string {
  return `x${c.x.join('x')} f${c.f.join('x')} s${String(c.strides)} ${typeof c.pad === 'string' ? c.pad : 'explicit'}`;
}

/** Gradients of sum(conv(x, f) * w) with respect to x and f: exercises BackpropInput and BackpropFilter. */
function convGradients(c: ConvCase, depthwise: boolean): () => tf.Tensor[] {
  const xValues = randomValues(sizeOf(c.x), 11);
  const fValues = randomValues(sizeOf(c.f), 12);
  const conv = (x: tf.Tensor4D, f: tf.Tensor4D): tf.Tensor4D => (depthwise
    ? tf.depthwiseConv2d(x, f, c.strides, c.pad)
    : tf.conv2d(x, f, c.strides, c.pad));
  return () => tf.tidy(() => {
    const x = tf.tensor4d(xValues, c.x);
    const f = tf.tensor4d(fValues, c.f);
    const y = conv(x, f);
    const w = tf.tensor(randomValues(y.size, 13), y.shape);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a as tf.Tensor4D, b as tf.Tensor4D).mul(w).sum())([x, f]);
  });
}

describe('wasm training kernels', () => {
  it('registers every kernel for the wasm backend', async () => {
    await useWasmWithTrainingKernels();
    for (const name of WASM_TRAINING_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  describe('Conv2DBackpropInput and Conv2DBackpropFilter match cpu', () => {
    for (const c of convCases) {
      it(caseName(c), async () => {
        const [dxCpu, dfCpu] = await runOn('cpu', convGradients(c, false));
        const [dxWasm, dfWasm] = await runOn('wasm', convGradients(c, false));
        expect(relativeError(dxWasm, dxCpu)).toBeLessThan(TOLERANCE);
        expect(relativeError(dfWasm, dfCpu)).toBeLessThan(TOLERANCE);
      });
    }
  });

  describe('depthwise backprop input and filter match cpu', () => {
    const cases: ConvCase[] = [
      { x: [2, 7, 9, 3], f: [3, 3, 3, 1], strides: 1, pad: 'same' },
      { x: [2, 8, 7, 2], f: [3, 2, 2, 3], strides: 2, pad: 'valid' },
      { x: [1, 9, 9, 4], f: [5, 5, 4, 2], strides: 2, pad: 'same' },
    ];
    for (const c of cases) {
      it(caseName(c), async () => {
        const [dxCpu, dfCpu] = await runOn('cpu', convGradients(c, true));
        const [dxWasm, dfWasm] = await runOn('wasm', convGradients(c, true));
        expect(relativeError(dxWasm, dxCpu)).toBeLessThan(TOLERANCE);
        expect(relativeError(dfWasm, dfCpu)).toBeLessThan(TOLERANCE);
      });
    }
  });

  describe('Conv2DBackpropFilter with dilations matches a direct summation', () => {
    // tfjs' conv2d gradient rejects dilations, so call the kernel itself and compare with the definition.
    const cases: Array<{ x: Shape4; f: Shape4; strides: [number, number]; dilations: [number, number]; pad: 'same' | 'valid' }> = [
      { x: [2, 9, 8, 2], f: [3, 2, 2, 3], strides: [1, 1], dilations: [2, 3], pad: 'valid' },
      { x: [2, 7, 8, 2], f: [3, 3, 2, 2], strides: [1, 1], dilations: [2, 2], pad: 'same' },
      { x: [1, 11, 9, 3], f: [2, 3, 3, 2], strides: [2, 2], dilations: [2, 1], pad: 'same' },
    ];
    for (const c of cases) {
      it(`x${c.x.join('x')} f${c.f.join('x')} s${c.strides} d${c.dilations} ${c.pad}`, async () => {
        const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, c.dilations, c.pad);
        const [n, h, w, ci] = c.x;
        const [fh, fw, , co] = c.f;
        const { outHeight: oh, outWidth: ow } = info;
        const xv = randomValues(sizeOf(c.x), 21);
        const dyv = randomValues(n * oh * ow * co, 22);
        const [got] = await runOn('wasm', () => tf.tidy(() => [tf.engine().runKernel('Conv2DBackpropFilter',
          { x: tf.tensor4d(xv, c.x), dy: tf.tensor4d(dyv, [n, oh, ow, co]) },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations, filterShape: c.f }) as tf.Tensor]));
        const expected = new Float32Array(sizeOf(c.f));
        for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < ci; k++) for (let o = 0; o < co; o++) {
          let sum = 0;
          for (let b = 0; b < n; b++) for (let y = 0; y < oh; y++) for (let z = 0; z < ow; z++) {
            const row = y * c.strides[0] + i * c.dilations[0] - info.padInfo.top;
            const col = z * c.strides[1] + j * c.dilations[1] - info.padInfo.left;
            if (row < 0 || row >= h || col < 0 || col >= w) continue;
            sum += xv[((b * h + row) * w + col) * ci + k] * dyv[((b * oh + y) * ow + z) * co + o];
          }
          expected[((i * fw + j) * ci + k) * co + o] = sum;
        }
        expect(relativeError(got, expected)).toBeLessThan(TOLERANCE);
      });
    }
  });

  describe('BatchMatMul with transposes matches cpu', () => {
    const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
      { a: [7, 5], b: [7, 3], ta: true, tb: false },
      { a: [5, 7], b: [3, 7], ta: false, tb: true },
      { a: [4, 6], b: [40, 6], ta: false, tb: true }, // Dense backprop shape: computed as (b·aᵀ)ᵀ
      { a: [3, 4, 6], b: [3, 20, 6], ta: false, tb: true },
      { a: [7, 5], b: [3, 7], ta: true, tb: true },
      { a: [4, 7, 5], b: [4, 6, 7], ta: true, tb: true },
      { a: [2, 5, 7], b: [2, 7, 3], ta: false, tb: false },
    ];
    for (const c of cases) {
      it(`a${c.a.join('x')}${c.ta ? 'ᵀ' : ''} b${c.b.join('x')}${c.tb ? 'ᵀ' : ''}`, async () => {
        const av = randomValues(sizeOf(c.a), 31);
        const bv = randomValues(sizeOf(c.b), 32);
        const compute = () => tf.tidy(() => [tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb)]);
        const [expected] = await runOn('cpu', compute);
        const [got] = await runOn('wasm', compute);
        expect(relativeError(got, expected)).toBeLessThan(TOLERANCE);
      });
    }
  });

  describe('UnsortedSegmentSum matches cpu', () => {
    it('repeated ids, rank-3 data', async () => {
      const ids = [3, 0, 3, 1, 3, 0, 4];
      const xv = randomValues(7 * 2 * 3, 41);
      const compute = () => tf.tidy(() => [tf.unsortedSegmentSum(tf.tensor3d(xv, [7, 2, 3]), tf.tensor1d(ids, 'int32'), 6)]);
      const [expected] = await runOn('cpu', compute);
      const [got] = await runOn('wasm', compute);
      expect(relativeError(got, expected)).toBeLessThan(TOLERANCE);
    });
    it('drops ids outside [0, numSegments), like cpu', async () => {
      const ids = [2, -1, 0, 5, 2];
      const xv = randomValues(5 * 4, 42);
      const compute = () => tf.tidy(() => [tf.unsortedSegmentSum(tf.tensor2d(xv, [5, 4]), tf.tensor1d(ids, 'int32'), 3)]);
      const [expected] = await runOn('cpu', compute);
      const [got] = await runOn('wasm', compute);
      expect(relativeError(got, expected)).toBeLessThan(TOLERANCE);
    });
    it('embedding gradient (gather backprop) matches cpu', async () => {
      const table = randomValues(10 * 4, 43);
      const ids = [1, 7, 1, 1, 9, 0];
      const compute = () => tf.tidy(() => {
        const t = tf.tensor2d(table, [10, 4]);
        return [tf.grad((v: tf.Tensor) => tf.gather(v, tf.tensor1d(ids, 'int32')).square().sum())(t)];
      });
      const [expected] = await runOn('cpu', compute);
      const [got] = await runOn('wasm', compute);
      expect(relativeError(got, expected)).toBeLessThan(TOLERANCE);
    });
  });
});
