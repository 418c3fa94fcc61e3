// The contract between a training's model and its dataset (NN4xxx): output units vs classes and labels,
// loss vs output activation, model input vs sample shape, metrics vs task, class_weights vs class names.
import { untrainable } from './trainable.js';
import { existsSync, openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { diag, q } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { DatasetSpec, Layer, Loss, Metric, ModelSpec, Spec, TrainSpec } from '../spec/types.js';
import { pointer, type SpanIndex } from '../spec/spans.js';
import type { ModelShapeInfo } from './infer.js';
import { product, showShape } from './layers.js';
import { modelGraph, pathToOutput, type GraphNode } from '../graph/graph.js';
import { checkMultiIo, needsMultiIo } from './contracts-multi.js';

export interface ContractEnv {
  /** Folder of the .nn file; dataset paths are relative to it. */
  specDir: string;
  fileExists?: (path: string) => boolean;
  /** Names of the sub-folders of `path`, or null when `path` is not a folder. */
  listDir?: (path: string) => string[] | null;
  /** The first `bytes` bytes of a file, or null when it cannot be read. */
  readHead?: (path: string, bytes: number) => Uint8Array | null;
}

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const CLASSIFICATION_LOSSES = new Set<Loss>(['sparse_categorical_crossentropy', 'categorical_crossentropy', 'binary_crossentropy', 'hinge']);
const REGRESSION_LOSSES = new Set<Loss>(['mean_squared_error', 'mean_absolute_error', 'huber', 'log_cosh']);
/** Losses that take the label tensor as it is: on a classification dataset, one class index per sample. */
const INDEX_TARGET_LOSSES = new Set<Loss>([...REGRESSION_LOSSES, 'binary_crossentropy', 'hinge']);
const CLASSIFICATION_METRICS = new Set(['accuracy', 'precision', 'recall', 'f1']);

const defaultListDir = (path: string): string[] | null => {
  try {
    if (!statSync(path).isDirectory()) return null;
    return readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch {
    return null;
  }
};

const defaultReadHead = (path: string, bytes: number): Uint8Array | null => {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(bytes);
      return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
};

// Loaded on first use: node:zlib (and node:stream under it) costs `nnc check` start-up time, and only specs naming
// gzipped IDX files need it. (process.getBuiltinModule rather than createRequire: a require function made while the
// startup snapshot is built does not survive into the process that starts from it.)
const zlib = () => process.getBuiltinModule('node:zlib');

/** Sample shape from an IDX image file's header (gzip or raw), or null when it cannot be read. */
export function idxSampleShape(path: string, readHead: (p: string, n: number) => Uint8Array | null): number[] | null {
  let head = readHead(path, 4096);
  if (!head || head.length < 4) return null;
  try {
    // a truncated gzip stream decompresses as far as it goes with a sync flush
    if (head[0] === 0x1f && head[1] === 0x8b) {
      const { gunzipSync, constants } = zlib();
      head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
    }
  } catch {
    return null;
  }
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0) return null;
  const rank = head[3];
  if (head.length < 4 + 4 * rank) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return dims.slice(1);
}

interface ClassInfo { count: number; names: string[] | null; fromModelLabels: boolean; note: string }

function datasetClasses(dataset: DatasetSpec, model: ModelSpec, env: Required<ContractEnv>): ClassInfo | null {
  const fromLabels = model.labels
    ? { count: model.labels.length, names: model.labels, fromModelLabels: true, note: `model ${q(model.name)} lists ${model.labels.length} labels` }
    : null;
  switch (dataset.source) {
    case 'fashion_mnist':
      return { count: 10, names: FASHION_MNIST_CLASSES, fromModelLabels: false, note: 'fashion_mnist has 10 classes' };
    case 'image_folder': {
      const dir = resolve(env.specDir, dataset.train);
      const folders = env.listDir(dir);
      if (folders && folders.length > 0) {
        return { count: folders.length, names: folders, fromModelLabels: false, note: `${dataset.train} holds ${folders.length} class folders` };
      }
      return fromLabels;
    }
    case 'csv':
      return dataset.task === 'classification' ? fromLabels : null;
    case 'idx':
      return fromLabels;
  }
}

/** Layers that are an activation by their type (`softmax(axis: -1)`, `relu`, ...), not by an `activation` argument. */
const ACTIVATION_LAYERS = new Set(['softmax', 'relu', 'relu6', 'elu', 'leaky_relu', 'prelu']);

/**
 * The layer that decides the output activation: the output's, looking back through dropout/flatten/reshape.
 * `rankOf` gives a layer's output rank without the batch axis: a softmax layer is a softmax over the classes only
 * along the last axis.
 */
function outputActivation(path: GraphNode[], rankOf: (layer: Layer) => number | undefined): { activation: string; layer: Layer; index: number } | null {
  for (const { layer, index } of path) {
    if (layer.type === 'dropout' || layer.type === 'flatten' || layer.type === 'reshape') continue;
    if (ACTIVATION_LAYERS.has(layer.type)) {
      const axis = (layer as { axis?: number }).axis ?? -1;
      const last = axis === -1 || axis === rankOf(layer);
      return { activation: layer.type === 'softmax' && !last ? `softmax over axis ${axis}` : layer.type, layer, index };
    }
    return { activation: 'activation' in layer ? (layer.activation as string) : 'linear', layer, index };
  }
  return null;
}

/** The last layer before the output that sets the number of output units (units, filters, output_dim). */
export function unitsLayer(path: GraphNode[]): { layer: Layer; index: number; arg: string } | null {
  for (const { layer: l, index: i } of path) {
    if (l.type === 'dense' || l.type === 'lstm' || l.type === 'gru' || l.type === 'simple_rnn') return { layer: l, index: i, arg: 'units' };
    if (l.type === 'conv1d' || l.type === 'conv2d') return { layer: l, index: i, arg: 'filters' };
    if (l.type === 'embedding') return { layer: l, index: i, arg: 'output_dim' };
  }
  return null;
}

export function checkContracts(spec: Spec, spans: SpanIndex, shapes: ModelShapeInfo[], env?: ContractEnv): Diagnostic[] {
  const fullEnv: Required<ContractEnv> = {
    specDir: env?.specDir ?? '.',
    fileExists: env?.fileExists ?? existsSync,
    listDir: env?.listDir ?? defaultListDir,
    readHead: env?.readHead ?? defaultReadHead,
  };
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnostic) => {
    const key = `${d.code}|${d.message}|${JSON.stringify(d.span)}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  };
  spec.trainings.forEach((training, t) => {
    const modelIndex = spec.models.findIndex((m) => m.name === training.model);
    const dataset = spec.datasets.find((d) => d.name === training.dataset);
    if (modelIndex < 0) {
      push(diag('NN2008', spans.valueAt(pointer('trainings', t, 'model')), { kind: 'model', name: q(training.model) },
        { suggestions: suggest(training.model, spec.models.map((m) => m.name)) }));
    }
    if (!dataset) {
      push(diag('NN2008', spans.valueAt(pointer('trainings', t, 'dataset')), { kind: 'dataset', name: q(training.dataset) },
        { suggestions: suggest(training.dataset, spec.datasets.map((d) => d.name)) }));
    }
    if (modelIndex < 0 || !dataset) return;
    const ctx: TrainingContext = { spec, spans, training, t, model: spec.models[modelIndex], modelIndex, dataset, info: shapes[modelIndex], env: fullEnv, push };
    if (needsMultiIo(ctx)) {
      checkMultiIo(ctx);
    } else {
      checkInput(ctx);
      checkOutput(ctx);
      checkMetrics(ctx);
    }
    const stuck = ctx.info?.complete ? untrainable(ctx.model, ctx.info) : null;
    if (stuck?.code === 'NN4040') push(diag('NN4040', spans.keyAt(pointer('trainings', t)), { model: q(training.model) }));
    if (stuck?.code === 'NN4043') {
      push(diag('NN4043', spans.valueAt(pointer('models', modelIndex, 'outputs')), {
        first: q(stuck.first), firstShape: showShape(stuck.firstShape), second: q(stuck.second), secondShape: showShape(stuck.secondShape), model: q(training.model),
      }));
    }
    if (stuck?.code === 'NN4041' || stuck?.code === 'NN4042') {
      push(diag(stuck.code, spans.valueAt(pointer('models', modelIndex, 'layers', stuck.layerIndex)), { layer: q(stuck.name), training: q(training.name) }));
    }
  });
  return out;
}

export interface TrainingContext {
  spec: Spec; spans: SpanIndex; training: TrainSpec; t: number; model: ModelSpec; modelIndex: number;
  dataset: DatasetSpec; info: ModelShapeInfo | undefined; env: Required<ContractEnv>; push: (d: Diagnostic) => void;
}

const isRegression = (d: DatasetSpec) => d.source === 'csv' && d.task === 'regression';

export { checkInput };

function checkInput(c: TrainingContext): void {
  const { model, dataset } = c;
  const span = c.spans.valueAt(pointer('models', c.modelIndex, 'input', 'shape'));
  const found = model.input.shape;
  const count = product(found);
  if (dataset.source !== 'csv' && model.input.dtype === 'int32') {
    c.push(diag('NN4015', c.spans.valueAt(pointer('models', c.modelIndex, 'input', 'dtype')), { source: dataset.source, dataset: q(dataset.name) }));
  }
  const sampleMismatch = (sample: number[]) => {
    if (product(sample) === count) return;
    c.push(diag('NN4008', span, { expected: product(sample), sample: showShape(sample), dataset: q(dataset.name), found: showShape(found), count }, {
      notes: [`${sample.join(' * ')} = ${product(sample)}`, `${found.join(' * ') || '1'} = ${count}`],
      help: `e.g. \`input ${model.input.name}: [${sample.join(', ')}]\``,
    }));
  };
  switch (dataset.source) {
    case 'fashion_mnist':
      return sampleMismatch([28, 28]);
    case 'idx': {
      const sample = idxSampleShape(resolve(c.env.specDir, dataset.train_images), c.env.readHead);
      if (sample) sampleMismatch(sample);
      return;
    }
    case 'image_folder': {
      const expected = [...dataset.image_size, dataset.color === 'rgb' ? 3 : 1];
      const same = found.length === 3 ? found.every((d, i) => d === expected[i]) : product(expected) === count;
      if (!same) {
        c.push(diag('NN4009', span, { expected: `[${expected.join(', ')}]`, dataset: q(dataset.name), found: showShape(found), input: model.input.name }, {
          notes: [`image_size ${dataset.image_size.join(' x ')}, ${dataset.color}: ${dataset.color === 'rgb' ? 3 : 1} channel${dataset.color === 'rgb' ? 's' : ''}`],
        }));
      }
      return;
    }
    case 'csv':
      if (Array.isArray(dataset.features) && dataset.features.length !== count) {
        c.push(diag('NN4014', span, { expected: dataset.features.length, dataset: q(dataset.name), found: showShape(found), input: model.input.name }));
      }
  }
}

