// The steps of train() after its start (train-start.ts): an epoch's batches (runBatches, one trainBatch each), the
// end of a complete epoch (validation, history, schedule, early stopping, best model, checkpoint, report), and the
// ways a run stops: interrupted mid-epoch (a resumable checkpoint), NaN/Inf (rolled back), or done (finish).
import * as tf from '@tensorflow/tfjs';
import { captureModelWeights, nonFiniteWeight, restoreModelWeights, writeCheckpoint, type TrainState } from './checkpoint.js';
import { stepSeed } from './dropout-seeds.js';
import { evaluateHeads, sampleWeightBatch, unweightLogs } from './heads.js';
import { saveModelAtomic } from './model-io.js';
import { mixSeeds, permutation, Rng } from './rng.js';
import { learningRateForEpoch, setLearningRate, updateMonitor, updatePlateau } from './schedules.js';
import type { Run } from './train-start.js';
import type { TrainResult } from './trainer.js';

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

/** Sets the epoch's learning rate and trains its batches in the epoch's order, until the end, an interrupt or a non-finite loss. */
export async function runBatches(run: Run, epoch: number): Promise<EpochPass> {
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
    const ins = [...xb, ...run.yTrain.map((y) => tf.gather(y, ids)), ...sampleWeightBatch(heads, run.classWeights, ids, size)];
    return run.trainFunction(ins, stepSeed(state.seed, epoch, start));
  });
  const values = await Promise.all(outs.map((t) => t.data()));
  tf.dispose(outs);
  return values;
}

/** A NaN or infinite loss or weight: rolls the model back to the last good weights and stops, leaving the checkpoint. */
export function stopOnNaN(run: Run, what: string): TrainResult {
  const { state } = run;
  restoreModelWeights(run.model, run.lastGood, 'last good weights');
  run.reporter.error(`error: ${what}; training stopped. ` +
    `Model weights rolled back to ${state.epochsDone > 0 || state.samplesDoneInEpoch > 0 ? 'the last checkpoint' : 'their initial values'} (checkpoint left unchanged). ` +
    'Try a lower learning rate or check the data for NaN/Inf values.');
  return finish(run, 'nan');
}

/** Interrupted mid-epoch: checkpoints the partial epoch so --resume continues at the next sample. */
export async function checkpointPartialEpoch(run: Run, pass: EpochPass): Promise<TrainResult> {
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
export async function endEpoch(run: Run, pass: EpochPass): Promise<TrainResult | null> {
  const { spec, model, heads, state, engine } = run;
  const { epoch, firstSample, epochStart } = pass;
  const weights = await captureModelWeights(model);
  const bad = nonFiniteWeight(weights);
  if (bad !== null) return stopOnNaN(run, `weight '${bad}' became NaN or infinite in epoch ${epoch + 1}`);
  const logs = unweightLogs(heads, meanLogs(pass.sums, run.n));
  if (run.validation) {
    Object.assign(logs, await evaluateHeads({ model, heads, lossFns: engine.lossFunctions, data: run.validation, batchSize: state.batchSize }));
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
export function finish(run: Run, stopReason: TrainResult['stopReason']): TrainResult {
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
