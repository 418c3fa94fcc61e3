// One tfjs training run in a fresh process, printing one JSON line on stdout (everything else goes to stderr):
//   tsx bench/tfjs-child.ts --impl generated|handwritten|handwritten-plain --trainer <generated folder>
//                           --backend wasm|cpu --epochs N --limit N
//                           [--data-dir DIR] [--input-shape 28,28,1] [--infer] [--out DIR] [--seed N]
// generated: runTraining() of an nnc-generated trainer; samples/s is timed over each epoch's training batches
// (see watchEpochs), excluding data loading, validation and checkpoints. handwritten: bench/handwritten-mlp.ts with
// the backend set up by nnc's initBackend (same kernels as the generated trainer); handwritten-plain: the same
// script on tfjs's own backend, without nnc's kernels.
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadFashionSplit } from './fashion-idx.js';
import { trainHandwritten } from './handwritten-mlp.js';
import { REPO } from './lib.js';

interface Args { impl: string; trainer: string; backend: string; epochs: number; limit: number; infer: boolean; out: string; dataDir: string | undefined; inputShape: number[]; seed: number | undefined }

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback?: string): string => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0 && argv[i + 1] !== undefined) return argv[i + 1];
    if (fallback === undefined) throw new Error(`tfjs-child: --${name} is required`);
    return fallback;
  };
  return {
    impl: get('impl'), trainer: get('trainer', ''), backend: get('backend'), epochs: Number(get('epochs', '1')),
    limit: Number(get('limit', '10000')), infer: argv.includes('--infer'), out: get('out', path.join(REPO, 'tmp', 'bench', 'run')),
    dataDir: get('data-dir', '') || undefined,
    inputShape: get('input-shape', '28,28').split(',').map(Number),
    seed: get('seed', '') === '' ? undefined : Number(get('seed')),
  };
}

/**
 * Times the generated trainer's epochs from outside: each epoch it creates the shuffled order (an int32 [n] tensor)
 * just before its clock starts and disposes it just after the last batch, when its clock stops. The engine's
 * makeTensor/disposeTensor are wrapped to see that; the epoch lines' integer samples/s are kept as a cross-check.
 */
function watchEpochs(n: number): () => number[] {
  type Tracked = tf.Tensor & { __benchCreated?: number };
  const engine = tf.engine() as unknown as { makeTensor: (...a: unknown[]) => Tracked; disposeTensor: (t: Tracked) => void };
  const makeTensor = engine.makeTensor.bind(engine);
  const disposeTensor = engine.disposeTensor.bind(engine);
  const created: number[] = [];
  const intervals: [number, number][] = [];
  const matches = (t: Tracked) => t.dtype === 'int32' && t.rank === 1 && t.size === n;
  engine.makeTensor = (...a: unknown[]) => {
    const t = makeTensor(...a);
    if (matches(t)) { t.__benchCreated = performance.now(); created.push(t.__benchCreated); }
    return t;
  };
  engine.disposeTensor = (t: Tracked) => {
    if (t.__benchCreated !== undefined && !t.isDisposed) intervals.push([t.__benchCreated, performance.now()]);
    disposeTensor(t);
  };
  // An epoch's order tensor is one with no other such tensor created during its life (the label tensor has some).
  return () => intervals
    .filter(([from, to]) => !created.some((c) => c > from && c < to))
    .sort((a, b) => a[0] - b[0])
    .map(([from, to]) => n / ((to - from) / 1000));
}

/** "epoch 2/2 - loss 0.5 - ... - 3,456 samples/s - 3.1s" -> 3456 */
function rateFromEpochLine(line: string): number | null {
  const m = /^epoch \d+\/\d+ .* - ([\d,]+) samples\/s - /.exec(line);
  return m ? Number(m[1].replace(/,/g, '')) : null;
}

