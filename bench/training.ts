// Shared by sections 2-4: the training configurations, freshly compiled trainers, data subsets, and child runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { poolForTrainCount, writeFashionSubset } from './fashion-idx.js';
import { loadSnapshot, log, REPO, round, runJsonChild, TSX, workDir } from './lib.js';

export type ModelKey = 'mlp' | 'cnn';
export type Impl = 'generated' | 'handwritten' | 'handwritten-plain';
/** PyTorch's thread setting: its default, or N threads with OPENBLAS_NUM_THREADS=N and OMP_NUM_THREADS=N. */
export type TorchThreads = 'default' | 1 | 2;
export const TORCH_THREADS: TorchThreads[] = ['default', 1, 2];

/** `validation`: the fraction the spec's dataset carves off the training file (fashion_mlp.nn holds none out). */
export const MODELS: Record<ModelKey, { spec: string; trainer: string; batch: number; inputShape: string; validation: number }> = {
  mlp: { spec: 'specs/fashion_mlp.nn', trainer: 'fashion_mlp', batch: 32, inputShape: '28,28', validation: 0 },
  cnn: { spec: 'specs/fashion_cnn.nn', trainer: 'fashion_cnn', batch: 64, inputShape: '28,28,1', validation: 0.1 },
};

/** One training configuration: every implementation trains `train` samples for `epochs` and tests on `test`. */
export interface RunConfig { model: ModelKey; backend: string; train: number; epochs: number; test: number }

export interface TfjsRun {
  impl: Impl; backend: string; tfjs: string; wasmThreads: number | null; epochs: number; trainSamples: number;
  epochSamplesPerSec: number[];
  /** Harmonic mean over the epochs after the first (all epochs when there is one). */
  samplesPerSec: number;
  allEpochsSamplesPerSec: number;
  wallSeconds: number;
  /** Spawn to exit, including tsx and tfjs start-up. */
  processSeconds: number;
  testAccuracy?: number;
  inferImagesPerSec?: number;
  /** The generated trainer's `training step: native (...)` / `training step: tfjs (...)` line. */
  trainingStep?: string | null;
  /** The epoch whose weights the trainer restored at the end (the spec's early_stopping restore_best_weights). */
  restoredEpoch?: number | null;
  /** Extra environment of the run (e.g. NNC_NATIVE=off). */
  env?: Record<string, string>;
  /** 1, 5, 15 minute load averages when the run started. */
  loadavg: number[];
  /** The training seed (--seed), when the run set one. */
  seed?: number;
}

/** Sizes that fit a full run in ~20 minutes on 2 busy cores; --quick shrinks them further. */
export function configs(quick: boolean): Record<string, RunConfig> {
  const q = quick ? 0.4 : 1;
  return {
    mlpWasm: { model: 'mlp', backend: 'wasm', train: Math.round(3000 * q), epochs: 2, test: 1000 },
    mlpCpu: { model: 'mlp', backend: 'cpu', train: Math.round(256 * q), epochs: 2, test: 1000 },
    cnnWasm: { model: 'cnn', backend: 'wasm', train: Math.round(1024 * q), epochs: 2, test: 1000 },
    // Against PyTorch: long enough epochs that a fast step is timed over seconds, not milliseconds.
    mlpVersus: { model: 'mlp', backend: 'wasm', train: Math.round(6000 * q), epochs: 3, test: 10000 },
    cnnVersus: { model: 'cnn', backend: 'wasm', train: Math.round(2048 * q), epochs: 3, test: 10000 },
    // tfjs's cpu backend trains this CNN at about one sample per second: one batch only.
    cnnCpu: { model: 'cnn', backend: 'cpu', train: 64, epochs: 1, test: 100 },
  };
}

/**
 * The generated trainers, compiled now from specs/ by the current compiler (the checked-in generated/ folder may
 * lag behind src/codegen/runtime/), into the ignored tmp/bench/generated/.
 */
