// Shared helpers: deterministic random data and running the same computation on the cpu and wasm backends.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/codegen/runtime/wasm-kernels.js';

/** Deterministic uniform(-1, 1) values (mulberry32). */
export function randomValues(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

let wasmReady = false;
export async function useWasmWithTrainingKernels(): Promise<void> {
  if (!wasmReady) {
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialize');
    registerWasmTrainingKernels();
    wasmReady = true;
  }
  await tf.setBackend('wasm');
}

/** Data ids held by the active backend: catches leaks inside kernels, which tf.memory().numTensors cannot see. */
export function backendDataIds(): number {
  return (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();
}

/** Runs `compute` on `backend`, returning its outputs' values; asserts that it leaves no tensor or data id behind. */
export async function runOn(backend: 'cpu' | 'wasm', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  if (backend === 'wasm') await useWasmWithTrainingKernels();
  else await tf.setBackend('cpu');
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = backendDataIds();
  const outs = compute();
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  const leakedTensors = tf.memory().numTensors - tensorsBefore;
  const leakedIds = backendDataIds() - idsBefore;
  if (leakedTensors !== 0 || leakedIds !== 0) {
    throw new Error(`${backend}: leaked ${leakedTensors} tensors and ${leakedIds} backend data ids`);
  }
  return values;
}

/** max |a-b| / max(max|b|, 1e-6): relative to the reference's scale so that near-zero entries do not dominate. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let maxDiff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return maxDiff / scale;
}
