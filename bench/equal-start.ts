// The equal-start experiment (issue 14's accuracy gap): the generated trainer's own training data (as its loadData
// gives it), its initial weights after seeding, its batch order per epoch, and its loss after every step, written
// to one folder that bench/equal_start.py then trains PyTorch from, step for step:
//   npx tsx bench/equal-start.ts [--model mlp|cnn] [--seed 1] [--epochs 3] [--out tmp/bench/equal-start-mlp-1]
//   /usr/bin/python3 bench/equal_start.py tmp/bench/equal-start-mlp-1
// Files: meta.json (shapes, weight names, per-step losses, test accuracy), x.f32 / y.i32 (the training split),
// order.i32 (epochs x n sample indices), init.f32 and step1.f32 (all weights in model.getWeights() order, before and
// after the first step), final.f32 (after training).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadFashionSplit } from './fashion-idx.js';
import { REPO } from './lib.js';
import { compileTrainers, configs, dataFor, MODELS, type ModelKey } from './training.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const modelKey = arg('model', 'mlp') as ModelKey;
const seed = Number(arg('seed', '1'));
const config = configs(false)[modelKey === 'mlp' ? 'mlpVersus' : 'cnnVersus'];
const epochs = Number(arg('epochs', String(config.epochs)));
// --no-dropout: dropout layers at rate 0 (both steps then draw no masks, so PyTorch can follow step for step).
const noDropout = process.argv.includes('--no-dropout');
const out = path.resolve(arg('out', path.join(REPO, 'tmp', 'bench', `equal-start-${modelKey}-${seed}${noDropout ? '-nodrop' : ''}`)));
mkdirSync(out, { recursive: true });

const folder = path.join(compileTrainers(), MODELS[modelKey].trainer);
const load = (file: string) => import(pathToFileURL(path.join(folder, file)).href);
const [{ initBackend }, { buildModel }, { loadData }, { TRAINING }, { train }, { Rng, permutation }] = await Promise.all(
  ['runtime.ts', 'model.ts', 'data.ts', 'train.ts', 'lib/trainer.ts', 'lib/rng.ts'].map(load));

const backend = await initBackend('wasm', { quiet: true });
const { dir } = dataFor(config);
const data = await loadData({ dataDir: dir, seed, limit: config.train, log: () => {} });
const n: number = data.train.size;

const weightsOf = (model: tf.LayersModel) => {
  const ws = model.getWeights();
  const parts = ws.map((w) => w.dataSync() as Float32Array);
  const flat = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { flat.set(p, o); o += p.length; }
  return { flat, names: model.weights.map((w) => w.originalName), shapes: ws.map((w) => w.shape) };
};
const save = (file: string, a: Float32Array | Int32Array) => writeFileSync(path.join(out, file), Buffer.from(a.buffer, a.byteOffset, a.byteLength));

// The trainer's batch order: one sfc32 stream seeded with the run's seed, one permutation per epoch (trainer.ts).
const rng = new Rng(seed);
const orders = new Int32Array(epochs * n);
for (let e = 0; e < epochs; e++) orders.set(permutation(n, TRAINING.shuffle ? rng : null), e * n);

const common = { training: TRAINING, numClasses: 10, validation: data.validation, resume: false, quiet: false, log: () => {}, progress: 'plain', seed, handleSigint: false };

// Weights after one step: the same model trained on just the first batch of epoch 1 (a batch's loss is a mean, so
// the order inside it does not matter beyond rounding).
const build = (): tf.LayersModel => {
  const model = buildModel(seed);
  if (noDropout) for (const layer of model.layers) if (layer.getClassName() === 'Dropout') (layer as unknown as { rate: number }).rate = 0;
  return model;
};
const first = build();
const init = weightsOf(first);
const firstIds = tf.tensor1d(orders.subarray(0, MODELS[modelKey].batch), 'int32');
const firstSplit = { x: tf.gather(data.train.x, firstIds), y: tf.gather(data.train.y, firstIds), size: MODELS[modelKey].batch };
await train({ ...common, model: first, train: firstSplit, validation: null, outDir: path.join(out, 'run-step1'), epochs: 1 });
const step1 = weightsOf(first);

const model = build();
const losses: number[] = [];
let stepLine: string | null = null;
const result = await train({
  ...common, model, train: data.train, outDir: path.join(out, 'run'), epochs,
  log: (line: string) => { if (line.startsWith('training step:')) stepLine = line; },
  onBatchEnd: (_e: number, _done: number, loss: number) => losses.push(loss),
});
const final = weightsOf(result.model);

const test = loadFashionSplit('t10k', { dir });
const xTest = tf.tensor(test.images, [test.count, ...MODELS[modelKey].inputShape.split(',').map(Number)]);
const predicted = await (result.model.predict(xTest, { batchSize: 256 }) as tf.Tensor).argMax(-1).data();
let correct = 0;
for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;

save('x.f32', data.train.x.dataSync() as Float32Array);
save('y.i32', Int32Array.from(data.train.y.dataSync() as ArrayLike<number>));
save('order.i32', orders);
if (data.validation) {
  save('xval.f32', data.validation.x.dataSync() as Float32Array);
  save('yval.i32', Int32Array.from(data.validation.y.dataSync() as ArrayLike<number>));
}
save('init.f32', init.flat);
save('step1.f32', step1.flat);
save('final.f32', final.flat);
const meta = {
  model: modelKey, seed, epochs, batch: MODELS[modelKey].batch, n, xShape: data.train.x.shape, yDtype: data.train.y.dtype,
  validation: data.validation?.size ?? 0, backend, trainingStep: stepLine, weights: init.names.map((name, i) => ({ name, shape: init.shapes[i] })),
  losses, testAccuracy: correct / test.count, testSamples: test.count, dataDir: dir,
  epochsRun: result.epochsRun, stoppedEarly: result.stoppedEarly, bestEpoch: result.bestEpoch ?? null, history: result.history,
  noDropout, earlyStopping: TRAINING.early_stopping,
};
writeFileSync(path.join(out, 'meta.json'), JSON.stringify(meta) + '\n');
process.stdout.write(JSON.stringify({ out, n, steps: losses.length, trainingStep: stepLine, testAccuracy: meta.testAccuracy, epochsRun: result.epochsRun }) + '\n');