/** Test accuracy and inference throughput (batch 256, after one warm-up batch) on the test images. */
async function inference(model: tf.LayersModel, inputShape: number[], dataDir: string | undefined): Promise<{ testAccuracy: number; inferImagesPerSec: number }> {
  const test = loadFashionSplit('t10k', { dir: dataDir });
  const x = tf.tensor(test.images, [test.count, ...inputShape]);
  tf.tidy(() => model.predict(x.slice(0, Math.min(256, test.count)), { batchSize: 256 }) as tf.Tensor).dispose();
  const start = performance.now();
  const probs = model.predict(x, { batchSize: 256 }) as tf.Tensor;
  const predicted = await probs.argMax(-1).data();
  const seconds = (performance.now() - start) / 1000;
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
  tf.dispose([x, probs]);
  return { testAccuracy: correct / test.count, inferImagesPerSec: test.count / seconds };
}

async function wasmThreads(): Promise<number | null> {
  if (tf.getBackend() !== 'wasm') return null;
  const wasm = await import('@tensorflow/tfjs-backend-wasm') as unknown as { getThreadsCount?: () => number };
  return wasm.getThreadsCount ? wasm.getThreadsCount() : null;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const wallStart = performance.now();
  let epochRates: number[];
  let loggedRates: number[] | null = null;
  let trainSamples: number;
  let model: tf.LayersModel;
  let backend: string;
  let trainingStep: string | null = null;
  let restoredEpoch: number | null = null;
  if (args.impl === 'generated') {
    const trainer = await import(pathToFileURL(path.join(path.resolve(args.trainer), 'train.ts')).href);
    const epochTimes = watchEpochs(args.limit);
    const lines: string[] = [];
    const consoleLog = console.log;
    console.log = (...parts: unknown[]) => { const line = parts.join(' '); lines.push(line); process.stderr.write(line + '\n'); };
    try {
      const outcome = await trainer.runTraining({ epochs: args.epochs, limit: args.limit, out: args.out, backend: args.backend, quiet: false, dataDir: args.dataDir, seed: args.seed });
      model = outcome.result.model;
      backend = outcome.backend;
    } finally {
      console.log = consoleLog;
    }
    loggedRates = lines.map(rateFromEpochLine).filter((r): r is number => r !== null);
    epochRates = epochTimes();
    trainingStep = lines.find((l) => l.startsWith('training step:')) ?? null;
    // early_stopping { restore_best_weights: true }: the epoch whose weights the model ends with.
    const restored = lines.map((l) => /restored the weights of the best epoch \((\d+)\)/.exec(l)).find((m) => m);
    restoredEpoch = restored ? Number(restored[1]) : null;
    const described = lines.map((l) => /\((\d+) train, /.exec(l)).find((m) => m);
    trainSamples = described ? Number(described[1]) : args.limit;
  } else {
    if (args.impl === 'handwritten') {
      const { initBackend } = await import('../src/codegen/runtime/backend.js');
      const { registerWasmTrainingKernels } = await import('../src/codegen/runtime/wasm-kernels.js');
      backend = await initBackend(args.backend, { quiet: true, wasmKernels: registerWasmTrainingKernels });
    } else {
      if (args.backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend(args.backend))) throw new Error(`backend ${args.backend} failed to initialize`);
      backend = args.backend;
    }
    const result = await trainHandwritten({ epochs: args.epochs, limit: args.limit, dataDir: args.dataDir });
    model = result.model;
    trainSamples = result.trainSamples;
    epochRates = result.epochSeconds.map((s) => result.trainSamples / s);
  }
  if (epochRates.length !== args.epochs) throw new Error(`expected ${args.epochs} epoch timings, found ${epochRates.length} (${args.impl})`);
  // Steady state: epochs after the first (which includes kernel warm-up) when there are several.
  const steady = epochRates.length > 1 ? epochRates.slice(1) : epochRates;
  const harmonic = (rates: number[]) => rates.length / rates.reduce((s, r) => s + 1 / r, 0);
  const inferred = args.infer ? await inference(model, args.inputShape, args.dataDir) : null;
  const result = {
    impl: args.impl, backend, tfjs: tf.version.tfjs, wasmThreads: await wasmThreads(), epochs: args.epochs, trainSamples, trainingStep, restoredEpoch,
    epochSamplesPerSec: epochRates.map((r) => round1(r)), loggedSamplesPerSec: loggedRates, samplesPerSec: harmonic(steady), allEpochsSamplesPerSec: harmonic(epochRates),
    wallSeconds: (performance.now() - wallStart) / 1000, ...inferred,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: Error) => { console.error(`error: ${e.stack ?? e.message}`); process.exit(1); });
