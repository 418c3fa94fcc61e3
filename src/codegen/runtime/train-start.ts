// The first step of train(): checks the splits, compiles the model with one head per output (heads.ts), restores a
// checkpoint on --resume (refusing one of another spec), prepares targets, class weights and validation, picks the
// train function (the native step where it applies) and installs the Ctrl-C handler.
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import {
  captureModelWeights, readCheckpoint, restoreModelWeights, restoreOptimizerWeights, type LoadedCheckpoint, type TrainState,
  type WeightSnapshot,
} from './checkpoint.js';
import {
  asList, classWeightTensor, compileHeads, outputHeads, prepareHeadTargets, prepareHeadValidation, type Head, type HeadValidation,
} from './heads.js';
import { chooseTrainFunction, type TrainFunction } from './native.js';
import { ProgressReporter } from './progress.js';
import { Rng } from './rng.js';
import { createOptimizer, newMonitorState, newScheduleState, resolveMonitorKey } from './schedules.js';
import type { TrainSpec } from './spec-types.js';
import { fingerprintDifferences, specFingerprint, type SpecFingerprint } from './spec-fingerprint.js';
import { TrainError } from './train-metrics.js';
import type { MultiTrainSplit, TrainArgs } from './trainer.js';

/** Folders train() writes below outDir. `best` only when the spec has `checkpoint { best_only: true }`. */
export function trainOutputPaths(outDir: string): { checkpoint: string; best: string } {
  return { checkpoint: path.join(outDir, 'checkpoint'), best: path.join(outDir, 'best') };
}

interface TrainFunctionOwner { makeTrainFunction(): (data: tf.Tensor[]) => tf.Scalar[]; metricsNames: string[]; lossFunctions: ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor)[] }

/** One call of train(): what is fixed for the run, and the state and weights its steps carry from one to the next. */
export interface Run {
  args: TrainArgs;
  spec: TrainSpec;
  model: tf.LayersModel;
  /** Training samples. */
  n: number;
  optimizer: tf.Optimizer;
  engine: TrainFunctionOwner;
  metricNames: string[];
  paths: { checkpoint: string; best: string };
  fingerprint: SpecFingerprint | null;
  reporter: ProgressReporter;
  /** A loss, weight and metrics per model output. */
  heads: Head[];
  trainFunction: TrainFunction;
  xTrain: tf.Tensor[];
  /** Targets per output, as each loss expects them. */
  yTrain: tf.Tensor[];
  /** Per training sample, the weight of its class (class_weights), else null. */
  classWeights: tf.Tensor1D | null;
  validation: HeadValidation | null;
  /** The logged value a monitor names, warning once when it is not logged. */
  monitorValue: (monitor: string, logs: Record<string, number>) => number | null;
  state: TrainState;
  bestWeights: WeightSnapshot | null;
  /** The weights of the last checkpoint (or the initial ones): what a NaN stop rolls back to. */
  lastGood: WeightSnapshot;
  interrupted: boolean;
  onSigint: (() => void) | null;
  epochSeconds: number[];
  samplesTrained: number;
  secondsTraining: number;
}

/** tf.Sequential keeps the compiled state on an inner LayersModel. */
function compiledEngine(model: tf.LayersModel): TrainFunctionOwner {
  const inner = model instanceof tf.Sequential ? (model as unknown as { model: tf.LayersModel }).model : model;
  const engine = inner as unknown as TrainFunctionOwner;
  if (typeof engine.makeTrainFunction !== 'function') {
    throw new TrainError(`this tfjs version (${tf.version_layers}) has no LayersModel.makeTrainFunction; nnc needs tfjs 4.x`);
  }
  return engine;
}

function checkSplit(split: MultiTrainSplit, name: string): number {
  const n = asList(split.x)[0].shape[0];
  for (const t of [...asList(split.x), ...asList(split.y)]) {
    if (t.shape[0] !== n) throw new TrainError(`${name} split: x has ${n} samples, y has ${t.shape[0]}`);
  }
  if (split.size !== n) throw new TrainError(`${name} split: size says ${split.size}, tensors hold ${n} samples`);
  return n;
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new TrainError(`${what} must be a positive integer, got ${value}`);
  return value;
}

/** The state of a run that starts from the beginning. */
function initialState(spec: TrainSpec, args: TrainArgs): TrainState {
  return {
    epochs: positiveInt(args.epochs ?? spec.epochs, 'epochs'),
    batchSize: positiveInt(args.batchSize ?? spec.batch_size, 'batch size'),
    seed: args.seed ?? spec.seed,
    epochsDone: 0, samplesDoneInEpoch: 0, partialSums: {},
    epochRngState: new Rng(args.seed ?? spec.seed).state(),
    history: {}, earlyStopping: newMonitorState(), bestModel: newMonitorState(),
    schedule: newScheduleState(spec.optimizer.learning_rate),
    stopReason: null,
    epochSeconds: [], partialEpochSeconds: 0,
  };
}

/** Refuses a checkpoint trained from another spec (or one that does not say), naming the differences. */
function checkSameSpec(checkpoint: LoadedCheckpoint, fingerprint: SpecFingerprint): void {
  if (checkpoint.spec === null) {
    throw new TrainError(`${checkpoint.dir}: the checkpoint does not record the spec it was trained from, so it cannot be resumed safely; train without --resume`);
  }
  if (checkpoint.spec.hash !== fingerprint.hash) {
    throw new TrainError(`${checkpoint.dir}: the checkpoint was trained from another spec; refusing to resume (it would mix two models). ` +
      `Differences (checkpoint -> spec): ${fingerprintDifferences(checkpoint.spec, fingerprint).join('; ')}. ` +
      'Restore the spec, or train without --resume (or with another --out)');
  }
}

