// The training loop's outputs ("heads"): a loss, loss weight and metrics per model output, compiled the way tfjs
// names them (`<output>_loss`, `<output>_acc` when there are several outputs; `loss`, `acc` for one), their targets,
// their sample weights (class weights of a one-output model; loss weights, fed to tfjs's train function as
// per-output sample weights since tfjs 4.22 has no lossWeights) and their validation. A model with one output is
// the case of one head: the same code, the same logged names and numbers as tfjs's single-output training.
import * as tf from '@tensorflow/tfjs';
import type { Loss, TrainSpec } from './spec-types.js';
import { outputTrainings, type OutputTraining } from './outputs.js';
import {
  accuracyFunction, classIndices, compileLoss, macroPrecisionRecallF1, prepareTargets, r2Score, TFJS_METRICS, TrainError,
} from './train-metrics.js';

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

const CLASSIFICATION_LOSSES: ReadonlySet<Loss> = new Set(['sparse_categorical_crossentropy', 'categorical_crossentropy', 'binary_crossentropy', 'hinge']);

export interface Head extends OutputTraining {
  /** Units of the output. */
  units: number;
  /** The class count one-hot targets take: the dataset's for a one-output model when it has one, else the units. */
  classes: number;
  /** Logged names are prefixed with `<output>_` when the model has several outputs, as tfjs names them. */
  prefix: string;
}

/** Loss, weight, metrics and units of each model output, in model order; `numClasses`: the dataset's class count. */
export function outputHeads(spec: TrainSpec, model: tf.LayersModel, numClasses: number | null): Head[] {
  const lossOf = (name: string) => (typeof spec.loss === 'string' ? spec.loss : spec.loss[name]);
  // a tf.Sequential names its output only on its inner model: the output layer's name, as tfjs names outputs
  const names = model.outputNames.length > 0 ? model.outputNames : model.outputs.map((t) => t.sourceLayer.name);
  const outputs = names.map((name) => {
    const loss = lossOf(name);
    if (loss === undefined) throw new TrainError(`the spec gives no loss for output '${name}' (outputs: ${names.join(', ')})`);
    return { name, task: CLASSIFICATION_LOSSES.has(loss) ? 'classification' as const : 'regression' as const };
  });
  const several = model.outputs.length > 1;
  return outputTrainings(spec, outputs).map((head, i) => {
    const units = model.outputs[i].shape[model.outputs[i].shape.length - 1] ?? 1;
    return { ...head, units, classes: !several && numClasses !== null ? numClasses : units, prefix: several ? `${head.name}_` : '' };
  });
}

const tfjsMetrics = (head: Head) => head.metrics.map((m) => TFJS_METRICS[m]).filter((m): m is string => m !== undefined);

/** What model.compile gets: a loss per output and the tfjs metrics per output name. */
export function compileHeads(heads: Head[]): { loss: string[]; metrics: Record<string, string> } {
  return {
    // tfjs takes names and functions alike in the list; its type says one or the other
    loss: heads.map((h) => compileLoss(h.loss)) as string[],
    // tfjs takes a list per output name (collectMetrics); its type says one name
    metrics: Object.fromEntries(heads.map((h) => [h.name, tfjsMetrics(h)])) as unknown as Record<string, string>,
  };
}

export const asList = (t: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(t) ? t : [t]);

/** Targets of every output as each one's loss expects them. */
export function prepareHeadTargets(heads: Head[], y: tf.Tensor | tf.Tensor[], split: string): tf.Tensor[] {
  const ys = asList(y);
  if (ys.length !== heads.length) throw new TrainError(`${split} split: ${ys.length} label tensors for ${heads.length} model outputs`);
  return heads.map((h, i) => prepareTargets(h.loss, ys[i], h.classes, heads.length > 1 ? `${split} (output '${h.name}')` : split));
}

/** Per-sample class weights of a one-output model's training labels (class_weights by class index), or null. */
export function classWeightTensor(spec: TrainSpec, heads: Head[], y: tf.Tensor | tf.Tensor[], numClasses: number | null): tf.Tensor1D | null {
  if (!spec.class_weights) return null;
  if (heads.length > 1) throw new TrainError(`class_weights apply to a model with one output; this one has ${heads.length}`);
  const byIndex = new Map<number, number>();
  for (const [key, w] of Object.entries(spec.class_weights)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || (numClasses !== null && index >= numClasses)) {
      throw new TrainError(`class_weights: '${key}' is not a class index${numClasses !== null ? ` in 0..${numClasses - 1}` : ''} (the compiler maps class names to indices)`);
    }
    byIndex.set(index, w);
  }
  const labels = classIndices(asList(y)[0]);
  const weights = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) weights[i] = byIndex.get(labels[i]) ?? 1;
  return tf.tensor1d(weights);
}

/**
 * The sample weights of a batch (samples `ids`), one per output, or none: the class weights of a one-output model
 * (scaled by its loss weight), else each output's loss weight when one is not 1.
 */
export function sampleWeightBatch(heads: Head[], classWeights: tf.Tensor1D | null, ids: tf.Tensor1D, size: number): tf.Tensor[] {
  if (classWeights) {
    const batch = tf.gather(classWeights, ids);
    return [heads[0].weight === 1 ? batch : tf.mul(batch, heads[0].weight)];
  }
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

export interface HeadValidation {
  x: tf.Tensor[];
  /** Prepared targets per output (see prepareTargets). */
  y: tf.Tensor[];
  /** Class indices per output, where precision/recall/f1 are asked for. */
  classes: (Int32Array | null)[];
}

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
 * Validation loss and metrics in one forward pass, computed as tfjs's own validation does (mean of loss and metric
 * over samples, no regularization): val_loss (the weighted sum of the outputs' losses) and, per output, its
 * unweighted loss (several outputs) and metrics, named as the training logs name them, plus precision/recall/f1/r2.
 */
export async function evaluateHeads(args: { model: tf.LayersModel; heads: Head[]; lossFns: LossFn[]; data: HeadValidation; batchSize: number }): Promise<Record<string, number>> {
  const { heads, data } = args;
  const preds = asList(args.model.predict(data.x.length === 1 ? data.x[0] : data.x, { batchSize: args.batchSize }) as tf.Tensor | tf.Tensor[]);
  try {
    // val_loss first, as the training logs' loss
    const logs: Record<string, number> = { val_loss: 0 };
    let total = 0;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      const pred = preds[i];
      const y = data.y[i];
      const functions: Record<string, LossFn> = { acc: accuracyFunction(h.loss, h.units), mse: tf.metrics.meanSquaredError, mae: tf.metrics.meanAbsoluteError };
      const names = tfjsMetrics(h).map((m) => (m === 'accuracy' ? 'acc' : m));
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
