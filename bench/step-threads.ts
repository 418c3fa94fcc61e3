// nnc-native's own threads (NNC_NATIVE_THREADS, native/src/parallel.h): wall and CPU time per training step of the
// compiled MLP (batch 32) and CNN (batch 64) on a fixed random batch, 1 thread against 2, interleaved in rounds, with
// the machine's load at each; and the weights after the steps, which must be bit-identical for every thread count.
//   npx tsx bench/step-threads.ts [--rounds 3] [--threads 1,2]   (one JSON object; not part of `npm run bench`)
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../src/codegen/runtime/backend.js';
import { loadNativeAddon, nativeTrainFunction } from '../src/codegen/runtime/native.js';
import { loadSnapshot, median, round } from './lib.js';
import { compileTrainers, MODELS, type ModelKey } from './training.js';

interface Timing { wallMs: number; cpuMs: number; digest: string }

async function timeSteps(dir: string, key: ModelKey, steps: number): Promise<Timing> {
  const { buildModel } = await import(pathToFileURL(path.join(dir, MODELS[key].trainer, 'model.ts')).href) as { buildModel(seed?: number): tf.LayersModel };
  const model = buildModel(1);
  const optimizer = tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const native = nativeTrainFunction(model, { loss: 'sparse_categorical_crossentropy' }, optimizer, (model as unknown as { model: { metricsNames: string[] } }).model.metricsNames, { seed: 3 });
  if ('reason' in native) throw new Error(`native step not available: ${native.reason}`);
  const batch = MODELS[key].batch;
  const shape = MODELS[key].inputShape.split(',').map(Number);
  // Seeded, so every thread count trains on the same batch.
  const x = tf.randomUniform([batch, ...shape], 0, 1, 'float32', 11);
  const y = tf.randomUniform([batch, 1], 0, 10, 'float32', 12).floor();
  for (let i = 0; i < 5; i++) tf.dispose(native.train([x, y], i));
  const wall = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < steps; i++) tf.dispose(native.train([x, y], 5 + i));
  const used = process.cpuUsage(cpu);
  const wallMs = (performance.now() - wall) / steps;
  const hash = createHash('sha256');
  for (const w of model.getWeights()) hash.update(Buffer.from((w.dataSync() as Float32Array).buffer));
  tf.dispose([x, y]);
  model.dispose();
  return { wallMs, cpuMs: (used.user + used.system) / 1000 / steps, digest: hash.digest('hex').slice(0, 16) };
}

const arg = (name: string, fallback: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : fallback; };
const rounds = Number(arg('rounds', '3'));
const counts = arg('threads', '1,2').split(',').map(Number);
await initBackend('wasm', { quiet: true });
const addon = loadNativeAddon().addon;
if (!addon?.setThreads) throw new Error('nnc-native with setThreads is not loaded');
const dir = compileTrainers();
type Entry = { loadavg: number[][] } & Record<string, Timing[] | number[][]>;
const out: Record<string, Entry> = {};
for (const key of ['mlp', 'cnn'] as ModelKey[]) {
  const steps = key === 'mlp' ? 300 : 30;
  const entry: Entry = (out[key] = { loadavg: [] });
  for (let r = 0; r < rounds; r++) {
    entry.loadavg.push(loadSnapshot());
    // Rotate which thread count goes first.
    for (let j = 0; j < counts.length; j++) {
      const t = counts[(j + r) % counts.length];
      addon.setThreads(t);
      ((entry[`threads${t}`] ??= []) as Timing[]).push(await timeSteps(dir, key, steps));
    }
  }
}
const summary = Object.fromEntries(Object.entries(out).map(([key, e]) => {
  const per = Object.fromEntries(counts.map((t) => {
    const runs = e[`threads${t}`] as Timing[];
    return [`threads${t}`, { wallMsMedian: round(median(runs.map((x) => x.wallMs)), 3), cpuMsMedian: round(median(runs.map((x) => x.cpuMs)), 3), runs }];
  }));
  const digests = new Set(counts.flatMap((t) => (e[`threads${t}`] as Timing[]).map((x) => x.digest)));
  const [one, two] = counts.map((t) => per[`threads${t}`].wallMsMedian);
  return [key, { ...per, loadavg: e.loadavg, bitIdentical: digests.size === 1, wallSpeedup: two ? round(one / two, 3) : null }];
}));
process.stdout.write(JSON.stringify(summary, null, 1) + '\n');
