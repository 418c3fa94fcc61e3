// Loss functions, target preparation and the metric functions of the training loop (heads.ts applies them per output).
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from './spec-types.js';

export class TrainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainError';
  }
}

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** Huber loss (delta 1), mean over the last axis, as Keras defines it; tfjs-layers has none. */
function huberLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const error = tf.abs(tf.sub(yPred, yTrue));
    const quadratic = tf.minimum(error, 1);
    const linear = tf.sub(error, quadratic);
    return tf.mean(tf.add(tf.mul(0.5, tf.square(quadratic)), linear), -1);
  });
}

/** What model.compile gets: tfjs loss names where tfjs has them (so it picks the matching accuracy). */
export function compileLoss(loss: Loss): string | LossFn {
  switch (loss) {
    case 'sparse_categorical_crossentropy': return 'sparseCategoricalCrossentropy';
    case 'categorical_crossentropy': return 'categoricalCrossentropy';
    case 'binary_crossentropy': return 'binaryCrossentropy';
    case 'mean_squared_error': return 'meanSquaredError';
    case 'mean_absolute_error': return 'meanAbsoluteError';
    case 'hinge': return 'hinge';
    case 'log_cosh': return 'logcosh';
    case 'huber': return huberLoss;
  }
}

/** Metrics tfjs computes per batch during training; the others are computed on the validation split. */
export const TFJS_METRICS: Partial<Record<Metric, string>> = { accuracy: 'accuracy', mse: 'mse', mae: 'mae' };

/**
 * Targets as the compiled loss expects them, float32: class indices [N] become [N,1] (sparse, binary) or
 * one-hot [N,C] (categorical_crossentropy); hinge maps 0/1 labels to -1/+1.
 */
export function prepareTargets(loss: Loss, y: tf.Tensor, numClasses: number | null, split: string): tf.Tensor {
  return tf.tidy(() => {
    if (y.rank < 1 || y.rank > 2) throw new TrainError(`${split} labels: expected rank 1 or 2, got shape [${y.shape}]`);
    if (loss === 'categorical_crossentropy' && y.rank === 1) {
      if (numClasses === null || numClasses < 2) {
        throw new TrainError(`${split} labels: categorical_crossentropy needs the number of classes to one-hot encode labels`);
      }
      return tf.oneHot(tf.cast(y, 'int32'), numClasses).toFloat();
    }
    let target = y.rank === 1 ? tf.reshape(y, [y.shape[0], 1]) : y;
    target = tf.cast(target, 'float32');
    if (loss === 'hinge' && y.dtype === 'int32') target = tf.sub(tf.mul(target, 2), 1);
    return target;
  });
}

/** The accuracy function tfjs picks in compile() for 'accuracy' (see tfjs-layers training.ts). */
export function accuracyFunction(loss: Loss, outputUnits: number): LossFn {
  if (outputUnits === 1 || loss === 'binary_crossentropy') return tf.metrics.binaryAccuracy;
  if (loss === 'sparse_categorical_crossentropy') return tf.metrics.sparseCategoricalAccuracy;
  return tf.metrics.categoricalAccuracy;
}

/** Class indices from raw labels ([N] indices, [N,1] indices, or [N,C] one-hot), for precision/recall/f1. */
export function classIndices(y: tf.Tensor): Int32Array {
  return tf.tidy(() => {
    const indices = y.rank === 2 && y.shape[1]! > 1 ? tf.argMax(y, -1) : tf.reshape(y, [-1]);
    return new Int32Array(indices.dataSync());
  });
}

/** Macro-averaged precision, recall and F1 over the classes present in truth or predictions (as sklearn). */
export function macroPrecisionRecallF1(truth: Int32Array, predicted: Int32Array): { precision: number; recall: number; f1: number } {
  const tp = new Map<number, number>(), fp = new Map<number, number>(), fn = new Map<number, number>();
  const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] === predicted[i]) bump(tp, truth[i]);
    else { bump(fp, predicted[i]); bump(fn, truth[i]); }
  }
  const classes = new Set([...tp.keys(), ...fp.keys(), ...fn.keys()]);
  let precision = 0, recall = 0, f1 = 0;
  for (const c of classes) {
    const t = tp.get(c) ?? 0, p = t + (fp.get(c) ?? 0), a = t + (fn.get(c) ?? 0);
    const pc = p > 0 ? t / p : 0, rc = a > 0 ? t / a : 0;
    precision += pc; recall += rc; f1 += pc + rc > 0 ? (2 * pc * rc) / (pc + rc) : 0;
  }
  const n = Math.max(1, classes.size);
  return { precision: precision / n, recall: recall / n, f1: f1 / n };
}

export function r2Score(truth: Float32Array | Int32Array, predicted: Float32Array): number {
  let mean = 0;
  for (let i = 0; i < truth.length; i++) mean += truth[i];
  mean /= truth.length;
  let ssRes = 0, ssTot = 0;
  for (let i = 0; i < truth.length; i++) {
    ssRes += (truth[i] - predicted[i]) ** 2;
    ssTot += (truth[i] - mean) ** 2;
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : 0;
}
