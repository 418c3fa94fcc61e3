// initBackend: explicit choices, the automatic fallback, errors, and the one-line report.
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { BackendError, initBackend } from '../../src/codegen/runtime/backend.js';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNEL_NAMES } from '../../src/codegen/runtime/wasm-kernels.js';

function tfjsNodeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('initBackend', () => {
  it("'cpu' selects the cpu backend and reports it", async () => {
    const lines: string[] = [];
    expect(await initBackend('cpu', { log: (l) => lines.push(l) })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(lines).toEqual(['backend: cpu (requested)']);
  });

  it("'wasm' selects wasm, and registers the training kernels only when the trainer passes them", async () => {
    // a trainer whose model needs none (runtime.ts passes no wasmKernels): wasm's own kernels only
    expect(await initBackend('wasm', { quiet: true })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    // the same request again, now from a trainer that needs them
    expect(await initBackend('wasm', { quiet: true, wasmKernels: registerWasmTrainingKernels })).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    for (const name of WASM_TRAINING_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it('is idempotent: a second identical call returns the same backend and does not log again', async () => {
    const lines: string[] = [];
    await initBackend('wasm', { log: (l) => lines.push(l) });
    await initBackend('wasm', { log: (l) => lines.push(l) });
    expect(tf.getBackend()).toBe('wasm');
    expect(lines.length).toBeLessThanOrEqual(1);
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const g = tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, 1, 'valid').sum())(tf.ones([2, 2, 1, 1]));
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4]);
  });

  it("'auto' uses tfjs-node when installed, else falls back to wasm and says why", async () => {
    await initBackend('cpu', { quiet: true });
    const lines: string[] = [];
    const chosen = await initBackend('auto', { log: (l) => lines.push(l) });
    if (tfjsNodeInstalled()) {
      expect(chosen).toBe('tensorflow');
    } else {
      expect(chosen).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^backend: wasm \(tfjs-node not available: .+\)$/);
    }
  });

  it('reads NNC_BACKEND when no backend is given', async () => {
    const saved = process.env.NNC_BACKEND;
    process.env.NNC_BACKEND = 'cpu';
    try {
      expect(await initBackend(undefined, { quiet: true })).toBe('cpu');
      expect(tf.getBackend()).toBe('cpu');
    } finally {
      if (saved === undefined) delete process.env.NNC_BACKEND;
      else process.env.NNC_BACKEND = saved;
    }
  });

  it('rejects an unknown backend name with a clear error', async () => {
    await expect(initBackend('webgpu')).rejects.toThrow(BackendError);
    await expect(initBackend('webgpu')).rejects.toThrow(/unknown backend 'webgpu' \(expected one of auto, node, tensorflow, wasm, cpu\)/);
  });

  it.skipIf(tfjsNodeInstalled())("an explicit 'node' request fails clearly when tfjs-node is missing", async () => {
    await expect(initBackend('node')).rejects.toThrow(/backend 'node' was requested but @tensorflow\/tfjs-node could not be used: not installed/);
  });
});
