// The training loop of generated trainers. It drives tfjs's own per-batch train function (the one model.fit
// uses: same loss, metrics, regularizers and optimizer step), adding seeded shuffling, augmentation, schedules,
// early stopping, NaN guard, progress output and crash-safe checkpoints with exact resume (even mid-epoch).
// train() is its steps in order: startRun (train-start.ts), then per epoch runBatches and endEpoch, or a stop
// (train-epoch.ts); the outputs' losses, metrics and validation are heads.ts's, one head per model output.
import * as tf from '@tensorflow/tfjs';
import type { ProgressMode } from './progress.js';
import type { TrainSpec } from './spec-types.js';
import { startRun } from './train-start.js';
import { checkpointPartialEpoch, endEpoch, finish, runBatches, stopOnNaN } from './train-epoch.js';

export { TrainError } from './train-metrics.js';
export { trainOutputPaths } from './train-start.js';

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
    run.classWeights?.dispose();
    if (run.validation) tf.dispose(run.validation.y);
  }
}
