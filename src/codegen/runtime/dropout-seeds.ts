// Fresh, reproducible dropout masks on tfjs's own training step. tfjs's Dropout layer hands its `seed` to
// tf.dropout on every call, and tf.dropout seeds a new generator from it each time, so a seeded dropout layer (nnc
// seeds every one, from the training seed) would drop the same units on every step. For the length of one step each
// dropout layer's seed becomes mixSeeds(its own seed, the step's seed) instead, and is put back afterwards, so
// model.json keeps the spec's seed. The trainer derives the step's seed from (training seed, epoch, first sample of
// the batch): one seed gives one run, masks differ from step to step, and a resumed run draws what an uninterrupted
// one would. The native step takes the same step seed for its own mask stream (native/README.md).
import type * as tf from '@tensorflow/tfjs';
import { mixSeeds } from './rng.js';

/** tfjs layer classes that draw their mask with tf.dropout(x, rate, noiseShape, this.seed). */
const SEEDED_DROPOUT = new Set(['Dropout', 'SpatialDropout1D']);

interface SeededLayer { seed?: number }

/** The dropout layers of `model`, nested models included, in model order. */
export function dropoutLayers(model: tf.LayersModel): (tf.layers.Layer & SeededLayer)[] {
  const found: (tf.layers.Layer & SeededLayer)[] = [];
  const visit = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      if (SEEDED_DROPOUT.has(layer.getClassName())) found.push(layer as tf.layers.Layer & SeededLayer);
      const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(nested)) visit(nested);
    }
  };
  visit(model.layers);
  return found;
}

/**
 * Runs `step` with every layer of `layers` seeded for the step `stepSeed`; a layer without a seed of its own is
 * seeded from its position. Seeds are restored even when the step throws.
 */
export function withStepSeeds<T>(layers: SeededLayer[], stepSeed: number, step: () => T): T {
  if (layers.length === 0) return step();
  const saved = layers.map((l) => l.seed);
  layers.forEach((l, i) => { l.seed = mixSeeds(saved[i] ?? i, stepSeed); });
  try {
    return step();
  } finally {
    layers.forEach((l, i) => { l.seed = saved[i]; });
  }
}

/** The seed of the training step on the batch starting at sample `start` of `epoch` (apart from augmentation's). */
export function stepSeed(seed: number, epoch: number, start: number): number {
  return mixSeeds(seed, epoch, start, 0x64726f70); // 'drop'
}
