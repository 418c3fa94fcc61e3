// The contract of a training with several inputs or outputs (NN2050-NN2051, NN4060-NN4067): every name in the
// training's per-output tables and the dataset's `inputs`/`labels`/`task` tables is one of the model's; each input
// gets as many feature columns as it has elements; each output a loss and a label column; and each output's loss,
// units and activation fit its task, by the same rules as a model with one output (checkHead).
import { diag, q } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { CsvDataset, Loss } from '../spec/types.js';
import { pointer } from '../spec/spans.js';
import { modelGraph } from '../graph/graph.js';
import { isMultiIo, metricFitsTask, outputTask, outputTrainings } from '../codegen/runtime/outputs.js';
import { product, showShape } from './layers.js';
import { checkHead, type TrainingContext } from './contracts.js';

/** Whether this training is checked (and compiled) as one with several inputs or outputs. */
export function needsMultiIo(c: TrainingContext): boolean {
  const graph = modelGraph(c.model);
  return isMultiIo(graph.inputs.length, graph.outputs.length, c.dataset, c.training);
}

const list = (names: string[]) => names.map(q).join(', ');

export function checkMultiIo(c: TrainingContext): void {
  const graph = modelGraph(c.model);
  const { dataset: ds, training, t } = c;
  const outputs = graph.outputs;
  const model = q(c.model.name);
  if (ds.source !== 'csv') {
    // as for one output: said once the model's shapes are known (a shape error comes first)
    if (c.info?.complete) c.push(diag('NN4017', c.spans.valueAt(pointer('trainings', t, 'model')), {
      training: q(training.name), inputs: graph.inputs.length, outputs: outputs.length, model, source: ds.source,
    }));
    return;
  }
  const d = c.spec.datasets.indexOf(ds);
  /** Keys of a table that name no model output (or input): located at the key, with did-you-mean. */
  const unknownKeys = (table: object | undefined, at: string[], where: string, known: string[], code: 'NN2050' | 'NN2051') => {
    for (const key of Object.keys(table ?? {})) {
      if (known.includes(key)) continue;
      c.push(diag(code, c.spans.keyAt(pointer(...at, key)), { name: q(key), where, model }, {
        suggestions: suggest(key, known), notes: [`model ${model} has ${code === 'NN2050' ? 'outputs' : 'inputs'} ${list(known)}`],
      }));
    }
  };
  const inputNames = graph.inputs.map((i) => i.name);
  unknownKeys(ds.inputs, ['datasets', String(d), 'inputs'], `\`inputs\` of dataset ${q(ds.name)}`, inputNames, 'NN2051');
  unknownKeys(ds.labels, ['datasets', String(d), 'labels'], `\`labels\` of dataset ${q(ds.name)}`, outputs, 'NN2050');
  if (typeof ds.task === 'object') unknownKeys(ds.task, ['datasets', String(d), 'task'], `\`task\` of dataset ${q(ds.name)}`, outputs, 'NN2050');
  for (const key of ['loss', 'loss_weights', 'metrics'] as const) {
    const table = training[key];
    if (table && typeof table === 'object' && !Array.isArray(table)) unknownKeys(table, ['trainings', String(t), key], `\`${key}\` of training ${q(training.name)}`, outputs, 'NN2050');
  }
  checkInputs(c, ds, d);
  const labelled = checkLabels(c, ds, d);
  if (training.class_weights && outputs.length > 1) {
    c.push(diag('NN4065', c.spans.keyAt(pointer('trainings', t, 'class_weights')), { model, count: outputs.length }));
  }

  const tasks = outputs.map((name) => ({ name, task: outputTask(ds, name) }));
  const heads = outputTrainings(training, tasks);
  heads.forEach((head, k) => {
    if (head.loss === undefined) {
      c.push(diag('NN4060', c.spans.valueAt(pointer('trainings', t, 'loss')), { training: q(training.name), name: q(head.name), output: head.name, model }));
      return;
    }
    if (!labelled.has(head.name)) return;
    const perOutput = typeof training.loss === 'object';
    checkHead(c, {
      output: head.name, loss: head.loss as Loss, regression: tasks[k].task === 'regression', multi: outputs.length > 1,
      lossSpan: c.spans.valueAt(perOutput ? pointer('trainings', t, 'loss', head.name) : pointer('trainings', t, 'loss')),
      label: ds.labels?.[head.name] ?? ds.label,
    });
  });
  checkMetricTasks(c, tasks);
}