/** What one output is trained on: its loss (and where it is written), its task and its label column. */
export interface Head { output: string; loss: Loss; regression: boolean; lossSpan: Span | null; label: string | number | undefined; multi: boolean }

function checkOutput(c: TrainingContext): void {
  const graph = modelGraph(c.model);
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    c.push(diag('NN4017', c.spans.valueAt(pointer('trainings', c.t, 'model')), {
      training: q(c.training.name), inputs: graph.inputs.length, outputs: graph.outputs.length, model: q(c.model.name), source: c.dataset.source,
    }));
    return;
  }
  checkHead(c, {
    output: graph.outputs[0], loss: c.training.loss as Loss, regression: isRegression(c.dataset),
    lossSpan: c.spans.valueAt(pointer('trainings', c.t, 'loss')), label: c.dataset.source === 'csv' ? c.dataset.label : undefined, multi: false,
  });
}

/** The contract of one output: units vs classes and labels, loss vs task and output activation. */
export function checkHead(c: TrainingContext, head: Head): void {
  const { model, dataset, training, info } = c;
  if (!info || !info.complete || info.layers.length === 0) return;
  const graph = modelGraph(model);
  // The output layer and the layers before it, along first inputs: for a chain, the layers last to first.
  const path = pathToOutput(graph, head.output);
  const outputInfo = info.layers.find((l) => l.name === head.output);
  if (!outputInfo || path.length === 0) return;
  const outIndex = path[0].index;
  const outShape = outputInfo.outputShape.slice(1) as number[];
  const units = outShape[outShape.length - 1];
  const rankOf = (l: Layer) => {
    const shape = info.layers.find((x) => x.name === l.name)?.outputShape;
    return shape && shape.length - 1;
  };
  const act = outputActivation(path, rankOf);
  const unitsAt = unitsLayer(path);
  const unitsSpan = unitsAt
    ? c.spans.valueAt(pointer('models', c.modelIndex, 'layers', unitsAt.index, unitsAt.arg))
    : c.spans.valueAt(pointer('models', c.modelIndex, 'layers', outIndex));
  const lastName = q(unitsAt?.layer.name ?? path[0].layer.name);
  const lossSpan = head.lossSpan;
  const trainingNote = `in training ${q(training.name)} on dataset ${q(dataset.name)}${head.multi ? `, output ${q(head.output)}` : ''}`;
  const loss = head.loss;
  // with several outputs, a message about one says which (the single-output messages stay as they were)
  const headNotes = head.multi ? { notes: [`output ${q(head.output)} of model ${q(model.name)} is ${head.regression ? 'a regression' : 'a classification'} output in training ${q(training.name)}`] } : {};

  if (outShape.length !== 1) {
    c.push(diag('NN4016', c.spans.valueAt(pointer('models', c.modelIndex, 'layers', outIndex)),
      { dataset: q(dataset.name), found: showShape(outShape), layer: q(path[0].layer.name) }));
    return;
  }

  if (head.regression) {
    if (CLASSIFICATION_LOSSES.has(loss)) c.push(diag('NN4007', lossSpan, { dataset: q(dataset.name), loss }, headNotes));
    if (units !== 1 && dataset.source === 'csv') {
      c.push(diag('NN4013', unitsSpan, { label: q(head.label), dataset: q(dataset.name), found: units, layer: lastName }, { notes: [trainingNote] }));
    }
    if (act?.activation === 'softmax') c.push(diag('NN4006', lossSpan, { loss, layer: q(act.layer.name) }));
    if (training.class_weights && !head.multi) {
      c.push(diag('NN4012', c.spans.valueAt(pointer('trainings', c.t, 'class_weights')), { dataset: q(dataset.name) }));
    }
    return;
  }

  const classes = head.multi ? null : datasetClasses(dataset, model, c.env);
  const binaryOneUnit = loss === 'binary_crossentropy' && units === 1;
  const oneUnitCategorical = (loss === 'sparse_categorical_crossentropy' || loss === 'categorical_crossentropy') && units === 1;
  if (oneUnitCategorical) {
    c.push(diag('NN4003', lossSpan, { loss, units }, headNotes));
  } else if (classes && !classes.fromModelLabels && units !== classes.count && !(binaryOneUnit && classes.count === 2)) {
    c.push(diag('NN4001', unitsSpan, { expected: classes.count, classes: classes.count, dataset: q(dataset.name), found: units, layer: lastName },
      { notes: [classes.note, trainingNote] }));
  }
  if (model.labels && !head.multi && units !== model.labels.length && !(binaryOneUnit && model.labels.length === 2) && !oneUnitCategorical) {
    c.push(diag('NN4002', unitsSpan, { expected: model.labels.length, count: model.labels.length, model: q(model.name), found: units, layer: lastName }));
  }

  // The trainer feeds a classification dataset's labels as one class index per sample ([N, 1]), one-hot only for
  // categorical_crossentropy: any other loss over several units would compare every unit with the index.
  if (units > 1 && INDEX_TARGET_LOSSES.has(loss)) c.push(diag('NN4053', lossSpan, { loss, units, dataset: q(dataset.name) }));
  else if (units === 1 && REGRESSION_LOSSES.has(loss) && (classes === null || classes.count > 2)) c.push(diag('NN4054', lossSpan, { loss, dataset: q(dataset.name) }));

  if (act) {
    const layerName = q(act.layer.name);
    if ((loss === 'sparse_categorical_crossentropy' || loss === 'categorical_crossentropy') && units > 1 && act.activation !== 'softmax') {
      c.push(diag('NN4004', lossSpan, { loss, expected: 'a softmax', found: act.activation, layer: layerName, fix: 'softmax' }));
    }
    if (loss === 'binary_crossentropy') {
      if (act.activation !== 'sigmoid' && act.activation !== 'softmax') {
        c.push(diag('NN4004', lossSpan, { loss, expected: 'a sigmoid', found: act.activation, layer: layerName, fix: 'sigmoid' }));
      }
    }
  }
  if (!head.multi) checkClassWeights(c, classes);
}

