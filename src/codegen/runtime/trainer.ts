// The training loop of generated trainers. It drives tfjs's own per-batch train function (the one model.fit
// uses: same loss, metrics, regularizers and optimizer step), adding seeded shuffling, augmentation, schedules,
// early stopping, NaN guard, progress output and crash-safe checkpoints with exact resume (even mid-epoch).
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import {
  captureModelWeights, nonFiniteWeight, readCheckpoint, restoreModelWeights, restoreOptimizerWeights, writeCheckpoint,
  type LoadedCheckpoint, type TrainState, type WeightSnapshot,
} from './checkpoint.js';
import { saveModelAtomic } from './model-io.js';
import { stepSeed } from './dropout-seeds.js';
import { chooseTrainFunction, tfjsWithStepSeeds, type TrainFunction } from './native.js';
import { ProgressReporter, type ProgressMode } from './progress.js';
import { mixSeeds, permutation, Rng } from './rng.js';
import {
  createOptimizer, learningRateForEpoch, newMonitorState, newScheduleState, resolveMonitorKey, setLearningRate,
  updateMonitor, updatePlateau,
} from './schedules.js';
import type { Loss, Metric, TrainSpec } from './spec-types.js';
import {
  asList, compileHeads, evaluateHeads, isMultiTraining, lossWeightBatch, outputHeads, prepareHeadTargets, prepareHeadValidation, unweightLogs,
  type Head, type HeadValidation,
} from './multi-output.js';
import { fingerprintDifferences, specFingerprint, type SpecFingerprint } from './spec-fingerprint.js';
import {
  classIndices, compileLoss, evaluateValidation, prepareTargets, TFJS_METRICS, TrainError, type ValidationData,
} from './train-metrics.js';

export { TrainError } from './train-metrics.js';

export interface TrainSplit { x: tf.Tensor; y: tf.Tensor; size: number }
/** A model with several inputs (outputs) takes one tensor per input (output), in model order. */
export interface MultiTrainSplit { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[]; size: number }

export interface TrainResult {
  model: tf.LayersModel;
  history: Record<string, number[]>;
  epochsRun: number;
  stoppedEarly: boolean;
  stopReason?: 'early_stopping' | 'interrupted' | 'nan';
  /** 0-based epoch with the best monitored value (early stopping's monitor, else the checkpoint's). */
  bestEpoch?: number;
  /** Wall-clock seconds of each epoch run by this call (training and validation), and training samples per second over them. */
  epochSeconds: number[];
  /**
   * Seconds of every completed epoch of the run, those before a --resume included (from the checkpoint); an epoch
   * interrupted and resumed counts the time of both parts. Covers only this call's epochs when the checkpoint
   * predates these records.
   */
  allEpochSeconds: number[];
  samplesPerSecond: number | null;
}

export interface TrainArgs {
  training: TrainSpec;
  /** Built, not compiled. */
  model: tf.LayersModel;
  /** For one-hot targets when the loss is categorical_crossentropy. */
  numClasses: number | null;
  train: TrainSplit | MultiTrainSplit;
  validation: TrainSplit | MultiTrainSplit | null;
  /** Applied to training batches only; `seed` is derived from (run seed, epoch, batch position). */
  augment?: (x: tf.Tensor, seed: number) => tf.Tensor;
  outDir: string;
  resume: boolean;
  quiet: boolean;
  log?: (line: string) => void;
  /** Bar or plain lines (default: a bar on a TTY when `log` is not given). */
  progress?: ProgressMode;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /** Aborting acts like Ctrl-C: finish the batch, checkpoint, return with stopReason 'interrupted'. */
  signal?: AbortSignal;
  /**
   * The dataset spec: with it, checkpoints record what they were trained from (model, dataset, training) and
   * --resume refuses a checkpoint of another spec.
   */
  dataset?: unknown;
  /** Polled before every batch; true acts like Ctrl-C (e.g. a flag set by another thread). */
  shouldStop?: () => boolean;
  /** Install a SIGINT handler (default true). */
  handleSigint?: boolean;
  onEpochEnd?: (epoch: number, logs: Record<string, number>) => void | Promise<void>;
  onBatchEnd?: (epoch: number, samplesDone: number, loss: number) => void;
}

/** Folders train() writes below outDir. `best` only when the spec has `checkpoint { best_only: true }`. */
export function trainOutputPaths(outDir: string): { checkpoint: string; best: string } {
  return { checkpoint: path.join(outDir, 'checkpoint'), best: path.join(outDir, 'best') };
}

interface TrainFunctionOwner { makeTrainFunction(): (data: tf.Tensor[]) => tf.Scalar[]; metricsNames: string[]; lossFunctions: ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor)[] }

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

