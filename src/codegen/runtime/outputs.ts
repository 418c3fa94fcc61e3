// A training's loss, loss weight and metrics per model output, and a CSV dataset's columns per model input and
// output: the one reading of `loss: {...}`, `loss_weights`, `metrics: {...}`, `inputs: {...}` and `labels: {...}`,
// shared by the checker (src/shapes/contracts-multi.ts) and the generated trainer. Pure: no tfjs.
import type { CsvDataset, Loss, Metric, Task, TrainSpec } from './spec-types.js';

export interface OutputTraining {
  /** The output tensor's name (its layer's name). */
  name: string;
  loss: Loss;
  /** The loss's weight in the total loss. */
  weight: number;
  metrics: Metric[];
}

const TASK_METRICS: Record<Task, ReadonlySet<Metric>> = {
  classification: new Set(['accuracy', 'precision', 'recall', 'f1']),
  regression: new Set(['mse', 'mae', 'r2']),
};

/** Whether a metric applies to an output of this task. */
export const metricFitsTask = (metric: Metric, task: Task): boolean => TASK_METRICS[task].has(metric);

/**
 * Loss, weight and metrics of each output, in model output order. A single loss applies to every output (as in
 * Keras); a metrics list applies to every output whose task it fits, so `metrics: [accuracy, mae]` serves a
 * classification and a regression head alike.
 */
export function outputTrainings(training: TrainSpec, outputs: { name: string; task: Task }[]): OutputTraining[] {
  return outputs.map(({ name, task }) => {
    const loss = typeof training.loss === 'string' ? training.loss : training.loss[name];
    const metrics = Array.isArray(training.metrics)
      ? (outputs.length === 1 ? training.metrics : training.metrics.filter((m) => metricFitsTask(m, task)))
      : (training.metrics[name] ?? []);
    return { name, loss, weight: training.loss_weights?.[name] ?? 1, metrics };
  });
}

/** The task of each labelled output: `task` for all, or per output name (classification where unnamed). */
export function outputTask(ds: CsvDataset, output: string): Task {
  return typeof ds.task === 'string' ? ds.task : (ds.task[output] ?? 'classification');
}

/** The label column of each output: `labels` by name, or `label` for the one output. */
export function labelColumns(ds: CsvDataset, outputs: string[]): { output: string; column: string | number }[] {
  if (ds.labels) return outputs.map((output) => ({ output, column: ds.labels![output] }));
  return ds.label === undefined ? [] : [{ output: outputs[0], column: ds.label }];
}

/**
 * Whether a training takes the several-inputs-or-outputs path (checker, code generation and trainer alike): more
 * than one input or output, a dataset that names columns per input or output, or a per-output table in `train`.
 */
export function isMultiIo(
  inputCount: number, outputCount: number, ds: { source: string; inputs?: unknown; labels?: unknown } | null,
  training: Pick<TrainSpec, 'loss' | 'metrics' | 'loss_weights'>,
): boolean {
  return inputCount > 1 || outputCount > 1 || (ds !== null && ds.source === 'csv' && (ds.inputs !== undefined || ds.labels !== undefined))
    || typeof training.loss === 'object' || !Array.isArray(training.metrics) || training.loss_weights !== undefined;
}