/** Where the run starts: the checkpoint's state and weights on --resume, else the beginning (saying which). */
async function restoreOrBegin(
  args: TrainArgs, fresh: TrainState, optimizer: tf.Optimizer, paths: Run['paths'], fingerprint: SpecFingerprint | null, reporter: ProgressReporter, n: number,
): Promise<Pick<Run, 'state' | 'bestWeights' | 'lastGood'>> {
  const checkpoint = args.resume ? await readCheckpoint(paths.checkpoint) : null;
  if (checkpoint && fingerprint) checkSameSpec(checkpoint, fingerprint);
  if (!checkpoint) {
    if (args.resume) reporter.info(`no checkpoint in ${paths.checkpoint}; starting from the beginning`);
    return { state: fresh, bestWeights: null, lastGood: await captureModelWeights(args.model) };
  }
  if (checkpoint.optimizer.className !== optimizer.getClassName()) {
    throw new TrainError(`${checkpoint.dir}: checkpoint was made with optimizer ${checkpoint.optimizer.className}, the spec uses ${optimizer.getClassName()}`);
  }
  restoreModelWeights(args.model, checkpoint.weights, checkpoint.dir);
  await restoreOptimizerWeights(optimizer, checkpoint.optimizer.weights);
  // The current spec's epoch count (or --epochs) decides how far the resumed run goes.
  const state = { ...checkpoint.state, epochs: fresh.epochs, batchSize: args.batchSize ?? checkpoint.state.batchSize };
  if (state.epochsDone < state.epochs) {
    reporter.info(`resuming from ${checkpoint.dir}: epoch ${state.epochsDone + 1}/${state.epochs}` +
      (state.samplesDoneInEpoch > 0 ? `, sample ${state.samplesDoneInEpoch}/${n}` : ''));
  }
  return { state, bestWeights: checkpoint.bestWeights, lastGood: checkpoint.weights };
}

/** The line that says what the run will do (or that it has nothing left to do). */
function announce(reporter: ProgressReporter, state: TrainState, paths: Run['paths'], n: number, args: TrainArgs): void {
  if (state.epochsDone >= state.epochs) {
    reporter.info(`${paths.checkpoint}: training already finished (${state.epochsDone} of ${state.epochs} epochs); give a larger --epochs to train on`);
    return;
  }
  const batches = Math.ceil(n / state.batchSize);
  reporter.info(`training on ${n} samples: ${batches} batch${batches === 1 ? '' : 'es'} of ${state.batchSize} per epoch, ` +
    `epochs ${state.epochsDone + 1}-${state.epochs}${args.validation ? `, validating on ${args.validation.size}` : ''}`);
}

/** The logged value a monitor names; warns once per monitor that is not logged. */
function monitorReader(reporter: ProgressReporter): Run['monitorValue'] {
  const warned = new Set<string>();
  return (monitor, logs) => {
    const key = resolveMonitorKey(monitor, logs);
    if (key === null && !warned.has(monitor)) {
      warned.add(monitor);
      reporter.error(`warning: monitored metric '${monitor}' is not logged (available: ${Object.keys(logs).join(', ')})`);
    }
    return key === null ? null : logs[key];
  };
}

/** Compiles the model, restores a checkpoint on --resume, prepares targets and validation, installs the Ctrl-C handler. */
export async function startRun(args: TrainArgs): Promise<Run> {
  const spec = args.training;
  const { model } = args;
  const n = checkSplit(args.train, 'training');
  if (n === 0) throw new TrainError('training split is empty');
  if (args.validation) checkSplit(args.validation, 'validation');
  const paths = trainOutputPaths(args.outDir);

  const optimizer = createOptimizer(spec.optimizer);
  const heads = outputHeads(spec, model, args.numClasses);
  model.compile({ optimizer, ...compileHeads(heads) });
  const engine = compiledEngine(model);
  const metricNames = [...engine.metricsNames];

  const fresh = initialState(spec, args);
  const reporter = new ProgressReporter({ quiet: args.quiet, log: args.log, mode: args.progress, totalEpochs: fresh.epochs, samplesPerEpoch: n });
  const fingerprint: SpecFingerprint | null = args.dataset === undefined ? null : specFingerprint(model, args.dataset, spec);
  const { state, bestWeights, lastGood } = await restoreOrBegin(args, fresh, optimizer, paths, fingerprint, reporter, n);
  announce(reporter, state, paths, n, args);

  // One native call per batch where nnc-native supports the model (same weights, slots and checkpoints as tfjs's).
  const trainFunction = chooseTrainFunction({
    model, training: { loss: heads[0].loss, classWeights: Boolean(spec.class_weights), lossWeight: heads[0].weight }, optimizer, metricNames,
    seed: state.seed, makeTfjs: () => engine.makeTrainFunction(), info: (line) => reporter.info(line),
  });
  const run: Run = {
    args, spec, model, n, optimizer, engine, metricNames, paths, fingerprint, reporter, heads, trainFunction,
    xTrain: asList(args.train.x),
    yTrain: prepareHeadTargets(heads, args.train.y, 'training'),
    classWeights: classWeightTensor(spec, heads, args.train.y, args.numClasses),
    validation: prepareHeadValidation(heads, args.validation),
    monitorValue: monitorReader(reporter), state, bestWeights, lastGood,
    interrupted: false, onSigint: null, epochSeconds: [], samplesTrained: 0, secondsTraining: 0,
  };
  if (args.handleSigint ?? true) {
    run.onSigint = () => {
      if (run.interrupted) process.exit(130);
      run.interrupted = true;
      reporter.error('interrupt: finishing the current batch and saving a checkpoint (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', run.onSigint);
  }
  return run;
}