function classWeightTensor(spec: TrainSpec, y: tf.Tensor, numClasses: number | null): tf.Tensor1D | null {
  if (!spec.class_weights) return null;
  const byIndex = new Map<number, number>();
  for (const [key, w] of Object.entries(spec.class_weights)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || (numClasses !== null && index >= numClasses)) {
      throw new TrainError(`class_weights: '${key}' is not a class index${numClasses !== null ? ` in 0..${numClasses - 1}` : ''} (the compiler maps class names to indices)`);
    }
    byIndex.set(index, w);
  }
  const labels = classIndices(y);
  const weights = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) weights[i] = byIndex.get(labels[i]) ?? 1;
  return tf.tensor1d(weights);
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

/** Validation inputs, targets in the loss's form, and class indices when precision/recall/f1 are asked for. */
function prepareValidation(spec: TrainSpec, args: TrainArgs): ValidationData | null {
  if (!args.validation || args.validation.size === 0) return null;
  const wantsClasses = (spec.metrics as Metric[]).some((m) => m === 'precision' || m === 'recall' || m === 'f1');
  const y = args.validation.y as tf.Tensor;
  return {
    x: args.validation.x as tf.Tensor,
    y: prepareTargets(spec.loss as Loss, y, args.numClasses, 'validation'),
    classes: wantsClasses ? classIndices(y) : null,
  };
}

