// The training loop's part for models with several inputs or outputs: a loss and metrics per output (compiled the
// way tfjs names them: `<output>_loss`, `<output>_acc`), loss weights (fed to tfjs's train function as per-output
// sample weights, since tfjs 4.22 has no lossWeights), and validation per output.
import * as tf from '@tensorflow/tfjs';
import type { Loss, TrainSpec } from './spec-types.js';
import { isMultiIo, outputTrainings, type OutputTraining } from './outputs.js';
import {
  accuracyFunction, classIndices, compileLoss, macroPrecisionRecallF1, prepareTargets, r2Score, TFJS_METRICS, TrainError,
} from './train-metrics.js';

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

const CLASSIFICATION_LOSSES: ReadonlySet<Loss> = new Set(['sparse_categorical_crossentropy', 'categorical_crossentropy', 'binary_crossentropy', 'hinge']);

export interface Head extends OutputTraining {
  /** Units of the output: the class count for one-hot targets. */
  units: number;
  /** Logged names are prefixed with `<output>_` when the model has several outputs, as tfjs names them. */
  prefix: string;
}

/** Whether training takes the several-inputs-or-outputs path: the shape of the model or a per-output table in the spec. */
export function isMultiTraining(spec: TrainSpec, model: tf.LayersModel): boolean {
  return isMultiIo(model.inputs.length, model.outputs.length, null, spec);
}

/** Loss, weight, metrics and units of each model output, in model order. */
export function outputHeads(spec: TrainSpec, model: tf.LayersModel): Head[] {
  const lossOf = (name: string) => (typeof spec.loss === 'string' ? spec.loss : spec.loss[name]);
  const outputs = model.outputNames.map((name) => {
    const loss = lossOf(name);
    if (loss === undefined) throw new TrainError(`the spec gives no loss for output '${name}' (outputs: ${model.outputNames.join(', ')})`);
    return { name, task: CLASSIFICATION_LOSSES.has(loss) ? 'classification' as const : 'regression' as const };
  });
  const prefixed = model.outputs.length > 1;
  return outputTrainings(spec, outputs).map((head, i) => ({
    ...head, units: model.outputs[i].shape[model.outputs[i].shape.length - 1] ?? 1, prefix: prefixed ? `${head.name}_` : '',
  }));
}

/** What model.compile gets: a loss per output and the tfjs metrics per output name. */
export function compileHeads(heads: Head[]): { loss: string[]; metrics: Record<string, string> } {
  return {
    // tfjs takes names and functions alike in the list; its type says one or the other
    loss: heads.map((h) => compileLoss(h.loss)) as string[],
    // tfjs takes a list per output name (collectMetrics); its type says one name
    metrics: Object.fromEntries(heads.map((h) => [h.name, h.metrics.map((m) => TFJS_METRICS[m]).filter((m): m is string => m !== undefined)])) as unknown as Record<string, string>,
  };
}

export const asList = (t: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(t) ? t : [t]);

/** Targets of every output as each one's loss expects them. */
export function prepareHeadTargets(heads: Head[], y: tf.Tensor | tf.Tensor[], split: string): tf.Tensor[] {
  const ys = asList(y);
  if (ys.length !== heads.length) throw new TrainError(`${split} split: ${ys.length} label tensors for ${heads.length} model outputs`);
  return heads.map((h, i) => prepareTargets(h.loss, ys[i], h.units, `${split} (output '${h.name}')`));
}

/** Per-output sample weights carrying the loss weights, or none when every weight is 1. */
export function lossWeightBatch(heads: Head[], size: number): tf.Tensor[] {
  if (heads.every((h) => h.weight === 1)) return [];
  return heads.map((h) => tf.fill([size], h.weight));
}

/** tfjs logs each output's loss with its weight applied; the history records it unweighted, as Keras does. */
export function unweightLogs(heads: Head[], logs: Record<string, number>): Record<string, number> {
  if (heads.length < 2) return logs;
  for (const h of heads) {
    const key = `${h.name}_loss`;
    if (key in logs && h.weight !== 1) logs[key] /= h.weight;
  }
  return logs;
}

export interface HeadValidation { x: tf.Tensor[]; y: tf.Tensor[]; classes: (Int32Array | null)[] }

export function prepareHeadValidation(heads: Head[], split: { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[]; size: number } | null): HeadValidation | null {
  if (!split || split.size === 0) return null;
  const ys = asList(split.y);
  return {
    x: asList(split.x),
    y: prepareHeadTargets(heads, split.y, 'validation'),
    classes: heads.map((h, i) => (h.metrics.some((m) => m === 'precision' || m === 'recall' || m === 'f1') ? classIndices(ys[i]) : null)),
  };
}

/**
 * val_loss (the weighted sum of the outputs' losses, no regularization, as the single-output validation) and per
 * output its unweighted loss and metrics, named as the training logs name them.
 */
export async function evaluateHeads(args: { model: tf.LayersModel; heads: Head[]; lossFns: LossFn[]; data: HeadValidation; batchSize: number }): Promise<Record<string, number>> {
  const { heads, data } = args;
  const preds = asList(args.model.predict(data.x, { batchSize: args.batchSize }) as tf.Tensor | tf.Tensor[]);
  try {
    const logs: Record<string, number> = {};
    let total = 0;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      const pred = preds[i];
      const y = data.y[i];
      const functions: Record<string, LossFn> = { acc: accuracyFunction(h.loss, h.units), mse: tf.metrics.meanSquaredError, mae: tf.metrics.meanAbsoluteError };
      const names = h.metrics.map((m) => TFJS_METRICS[m]).filter((m): m is string => m !== undefined).map((m) => (m === 'accuracy' ? 'acc' : m));
      const scalars = tf.tidy(() => [tf.mean(args.lossFns[i](y, pred)), ...names.map((n) => tf.mean(functions[n](y, pred)))]);
      const values = await Promise.all(scalars.map((s) => s.data()));
      tf.dispose(scalars);
      total += h.weight * values[0][0];
      if (heads.length > 1) logs[`val_${h.prefix}loss`] = values[0][0];
      names.forEach((n, k) => { logs[`val_${h.prefix}${n}`] = values[k + 1][0]; });
      const truth = data.classes[i];
      if (truth) {
        const predicted = tf.tidy(() => h.units > 1 ? tf.argMax(pred, -1) : tf.cast(tf.greater(tf.reshape(pred, [-1]), h.loss === 'hinge' ? 0 : 0.5), 'int32'));
        const scores = macroPrecisionRecallF1(truth, new Int32Array(await predicted.data()));
        predicted.dispose();
        for (const m of ['precision', 'recall', 'f1'] as const) if (h.metrics.includes(m)) logs[`val_${h.prefix}${m}`] = scores[m];
      }
      if (h.metrics.includes('r2')) logs[`val_${h.prefix}r2`] = r2Score(await y.data() as Float32Array, await pred.data() as Float32Array);
    }
    logs.val_loss = total;
    return logs;
  } finally {
    tf.dispose(preds);
  }
}