function checkClassWeights(c: TrainingContext, classes: ClassInfo | null): void {
  const weights = c.training.class_weights;
  if (!weights || !classes) return;
  // The trainer looks class names up exactly (train.ts classWeightsByIndex), so the checker does too; a name that
  // differs only in case or punctuation is the first did-you-mean.
  const normal = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const known = new Set(classes.names ?? []);
  for (const key of Object.keys(weights)) {
    const index = /^\d+$/.test(key) ? Number(key) : NaN;
    if (index < classes.count || known.has(key)) continue;
    const names = classes.names ?? [];
    const suggestions = [...new Set([...names.filter((n) => normal(n) === normal(key)), ...suggest(key, names)])];
    const listed = names.length ? `known classes: ${names.slice(0, 12).map(q).join(', ')}${names.length > 12 ? ', ...' : ''}` : '';
    c.push(diag('NN4011', c.spans.keyAt(pointer('trainings', c.t, 'class_weights', key)), { name: q(key) }, {
      suggestions,
      notes: [listed, `class indices run from 0 to ${classes.count - 1}`].filter(Boolean),
    }));
  }
}

function checkMetrics(c: TrainingContext): void {
  const regression = isRegression(c.dataset);
  (c.training.metrics as Metric[]).forEach((metric, k) => {
    const span = c.spans.valueAt(pointer('trainings', c.t, 'metrics', k));
    if (regression && CLASSIFICATION_METRICS.has(metric)) {
      c.push(diag('NN4010', span, { metric, task: 'regression' }, { help: 'for regression use `mse`, `mae` or `r2`' }));
    } else if (!regression && metric === 'r2') {
      c.push(diag('NN4010', span, { metric, task: 'classification' }, { help: 'for classification use `accuracy`, `precision`, `recall` or `f1`' }));
    }
  });
}
