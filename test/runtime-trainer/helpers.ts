// Shared fixtures: a small synthetic classification problem, a tiny MLP and a TrainSpec with defaults.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TrainSpec } from '../../src/codegen/runtime/spec-types.js';
import type { TrainSplit } from '../../src/codegen/runtime/trainer.js';
import { Rng } from '../../src/codegen/runtime/rng.js';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export function tempDir(prefix = 'nnc-trainer-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function makeSpec(overrides: Partial<TrainSpec> = {}): TrainSpec {
  return {
    name: 'mlp_on_blobs', model: 'mlp', dataset: 'blobs',
    loss: 'sparse_categorical_crossentropy',
    optimizer: { type: 'adam', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
    schedule: null, metrics: ['accuracy'], epochs: 5, batch_size: 16, shuffle: true, seed: 7,
    early_stopping: null, checkpoint: null, class_weights: null,
    ...overrides,
  };
}

/** Noisy blobs: class c centered at a fixed random point (same for every seed); the noise depends on `seed`. */
export function makeBlobs(n: number, features = 8, classes = 3, seed = 1, spread = 1.0): TrainSplit {
  const centerRng = new Rng(12345);
  const centers = Array.from({ length: classes }, () => Array.from({ length: features }, () => centerRng.nextFloat() * 4 - 2));
  const rng = new Rng(seed);
  const x = new Float32Array(n * features);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let f = 0; f < features; f++) {
      // Sum of uniforms: roughly normal noise.
      const noise = (rng.nextFloat() + rng.nextFloat() + rng.nextFloat() - 1.5) * spread;
      x[i * features + f] = centers[c][f] + noise;
    }
  }
  return { x: tf.tensor2d(x, [n, features]), y: tf.tensor1d(y, 'int32'), size: n };
}

export function buildMlp(seed: number, features = 8, classes = 3, hidden = 16): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [features], units: hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'dense_1' }),
      tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'dense_2' }),
    ],
  });
}

export function disposeSplit(split: TrainSplit | null): void {
  if (split) tf.dispose([split.x, split.y]);
}
