// The baseline a person would write by hand with tfjs: the textbook Fashion-MNIST MLP (784-500-200-10, sigmoid
// hidden layers, softmax output), adam(0.001), batch 32, plain model.fit. Used to measure the generated trainer's
// overhead; run alone with `npx tsx bench/handwritten-mlp.ts [--backend wasm|cpu] [--epochs N] [--limit N]`.
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadFashionSplit } from './fashion-idx.js';

export interface HandwrittenOptions {
  epochs: number;
  limit: number;
  /** Folder of Fashion-MNIST IDX gz files; default Debian's. */
  dataDir?: string;
  batchSize?: number;
}

export interface HandwrittenResult {
  model: tf.LayersModel;
  trainSamples: number;
  /** Seconds of each epoch of model.fit: training batches only (no validation is asked for). */
  epochSeconds: number[];
  loss: number[];
}

export function buildMlp(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28] }));
  model.add(tf.layers.dense({ units: 500, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 200, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/** Trains on the first `limit` training images; the caller chooses and activates the backend first. */
export async function trainHandwritten(opts: HandwrittenOptions): Promise<HandwrittenResult> {
  const data = loadFashionSplit('train', { dir: opts.dataDir, limit: opts.limit });
  const x = tf.tensor3d(data.images, [data.count, 28, 28]);
  const y = tf.tensor1d(data.labels, 'float32');
  const model = buildMlp();
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const epochSeconds: number[] = [];
  let epochStart = 0;
  const history = await model.fit(x, y, {
    epochs: opts.epochs,
    batchSize: opts.batchSize ?? 32,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => { epochStart = performance.now(); },
      onEpochEnd: async () => { epochSeconds.push((performance.now() - epochStart) / 1000); },
    },
  });
  tf.dispose([x, y]);
  return { model, trainSamples: data.count, epochSeconds, loss: history.history.loss as number[] };
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const backend = arg('backend', 'wasm');
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  const result = await trainHandwritten({ epochs: Number(arg('epochs', '1')), limit: Number(arg('limit', '10000')) });
  result.epochSeconds.forEach((s, i) => {
    console.log(`epoch ${i + 1}: loss ${result.loss[i].toFixed(4)} - ${Math.round(result.trainSamples / s)} samples/s`);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e: Error) => { console.error(`error: ${e.message}`); process.exit(1); });
}
