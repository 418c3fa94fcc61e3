// Dropout masks on a real generated model (specs/fashion_cnn.nn, compiled into a temp folder, trained by the
// runtime copied into that folder): tfjs's own step (NNC_NATIVE=off) must drop other units on every step (tfjs's
// seeded Dropout alone draws one mask forever), one seed must give one run bit for bit, model.json must keep the
// spec's dropout seed, and an interrupted run resumed mid-epoch must end with the weights of an uninterrupted one,
// on the tfjs step and on the native step alike.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainSpec } from '../../src/codegen/runtime/spec-types.js';
import type { train as trainFn, TrainSplit } from '../../src/codegen/runtime/trainer.js';
import { prepareTrainer, seededRandom, TRAINING_TIMEOUT, type Workspace } from '../e2e/helpers.js';

type Step = 'tfjs' | 'native';

let ws: Workspace;
let train: typeof trainFn;
let spec: TrainSpec;
let data: TrainSplit;

beforeAll(async () => {
  ws = await prepareTrainer('fashion_cnn', () => {});
  const lib = (file: string) => import(pathToFileURL(path.join(ws.trainerDir, 'lib', file)).href);
  ({ train } = await lib('trainer.ts'));
  // the trainer's own runtime.ts: it registers the wasm kernels its convolutions train with (lib/wasm-kernels.ts)
  const { initBackend } = await import(pathToFileURL(path.join(ws.trainerDir, 'runtime.ts')).href);
  expect(await initBackend('wasm', { quiet: true })).toBe('wasm');
  const base = (ws.train as unknown as { TRAINING: TrainSpec }).TRAINING;
  spec = { ...base, epochs: 2, batch_size: 16, metrics: ['accuracy'], early_stopping: null, checkpoint: null };
  const n = 48;
  const random = seededRandom(5);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  // Bright blobs whose position depends on the class, on noise: learnable, and relu keeps many units alive.
  const x = new Float32Array(n * 28 * 28).map((_, j) => {
    const [i, p] = [Math.floor(j / 784), j % 784];
    const near = Math.abs(Math.floor(p / 28) - 2 * labels[i] - 4) < 4;
    return near ? 0.6 + 0.4 * random() : 0.3 * random();
  });
  data = { x: tf.tensor4d(x, [n, 28, 28, 1]), y: tf.tensor1d(labels, 'int32'), size: n };
}, TRAINING_TIMEOUT);

afterAll(() => {
  if (data) tf.dispose([data.x, data.y]);
  ws?.cleanup();
});

async function onStep<T>(step: Step, run: () => Promise<T>): Promise<T> {
  const before = process.env.NNC_NATIVE;
  process.env.NNC_NATIVE = step === 'tfjs' ? 'off' : '';
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.NNC_NATIVE;
    else process.env.NNC_NATIVE = before;
  }
}

function dropoutLayerOf(model: tf.LayersModel): tf.layers.Layer {
  const found = model.layers.filter((l) => l.getClassName() === 'Dropout');
  expect(found).toHaveLength(1);
  return found[0];
}

/** Trains a fresh model from the generated buildModel(seed); returns it with the info lines the trainer printed. */
async function trainRun(step: Step, opts: { seed?: number; outDir?: string; resume?: boolean; stopAfter?: number; scramble?: boolean; record?: (mask: Int32Array) => void } = {}) {
  const model = ws.model.buildModel(opts.seed ?? spec.seed);
  // Other initial weights: a resumed run must take every weight from the checkpoint.
  if (opts.scramble) model.setWeights(model.getWeights().map((w) => tf.tidy(() => w.mul(-0.5))));
  if (opts.record) {
    // Record which of the dropout layer's inputs it kept, on every training call.
    const layer = dropoutLayerOf(model) as unknown as { call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor };
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => {
      const out = call(inputs, kwargs);
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      // 1 kept, 0 dropped, 2 for an input that is zero anyway (a dead relu unit).
      if (kwargs.training) opts.record!(tf.tidy(() => tf.where(tf.equal(input, 0), tf.scalar(2, 'int32'), tf.cast(tf.notEqual(out, 0), 'int32')).dataSync() as Int32Array));
      return out;
    };
  }
  const lines: string[] = [];
  let batches = 0;
  const result = await onStep(step, () => train({
    training: { ...spec, seed: opts.seed ?? spec.seed }, model, numClasses: 10, train: data, validation: null,
    outDir: opts.outDir ?? path.join(ws.dir, `run-${Math.random().toString(36).slice(2)}`), resume: opts.resume ?? false,
    quiet: false, log: (l) => lines.push(l), progress: 'plain', handleSigint: false,
    shouldStop: () => opts.stopAfter !== undefined && batches >= opts.stopAfter,
    onBatchEnd: () => { batches++; },
  }));
  return { result, lines, weights: result.model.getWeights().map((w) => w.dataSync() as Float32Array) };
}

