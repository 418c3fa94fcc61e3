// Overhead benchmark: train() vs a plain model.fit on the same data and model (MLP 784-500-200-10, sigmoid,
// softmax, adam, batch 32, random data). Run: npx tsx test/runtime-trainer/bench-trainer.ts [cpu|wasm] [samples] [epochs] [rounds]
// Reports samples per wall-clock second and per CPU second of this process (the tfjs cpu and wasm backends are
// single-threaded here, so CPU time is far less disturbed by other load on the machine).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { train } from '../../src/codegen/runtime/trainer.js';
import { makeSpec, tempDir } from './helpers.js';

const [backend = 'cpu', samplesArg = '3200', epochsArg = '2', roundsArg = '3'] = process.argv.slice(2);
const samples = Number(samplesArg), epochs = Number(epochsArg), rounds = Number(roundsArg);

async function initBackend(name: string): Promise<void> {
  const helper = new URL('../../src/codegen/runtime/backend.ts', import.meta.url);
  if (existsSync(helper)) {
    const mod = await import(helper.href) as { initBackend?: (name: string, opts: object) => Promise<unknown> };
    const kernels = await import(new URL('../../src/codegen/runtime/wasm-kernels.ts', import.meta.url).href) as { registerWasmTrainingKernels: () => void };
    if (mod.initBackend) { await mod.initBackend(name, { wasmKernels: kernels.registerWasmTrainingKernels }); return; }
  }
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(name);
  await tf.ready();
}

function buildModel(): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 500, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.dense({ units: 200, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
  ] });
}

await initBackend(backend);
const x = tf.randomUniform([samples, 784], 0, 1, 'float32', 1);
const y = tf.tidy(() => tf.floor(tf.randomUniform([samples], 0, 10, 'float32', 2)).toInt());
const yFit = tf.tidy(() => y.toFloat().reshape([samples, 1]));
const spec = makeSpec({ optimizer: { type: 'adam', learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 }, epochs, batch_size: 32 });

interface Rate { wall: number; cpu: number }

async function timed(work: () => Promise<unknown>): Promise<Rate> {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpu0);
  const wallSeconds = (performance.now() - wall0) / 1000;
  return { wall: (samples * epochs) / wallSeconds, cpu: (samples * epochs) / ((cpu.user + cpu.system) / 1e6) };
}

async function plainFit(): Promise<Rate> {
  const model = buildModel();
  model.compile({ optimizer: tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const rate = await timed(() => model.fit(x, yFit, { epochs, batchSize: 32, shuffle: true, verbose: 0 }));
  model.dispose();
  return rate;
}

async function ourTrain(): Promise<Rate> {
  const model = buildModel();
  const outDir = tempDir('nnc-bench-');
  const rate = await timed(() => train({ training: spec, model, numClasses: 10, train: { x, y, size: samples }, validation: null, outDir, resume: false, quiet: true }));
  model.dispose();
  return rate;
}

const fitRates: Rate[] = [], trainRates: Rate[] = [];
const show = (r: Rate) => `${r.wall.toFixed(1)} samples/s wall, ${r.cpu.toFixed(1)} samples/cpu-s`;
for (let r = 0; r < rounds; r++) {
  fitRates.push(await plainFit());
  trainRates.push(await ourTrain());
  console.log(`round ${r + 1}: model.fit ${show(fitRates[r])}; train() ${show(trainRates[r])}`);
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
for (const key of ['wall', 'cpu'] as const) {
  const f = median(fitRates.map((r) => r[key])), t = median(trainRates.map((r) => r[key]));
  console.log(`${tf.getBackend()} ${key}: median model.fit ${f.toFixed(1)}, train() ${t.toFixed(1)} samples/s; train/fit = ${(t / f).toFixed(3)}`);
}