export function compileTrainers(): string {
  const out = workDir('generated');
  for (const { spec } of Object.values(MODELS)) {
    const res = spawnSync('node', [path.join(REPO, 'bin', 'nnc.js'), 'compile', spec, '-o', out], { cwd: REPO, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`nnc compile ${spec} failed: ${res.stderr.trim()}`);
  }
  return out;
}

/**
 * The IDX subset for a config: `train` training samples after the spec's validation (10% or none) is carved off.
 * With no validation the file holds exactly `train` samples, so the generated trainer and PyTorch train on the same
 * ones (with a larger file the trainer would take a seeded random `--limit` of it, PyTorch its first samples).
 */
export function dataFor(config: RunConfig): { dir: string; validation: number } {
  const { pool, train, validation } = MODELS[config.model].validation === 0
    ? { pool: config.train, train: config.train, validation: 0 } : poolForTrainCount(config.train);
  if (train !== config.train) throw new Error(`cannot size a pool with exactly ${config.train} training samples`);
  return { dir: writeFashionSubset(workDir('data', `fashion-${pool}-${config.test}`), pool, config.test), validation };
}

let trainersDir: string | null = null;

/** The compiled spec's training block (spec.json of the trainer compiled now): what the PyTorch reference follows. */
export function specTraining(model: ModelKey): { early_stopping: { monitor: string; patience: number; restore_best_weights: boolean; min_delta: number } | null } {
  trainersDir ??= compileTrainers();
  return JSON.parse(readFileSync(path.join(trainersDir, MODELS[model].trainer, 'spec.json'), 'utf8')).training;
}

/**
 * torch_bench.py's arguments for what the spec's training does besides the step: the validation share held out of
 * the training file (drawn at random with the training samples), and early stopping on val_loss with the best
 * epoch's weights restored at the end, as the generated trainer does (so both report the same epoch's model).
 */
export function torchSpecArgs(config: RunConfig): string[] {
  const { validation } = dataFor(config);
  if (validation === 0) return [];
  const es = specTraining(config.model).early_stopping;
  if (es && (es.monitor !== 'val_loss' || es.min_delta !== 0)) throw new Error(`torch_bench.py follows early stopping on val_loss with min_delta 0 only, the spec has ${JSON.stringify(es)}`);
  return ['--random-subset', '--validation', String(validation),
    ...(es ? ['--patience', String(es.patience), ...(es.restore_best_weights ? ['--restore-best'] : [])] : [])];
}

export async function runTfjs(impl: Impl, config: RunConfig, opts: { infer?: boolean; env?: Record<string, string>; seed?: number } = {}): Promise<TfjsRun> {
  trainersDir ??= compileTrainers();
  const model = MODELS[config.model];
  const { dir } = dataFor(config);
  const loadavg = loadSnapshot();
  const envNote = opts.env ? ` ${Object.entries(opts.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
  log(`tfjs ${impl} ${config.model} on ${config.backend}${envNote}: ${config.train} samples x ${config.epochs} epochs (load ${loadavg[0]})`);
  const args = [
    path.join(REPO, 'bench', 'tfjs-child.ts'), '--impl', impl, '--trainer', path.join(trainersDir, model.trainer),
    '--backend', config.backend, '--epochs', String(config.epochs), '--limit', String(config.train), '--data-dir', dir,
    '--input-shape', model.inputShape, '--out', workDir('run', `${config.model}-${config.backend}-${impl}`),
  ];
  if (opts.infer) args.push('--infer');
  if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
  const start = performance.now();
  // A run that wants the native step must not get it from a stray NNC_NATIVE=off in the bench's own environment.
  const env = { NNC_NATIVE: '', ...opts.env };
  const result = await runJsonChild<Omit<TfjsRun, 'loadavg' | 'processSeconds'>>(TSX, args, { timeoutMs: 15 * 60_000, env });
  if (result.trainSamples !== config.train) throw new Error(`${impl} trained on ${result.trainSamples} samples, expected ${config.train}`);
  const processSeconds = round((performance.now() - start) / 1000, 1);
  log(`  ${round(result.samplesPerSec, 1)} samples/s; process ${processSeconds} s${result.trainingStep ? `; ${result.trainingStep}` : ''}`);
  return { ...result, processSeconds, loadavg, env: opts.env, seed: opts.seed };
}

export interface TorchRun {
  model: ModelKey; trainSamples: number; epochs: number; batchSize: number; epochSamplesPerSec: number[];
  samplesPerSec: number; allEpochsSamplesPerSec: number; testAccuracy: number; testSamples: number; inferImagesPerSec: number;
  env: Record<string, unknown>; loadavg: number[]; processSeconds: number; threads: TorchThreads; seed?: number;
  /** With a validation share: val_loss per epoch, epochs run, and the epoch whose weights were restored (1-based). */
  valLoss?: number[]; epochsRun?: number; restoredEpoch?: number | null;
}

export const PYTHON = process.env.NNC_BENCH_PYTHON ?? '/usr/bin/python3';

/** The environment of a PyTorch run: thread counts set explicitly, or (default) removed so torch picks its own. */
export function torchEnv(threads: TorchThreads): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OPENBLAS_NUM_THREADS;
  delete env.OMP_NUM_THREADS;
  if (threads !== 'default') {
    env.OPENBLAS_NUM_THREADS = String(threads);
    env.OMP_NUM_THREADS = String(threads);
  }
  return env;
}

export async function runTorch(config: RunConfig, threads: TorchThreads = 'default', opts: { seed?: number; extra?: string[] } = {}): Promise<TorchRun> {
  const { dir } = dataFor(config);
  const loadavg = loadSnapshot();
  log(`torch ${config.model} (threads ${threads}): ${config.train} samples x ${config.epochs} epochs (load ${loadavg[0]})`);
  const start = performance.now();
  const result = await runJsonChild<Omit<TorchRun, 'loadavg' | 'processSeconds' | 'threads'>>(PYTHON, [
    path.join(REPO, 'bench', 'torch_bench.py'), 'train', '--model', config.model, '--data-dir', dir,
    '--train', String(config.train), '--epochs', String(config.epochs), '--batch', String(MODELS[config.model].batch),
    '--threads', String(threads), ...(opts.seed !== undefined ? ['--seed', String(opts.seed)] : []),
    ...torchSpecArgs(config), ...(opts.extra ?? []),
  ], { timeoutMs: 15 * 60_000, env: torchEnv(threads) });
  const processSeconds = round((performance.now() - start) / 1000, 1);
  log(`  ${round(result.samplesPerSec, 1)} samples/s; process ${processSeconds} s`);
  return { ...result, processSeconds, loadavg, threads, seed: opts.seed };
}
