// CPU time per training step, generated trainer's native step against PyTorch (1 thread, OPENBLAS_NUM_THREADS=1),
// interleaved: on a shared 2-vCPU machine the wall time of a run swings with other work several-fold, the CPU time
// a step takes far less. A fixed random batch; the model from a freshly compiled trainer.
//   npx tsx bench/step-cpu.ts [--rounds 3]      (prints one JSON object; not part of `npm run bench`)
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../src/codegen/runtime/backend.js';
import { registerWasmTrainingKernels } from '../src/codegen/runtime/wasm-kernels.js';
import { nativeTrainFunction } from '../src/codegen/runtime/native.js';
import { loadSnapshot, median, REPO, round, runJsonChild } from './lib.js';
import { compileTrainers, MODELS, PYTHON, torchEnv, type ModelKey } from './training.js';

async function nativeStep(dir: string, key: ModelKey, steps: number): Promise<number> {
  const { buildModel } = await import(pathToFileURL(path.join(dir, MODELS[key].trainer, 'model.ts')).href) as { buildModel(seed?: number): tf.LayersModel };
  const model = buildModel(1);
  const optimizer = tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const native = nativeTrainFunction(model, { loss: 'sparse_categorical_crossentropy' }, optimizer, (model as unknown as { model: { metricsNames: string[] } }).model.metricsNames);
  if ('reason' in native) throw new Error(`native step not available: ${native.reason}`);
  const batch = MODELS[key].batch;
  const x = tf.randomUniform([batch, ...MODELS[key].inputShape.split(',').map(Number)]);
  const y = tf.randomUniform([batch, 1], 0, 10).floor();
  for (let i = 0; i < 5; i++) tf.dispose(native.train([x, y]));
  const start = process.cpuUsage();
  for (let i = 0; i < steps; i++) tf.dispose(native.train([x, y]));
  const used = process.cpuUsage(start);
  tf.dispose([x, y]);
  model.dispose();
  return (used.user + used.system) / 1000 / steps;
}

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] ?? 3) || 3;
await initBackend('wasm', { quiet: true, wasmKernels: registerWasmTrainingKernels });
const dir = compileTrainers();
const out: Record<string, { native: number[]; torch: number[]; loadavg: number[][] }> = {};
for (const key of ['mlp', 'cnn'] as ModelKey[]) {
  const steps = key === 'mlp' ? 200 : 20;
  const entry: { native: number[]; torch: number[]; loadavg: number[][] } = (out[key] = { native: [], torch: [], loadavg: [] });
  for (let r = 0; r < rounds; r++) {
    entry.loadavg.push(loadSnapshot());
    entry.native.push(round(await nativeStep(dir, key, steps), 3));
    const t = await runJsonChild<{ cpuMsPerStep: number }>(PYTHON, [path.join(REPO, 'bench', 'torch_bench.py'), 'step',
      '--model', key, '--batch', String(MODELS[key].batch), '--steps', String(steps), '--threads', '1'], { env: torchEnv(1) });
    entry.torch.push(round(t.cpuMsPerStep, 3));
  }
}
const summary = Object.fromEntries(Object.entries(out).map(([k, e]) => [k, {
  ...e, nativeMedianMs: median(e.native), torchMedianMs: median(e.torch), speedRatio: round(median(e.torch) / median(e.native), 2),
}]));
process.stdout.write(JSON.stringify(summary) + '\n');