/** One call of train(): what is fixed for the run, and the state and weights its steps carry from one to the next. */
interface Run {
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
  /** A loss and metrics per output (several inputs or outputs), else null. */
  heads: Head[] | null;
  trainFunction: TrainFunction;
  xTrain: tf.Tensor[];
  yTrain: tf.Tensor[];
  sampleWeights: tf.Tensor1D | null;
  validation: ValidationData | null;
  headValidation: HeadValidation | null;
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

/** The batches of one epoch, as runBatches() left them. */
interface EpochPass {
  epoch: number;
  lr: number;
  /** Per metric, the sum over the samples trained so far in this epoch (a resumed epoch's earlier part included). */
  sums: Record<string, number>;
  /** Where this call started in the epoch (0, or the sample a --resume continues at). */
  firstSample: number;
  /** The first sample not trained: `n` when the epoch is complete. */
  next: number;
  epochStart: number;
  trainSeconds: number;
  badLoss: number | null;
  nextEpochRngState: TrainState['epochRngState'];
}

export async function train(args: TrainArgs): Promise<TrainResult> {
  const run = await startRun(args);
  try {
    for (let epoch = run.state.epochsDone; epoch < run.state.epochs && run.state.stopReason === null; epoch++) {
      const pass = await runBatches(run, epoch);
      if (pass.badLoss !== null) {
        return stopOnNaN(run, `loss became ${pass.badLoss} at epoch ${epoch + 1}, batch ${Math.floor(pass.next / run.state.batchSize) + 1}`);
      }
      if (pass.next < run.n) return await checkpointPartialEpoch(run, pass);
      const stopped = await endEpoch(run, pass);
      if (stopped) return stopped;
    }
    if (run.state.stopReason === 'early_stopping') {
      run.reporter.info(`early stopping: '${run.spec.early_stopping!.monitor}' did not improve for ${run.spec.early_stopping!.patience} epochs`);
    }
    return finish(run, run.state.stopReason ?? undefined);
  } finally {
    if (run.onSigint) process.off('SIGINT', run.onSigint);
    tf.dispose(run.yTrain);
    run.sampleWeights?.dispose();
    run.validation?.y.dispose();
    if (run.headValidation) tf.dispose(run.headValidation.y);
  }
}

/** Compiles the model, restores a checkpoint on --resume, prepares targets and validation, installs the Ctrl-C handler. */
async function startRun(args: TrainArgs): Promise<Run> {
  const spec = args.training;
  const { model } = args;
  const n = checkSplit(args.train, 'training');
  if (n === 0) throw new TrainError('training split is empty');
  if (args.validation) checkSplit(args.validation, 'validation');
  const paths = trainOutputPaths(args.outDir);

  const optimizer = createOptimizer(spec.optimizer);
  // several inputs or outputs (or per-output tables): a loss and metrics per output (multi-output.ts)
  const heads = isMultiTraining(spec, model) || Array.isArray(args.train.y) ? outputHeads(spec, model) : null;
  if (heads) model.compile({ optimizer, ...compileHeads(heads) });
  else {
    const metrics = (spec.metrics as Metric[]).map((m) => TFJS_METRICS[m]).filter((m): m is string => m !== undefined);
    model.compile({ optimizer, loss: compileLoss(spec.loss as Loss), metrics });
  }
  const engine = compiledEngine(model);
  const metricNames = [...engine.metricsNames];

  let state = initialState(spec, args);
  let bestWeights: WeightSnapshot | null = null;
  let lastGood: WeightSnapshot;
  const reporter = new ProgressReporter({ quiet: args.quiet, log: args.log, mode: args.progress, totalEpochs: state.epochs, samplesPerEpoch: n });

  const fingerprint: SpecFingerprint | null = args.dataset === undefined ? null : specFingerprint(model, args.dataset, spec);
  const checkpoint = args.resume ? await readCheckpoint(paths.checkpoint) : null;
  if (checkpoint && fingerprint) checkSameSpec(checkpoint, fingerprint);
  if (checkpoint) {
    if (checkpoint.optimizer.className !== optimizer.getClassName()) {
      throw new TrainError(`${checkpoint.dir}: checkpoint was made with optimizer ${checkpoint.optimizer.className}, the spec uses ${optimizer.getClassName()}`);
    }
    restoreModelWeights(model, checkpoint.weights, checkpoint.dir);
    await restoreOptimizerWeights(optimizer, checkpoint.optimizer.weights);
    // The current spec's epoch count (or --epochs) decides how far the resumed run goes.
    state = { ...checkpoint.state, epochs: state.epochs, batchSize: args.batchSize ?? checkpoint.state.batchSize };
    bestWeights = checkpoint.bestWeights;
    lastGood = checkpoint.weights;
    if (state.epochsDone < state.epochs) {
      reporter.info(`resuming from ${checkpoint.dir}: epoch ${state.epochsDone + 1}/${state.epochs}` +
        (state.samplesDoneInEpoch > 0 ? `, sample ${state.samplesDoneInEpoch}/${n}` : ''));
    }
  } else {
    if (args.resume) reporter.info(`no checkpoint in ${paths.checkpoint}; starting from the beginning`);
    lastGood = await captureModelWeights(model);
  }
  if (state.epochsDone >= state.epochs) {
    reporter.info(`${paths.checkpoint}: training already finished (${state.epochsDone} of ${state.epochs} epochs); give a larger --epochs to train on`);
  } else {
    const batches = Math.ceil(n / state.batchSize);
    reporter.info(`training on ${n} samples: ${batches} batch${batches === 1 ? '' : 'es'} of ${state.batchSize} per epoch, ` +
      `epochs ${state.epochsDone + 1}-${state.epochs}${args.validation ? `, validating on ${args.validation.size}` : ''}`);
  }

  // One native call per batch where nnc-native supports the model (same weights, slots and checkpoints as tfjs's).
  const trainFunction = heads ? tfjsWithStepSeeds(model, engine.makeTrainFunction()) : chooseTrainFunction({
    model, training: { loss: spec.loss as Loss, classWeights: Boolean(spec.class_weights) }, optimizer, metricNames,
    seed: state.seed, makeTfjs: () => engine.makeTrainFunction(), info: (line) => reporter.info(line),
  });
  const xTrain = asList(args.train.x);
  const yTrain = heads ? prepareHeadTargets(heads, args.train.y, 'training') : [prepareTargets(spec.loss as Loss, args.train.y as tf.Tensor, args.numClasses, 'training')];
  const sampleWeights = heads ? null : classWeightTensor(spec, args.train.y as tf.Tensor, args.numClasses);
  const validation = heads ? null : prepareValidation(spec, args);
  const headValidation = heads ? prepareHeadValidation(heads, args.validation) : null;

  const warned = new Set<string>();
  const monitorValue = (monitor: string, logs: Record<string, number>): number | null => {
    const key = resolveMonitorKey(monitor, logs);
    if (key === null && !warned.has(monitor)) {
      warned.add(monitor);
      reporter.error(`warning: monitored metric '${monitor}' is not logged (available: ${Object.keys(logs).join(', ')})`);
    }
    return key === null ? null : logs[key];
  };
  const run: Run = {
    args, spec, model, n, optimizer, engine, metricNames, paths, fingerprint, reporter, heads, trainFunction,
    xTrain, yTrain, sampleWeights, validation, headValidation, monitorValue, state, bestWeights, lastGood,
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

/** Sets the epoch's learning rate and trains its batches in the epoch's order, until the end, an interrupt or a non-finite loss. */
async function runBatches(run: Run, epoch: number): Promise<EpochPass> {
  const { args, spec, state, n, metricNames, reporter } = run;
  const lr = learningRateForEpoch(spec.schedule, spec.optimizer.learning_rate, epoch, state.schedule);
  setLearningRate(run.optimizer, lr);
  const rng = Rng.fromState(state.epochRngState);
  const order = tf.tensor1d(permutation(n, spec.shuffle ? rng : null), 'int32');
  const nextEpochRngState = rng.state();
  const sums: Record<string, number> = { ...state.partialSums };
  const epochStart = performance.now();
  let start = state.samplesDoneInEpoch;
  const firstSample = start;
  let badLoss: number | null = null;
  reporter.epochStart(epoch, start);

  for (; start < n; start += state.batchSize) {
    if (run.interrupted || args.signal?.aborted || args.shouldStop?.()) { run.interrupted = true; break; }
    const size = Math.min(state.batchSize, n - start);
    const values = await trainBatch(run, epoch, order, start, size);
    const loss = values[0][0];
    if (!Number.isFinite(loss)) { badLoss = loss; break; }
    for (let i = 0; i < metricNames.length; i++) sums[metricNames[i]] = (sums[metricNames[i]] ?? 0) + values[i][0] * size;
    const done = start + size;
    args.onBatchEnd?.(epoch, done, loss);
    reporter.batch(epoch, done, done - firstSample, (performance.now() - epochStart) / 1000, meanLogs(sums, done));
    // The batch loop would otherwise never yield: a Ctrl-C is seen before the next batch, not at epoch end.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  order.dispose();
  const trainSeconds = (performance.now() - epochStart) / 1000;
  run.samplesTrained += start - firstSample;
  run.secondsTraining += trainSeconds;
  return { epoch, lr, sums, firstSample, next: start, epochStart, trainSeconds, badLoss, nextEpochRngState };
}

/** One training step on samples [start, start + size) of the epoch's order: the loss and metrics it returns. */
async function trainBatch(run: Run, epoch: number, order: tf.Tensor1D, start: number, size: number): Promise<tf.TypedArray[]> {
  const { args, state, heads } = run;
  const outs = tf.tidy(() => {
    const ids = tf.slice(order, start, size);
    const xb = run.xTrain.map((x) => tf.gather(x, ids));
    if (args.augment) xb[0] = args.augment(xb[0], mixSeeds(state.seed, epoch, start));
    const ins = [...xb, ...run.yTrain.map((y) => tf.gather(y, ids))];
    if (run.sampleWeights) ins.push(tf.gather(run.sampleWeights, ids));
    if (heads) ins.push(...lossWeightBatch(heads, size));
    return run.trainFunction(ins, stepSeed(state.seed, epoch, start));
  });
  const values = await Promise.all(outs.map((t) => t.data()));
  tf.dispose(outs);
  return values;
}

/** A NaN or infinite loss or weight: rolls the model back to the last good weights and stops, leaving the checkpoint. */
function stopOnNaN(run: Run, what: string): TrainResult {
  const { state } = run;
  restoreModelWeights(run.model, run.lastGood, 'last good weights');
  run.reporter.error(`error: ${what}; training stopped. ` +
    `Model weights rolled back to ${state.epochsDone > 0 || state.samplesDoneInEpoch > 0 ? 'the last checkpoint' : 'their initial values'} (checkpoint left unchanged). ` +
    'Try a lower learning rate or check the data for NaN/Inf values.');
  return finish(run, 'nan');
}

/** Interrupted mid-epoch: checkpoints the partial epoch so --resume continues at the next sample. */
async function checkpointPartialEpoch(run: Run, pass: EpochPass): Promise<TrainResult> {
  const { epoch, next: start, firstSample, epochStart, sums } = pass;
  const partial = await captureModelWeights(run.model);
  const bad = nonFiniteWeight(partial);
  if (bad !== null) return stopOnNaN(run, `weight '${bad}' became NaN or infinite in epoch ${epoch + 1}`);
  const partialEpochSeconds = start === 0 ? 0 : (firstSample > 0 ? run.state.partialEpochSeconds ?? 0 : 0) + (performance.now() - epochStart) / 1000;
  run.state = { ...run.state, samplesDoneInEpoch: start, partialSums: sums, partialEpochSeconds };
  run.lastGood = await writeCheckpoint(run.paths.checkpoint, {
    model: run.model, optimizer: run.optimizer, state: run.state, bestWeights: run.bestWeights, weights: partial, spec: run.fingerprint,
  });
  run.reporter.info(`interrupted at epoch ${epoch + 1}, sample ${start}/${run.n}; checkpoint saved in ${run.paths.checkpoint} (continue with --resume)`);
  return finish(run, 'interrupted');
}

/**
 * A complete epoch: validation, history, schedule, early stopping, the best model, the checkpoint and the report.
 * Returns the result when weights became NaN or infinite (training stops), else null.
 */
async function endEpoch(run: Run, pass: EpochPass): Promise<TrainResult | null> {
  const { spec, model, heads, state, engine, metricNames } = run;
  const { epoch, firstSample, epochStart } = pass;
  const weights = await captureModelWeights(model);
  const bad = nonFiniteWeight(weights);
  if (bad !== null) return stopOnNaN(run, `weight '${bad}' became NaN or infinite in epoch ${epoch + 1}`);
  const logs = meanLogs(pass.sums, run.n);
  if (heads) unweightLogs(heads, logs);
  if (run.validation) Object.assign(logs, await evaluateValidation({
    model, lossFn: engine.lossFunctions[0], loss: spec.loss as Loss, trainMetricNames: metricNames, metrics: spec.metrics as Metric[],
    data: run.validation, batchSize: state.batchSize,
  }));
  if (heads && run.headValidation) {
    Object.assign(logs, await evaluateHeads({ model, heads, lossFns: engine.lossFunctions, data: run.headValidation, batchSize: state.batchSize }));
  }
  logs.lr = pass.lr;
  for (const [key, value] of Object.entries(logs)) (state.history[key] ??= []).push(value);

  updatePlateau(spec.schedule, state.schedule, logs, epoch);
  const es = spec.early_stopping;
  if (es) {
    const value = run.monitorValue(es.monitor, logs);
    if (value !== null) {
      if (updateMonitor(es.monitor, state.earlyStopping, value, epoch, es.min_delta) && es.restore_best_weights) run.bestWeights = weights;
      if (state.earlyStopping.wait >= es.patience) state.stopReason = 'early_stopping';
    }
  }
  if (spec.checkpoint) {
    const value = run.monitorValue(spec.checkpoint.monitor, logs);
    if (value !== null && updateMonitor(spec.checkpoint.monitor, state.bestModel, value, epoch) && spec.checkpoint.best_only) {
      await saveModelAtomic(model, run.paths.best, { 'checkpoint.json': { epoch: epoch + 1, monitor: spec.checkpoint.monitor, value } });
    }
  }
  // Timed up to the checkpoint that records it; an epoch resumed mid-way adds the part before the interrupt.
  const seconds = (performance.now() - epochStart) / 1000;
  const wholeEpoch = seconds + (firstSample > 0 ? state.partialEpochSeconds ?? 0 : 0);
  run.state = {
    ...state, epochsDone: epoch + 1, samplesDoneInEpoch: 0, partialSums: {}, epochRngState: pass.nextEpochRngState,
    epochSeconds: [...(state.epochSeconds ?? []), wholeEpoch], partialEpochSeconds: 0,
  };
  run.lastGood = await writeCheckpoint(run.paths.checkpoint, {
    model, optimizer: run.optimizer, state: run.state, bestWeights: run.bestWeights, weights, spec: run.fingerprint,
  });
  run.epochSeconds.push(seconds);
  run.reporter.epochEnd(epoch, logs, (run.n - firstSample) / Math.max(pass.trainSeconds, 1e-9), seconds, spec.schedule !== null);
  await run.args.onEpochEnd?.(epoch, logs);
  return null;
}

/** The result: the best epoch's weights restored where early stopping asks for them. */
function finish(run: Run, stopReason: TrainResult['stopReason']): TrainResult {
  const { spec, state } = run;
  if (run.bestWeights && spec.early_stopping?.restore_best_weights && stopReason !== 'nan') {
    restoreModelWeights(run.model, run.bestWeights, 'best weights');
    run.reporter.info(`restored the weights of the best epoch (${(state.earlyStopping.bestEpoch ?? 0) + 1})`);
  }
  const bestEpoch = state.earlyStopping.bestEpoch ?? state.bestModel.bestEpoch ?? undefined;
  return {
    model: run.model, history: state.history, epochsRun: state.epochsDone,
    stoppedEarly: stopReason === 'early_stopping', stopReason, bestEpoch,
    epochSeconds: run.epochSeconds, samplesPerSecond: run.secondsTraining > 0 ? run.samplesTrained / run.secondsTraining : null,
    // A checkpoint of an older nnc has no records of the epochs before this call: those of this call are all there is.
    allEpochSeconds: state.epochSeconds?.length === state.epochsDone ? state.epochSeconds : run.epochSeconds,
  };
}

function meanLogs(sums: Record<string, number>, count: number): Record<string, number> {
  const logs: Record<string, number> = {};
  for (const [key, sum] of Object.entries(sums)) logs[key] = sum / count;
  return logs;
}