/** Each model input gets feature columns, as many as it has elements. */
function checkInputs(c: TrainingContext, ds: CsvDataset, d: number): void {
  const graph = modelGraph(c.model);
  const shapeSpan = (k: number) => c.spans.valueAt(k === 0 ? pointer('models', c.modelIndex, 'input', 'shape') : pointer('models', c.modelIndex, 'inputs', k, 'shape'));
  if (!ds.inputs) {
    if (graph.inputs.length === 1) return checkSingleInputFeatures(c, ds);
    c.push(diag('NN4063', c.spans.keyAt(pointer('datasets', d)), {
      dataset: q(ds.name), model: q(c.model.name), count: graph.inputs.length, names: list(graph.inputs.map((i) => i.name)),
      example: `{ ${graph.inputs.map((i) => `${i.name}: [...]`).join(', ')} }`,
    }));
    return;
  }
  graph.inputs.forEach((input, k) => {
    const columns = ds.inputs![input.name];
    if (!columns) {
      c.push(diag('NN4062', c.spans.valueAt(pointer('datasets', d, 'inputs')), { dataset: q(ds.name), name: q(input.name), input: input.name, model: q(c.model.name) }));
      return;
    }
    const expected = product(input.shape);
    if (columns.length !== expected) {
      c.push(diag('NN4064', c.spans.valueAt(pointer('datasets', d, 'inputs', input.name)), {
        expected, found: columns.length, dataset: q(ds.name), name: q(input.name), input: input.name, shape: showShape(input.shape), model: q(c.model.name),
      }, { notes: [`input ${q(input.name)} is declared at ${describeSpan(shapeSpan(k))}`] }));
    }
  });
}

/** One input fed by `features` (or every column but the labels): the count, when the columns are listed. */
function checkSingleInputFeatures(c: TrainingContext, ds: CsvDataset): void {
  const input = modelGraph(c.model).inputs[0];
  if (!Array.isArray(ds.features) || ds.features.length === product(input.shape)) return;
  c.push(diag('NN4014', c.spans.valueAt(pointer('models', c.modelIndex, 'input', 'shape')), {
    expected: ds.features.length, dataset: q(ds.name), found: showShape(input.shape), input: input.name,
  }));
}

/** Each model output gets a label column; returns the outputs that have one. */
function checkLabels(c: TrainingContext, ds: CsvDataset, d: number): Set<string> {
  const outputs = modelGraph(c.model).outputs;
  if (!ds.labels) {
    if (outputs.length === 1) return new Set(ds.label === undefined ? [] : outputs);
    c.push(diag('NN4067', c.spans.valueAt(pointer('datasets', d, 'label')) ?? c.spans.keyAt(pointer('datasets', d)), {
      dataset: q(ds.name), model: q(c.model.name), count: outputs.length, names: list(outputs),
      example: `{ ${outputs.map((o) => `${o}: "..."`).join(', ')} }`,
    }));
    return new Set();
  }
  const labelled = new Set<string>();
  for (const output of outputs) {
    if (ds.labels[output] !== undefined) labelled.add(output);
    else c.push(diag('NN4061', c.spans.valueAt(pointer('datasets', d, 'labels')), { dataset: q(ds.name), name: q(output), output, model: q(c.model.name) }));
  }
  return labelled;
}

/** Metrics per output fit that output's task; a list for several outputs must fit at least one of them. */
function checkMetricTasks(c: TrainingContext, tasks: { name: string; task: 'classification' | 'regression' }[]): void {
  const { training, t } = c;
  const help = (task: string) => (task === 'regression' ? 'for regression use `mse`, `mae` or `r2`' : 'for classification use `accuracy`, `precision`, `recall` or `f1`');
  if (Array.isArray(training.metrics)) {
    // the default list (`[accuracy]`) is not checked: each output takes the metrics that fit it
    if (!c.spans.has(pointer('trainings', t, 'metrics'))) return;
    training.metrics.forEach((metric, k) => {
      if (tasks.some((o) => metricFitsTask(metric, o.task))) return;
      const span = c.spans.valueAt(pointer('trainings', t, 'metrics', k));
      if (tasks.length === 1) c.push(diag('NN4010', span, { metric, task: tasks[0].task }, { help: help(tasks[0].task) }));
      else c.push(diag('NN4066', span, { metric, model: q(c.model.name), tasks: tasks.map((o) => `${q(o.name)} is ${o.task}`).join(', ') }));
    });
    return;
  }
  for (const { name, task } of tasks) {
    (training.metrics[name] ?? []).forEach((metric, k) => {
      if (metricFitsTask(metric, task)) return;
      c.push(diag('NN4010', c.spans.valueAt(pointer('trainings', t, 'metrics', name, k)), { metric, task: `${task} output ${q(name)}` }, { help: help(task) }));
    });
  }
}

const describeSpan = (span: { line: number; column: number } | null | undefined) => (span ? `${span.line}:${span.column}` : 'its `input` line');