/** A digest of the arrays' bytes: equal digests are equal arrays bit for bit (and a failure prints two lines). */
const bits = (arrays: (Float32Array | Int32Array)[]) => {
  const hash = createHash('sha256');
  for (const a of arrays) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return `${arrays.length} arrays, sha256 ${hash.digest('hex')}`;
};

describe('dropout on the tfjs step of a generated model', () => {
  it('drops other units on every step, reproducibly', async () => {
    const masks: Int32Array[] = [];
    const { lines } = await trainRun('tfjs', { record: (mask) => masks.push(mask) });
    expect(lines.some((l) => l.startsWith('training step: tfjs'))).toBe(true);
    // 48 samples in batches of 16, 2 epochs: 6 steps, one mask each.
    expect(masks).toHaveLength(6);
    for (const [i, mask] of masks.entries()) {
      const live = mask.filter((v) => v !== 2);
      expect(live.length, `step ${i + 1}: live inputs`).toBeGreaterThan(mask.length / 4);
      // dropout(0.3) keeps a live input with probability 0.7
      expect(live.reduce((a, v) => a + v, 0) / live.length).toBeCloseTo(0.7, 1);
    }
    for (let i = 1; i < masks.length; i++) {
      // Inputs live on both steps: one mask for every step would keep or drop each of them on both.
      let both = 0;
      let changed = 0;
      masks[i].forEach((v, j) => {
        const u = masks[i - 1][j];
        if (v === 2 || u === 2) return;
        both++;
        if (v !== u) changed++;
      });
      // Independent masks: 2 x 0.7 x 0.3 = 42% of them change.
      expect(changed / both, `step ${i + 1} against step ${i}`).toBeGreaterThan(0.3);
    }
    const again: Int32Array[] = [];
    await trainRun('tfjs', { record: (mask) => again.push(mask) });
    expect(bits(again)).toBe(bits(masks));
  }, TRAINING_TIMEOUT);

  it('gives the same weights bit for bit for one seed, other weights for another, and saves the spec\'s seed', async () => {
    const a = await trainRun('tfjs');
    const b = await trainRun('tfjs');
    expect(bits(b.weights)).toEqual(bits(a.weights));
    // Seed 8 also changes the initial weights, so only the inequality is meaningful here.
    expect(bits((await trainRun('tfjs', { seed: 8 })).weights)).not.toEqual(bits(a.weights));
    const layer = dropoutLayerOf(a.result.model) as unknown as { seed: number };
    const model = ws.model.buildModel(spec.seed);
    expect(layer.seed).toBe((dropoutLayerOf(model) as unknown as { seed: number }).seed);
    const { saveModelAtomic } = await import(pathToFileURL(path.join(ws.trainerDir, 'lib', 'model-io.ts')).href);
    const dir = path.join(ws.dir, 'saved');
    await saveModelAtomic(a.result.model, dir, {});
    const topology = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).modelTopology;
    const saved = JSON.stringify(topology).match(/"class_name":"Dropout","config":\{[^}]*"seed":(\d+)/);
    expect(Number(saved?.[1])).toBe(layer.seed);
  }, TRAINING_TIMEOUT);
});

describe.each(['tfjs', 'native'] as const)('dropout on the %s step, resumed mid-epoch', (step) => {
  it('ends with the weights of an uninterrupted run, bit for bit', async () => {
    const full = await trainRun(step);
    expect(full.lines.some((l) => l.startsWith(`training step: ${step}`)), full.lines.join('\n')).toBe(true);
    const outDir = path.join(ws.dir, `resume-${step}`);
    // 3 batches per epoch: stop after the fourth batch, in the middle of epoch 2.
    const first = await trainRun(step, { outDir, stopAfter: 4 });
    expect(first.result.stopReason).toBe('interrupted');
    const resumed = await trainRun(step, { outDir, resume: true, scramble: true });
    expect(resumed.result.epochsRun).toBe(2);
    expect(bits(resumed.weights)).toEqual(bits(full.weights));
    expect(resumed.result.history.loss).toEqual(full.result.history.loss);
  }, TRAINING_TIMEOUT);
});
