// fruits_cnn on the pure-JS cpu backend. tfjs' cpu Conv2DBackpropFilter is slow (tens of seconds per 100 x 100
// sample), so it takes one training step of one sample, the same step the wasm backend takes: the loss must agree
// and the conv gradients must move the kernels the same way.
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convKernels, drawFruits } from './fruits-data.js';
import { prepareTrainer, type Workspace } from './helpers.js';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
}

describe('fruits_cnn end to end (cpu)', () => {
  let ws: Workspace;

  beforeAll(async () => { ws = await prepareTrainer('fruits_cnn', drawFruits); });
  afterAll(() => ws?.cleanup());

  it('takes the same training step on cpu as on wasm: equal loss, conv kernels moved the same way', async () => {
    const initial = convKernels(ws.model.buildModel());
    const oneStep = { epochs: 1, limit: 1, batchSize: 1, quiet: true };
    // tfjs's own step on wasm: the native step (nnc-native) draws other dropout masks; test/runtime-native covers it.
    process.env.NNC_NATIVE = 'off';
    const wasm = await ws.train.runTraining({ ...oneStep, out: path.join(ws.dir, 'wasm'), backend: 'wasm' })
      .finally(() => { delete process.env.NNC_NATIVE; });
    const cpu = await ws.train.runTraining({ ...oneStep, out: path.join(ws.dir, 'cpu'), backend: 'cpu' });
    expect([cpu.backend, wasm.backend]).toEqual(['cpu', 'wasm']);
    const [cpuLoss] = cpu.result.history.loss;
    const [wasmLoss] = wasm.result.history.loss;
    expect(Number.isFinite(cpuLoss)).toBe(true);
    expect(Math.abs(cpuLoss - wasmLoss)).toBeLessThan(1e-3 * Math.abs(wasmLoss));
    const cpuKernels = convKernels(cpu.result.model);
    const wasmKernels = convKernels(wasm.result.model);
    expect(cpuKernels).toHaveLength(2);
    cpuKernels.forEach((cpuKernel, k) => {
      const cpuStep = cpuKernel.map((v, i) => v - initial[k][i]);
      const wasmStep = wasmKernels[k].map((v, i) => v - initial[k][i]);
      // One adam step moves a weight by up to the learning rate (0.001).
      expect(Math.max(...cpuStep.map(Math.abs))).toBeGreaterThan(5e-4);
      expect(cosine(cpuStep, wasmStep)).toBeGreaterThan(0.99);
    });
  }, 400_000);
});
