// Builders for normalized spec objects with the defaults the normalizer fills in, so tests read like .nn files.
import type {
  Activation, DatasetSpec, GlobalPoolLayer, Layer, ModelSpec, Padding, RecurrentLayer, Spec, TrainSpec, WeightedLayer,
} from '../../src/spec/types.js';
import { SpanIndex } from '../../src/spec/spans.js';
import type { Span } from '../../src/diagnostics/types.js';

const counters = new Map<string, number>();
function autoName(type: string): string {
  const n = (counters.get(type) ?? 0) + 1;
  counters.set(type, n);
  return `${type}_${n}`;
}

const weights = (o: Partial<WeightedLayer> = {}): WeightedLayer => ({
  use_bias: true,
  kernel_initializer: { type: 'glorot_uniform' },
  bias_initializer: { type: 'zeros' },
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
  ...o,
});

type Opts<T> = Partial<Omit<T, 'type'>>;
type Of<K extends Layer['type']> = Extract<Layer, { type: K }>;
const pair = (v: number | [number, number]): [number, number] => (Array.isArray(v) ? v : [v, v]);

export const L = {
  dense: (units: number, activation: Activation = 'linear', o: Opts<Of<'dense'>> = {}): Layer =>
    ({ type: 'dense', name: autoName('dense'), units, activation, ...weights(o), ...o }),
  flatten: (): Layer => ({ type: 'flatten', name: autoName('flatten') }),
  reshape: (shape: number[]): Layer => ({ type: 'reshape', name: autoName('reshape'), shape }),
  dropout: (rate: number): Layer => ({ type: 'dropout', name: autoName('dropout'), rate }),
  activation: (activation: Activation): Layer => ({ type: 'activation', name: autoName('activation'), activation }),
  conv1d: (filters: number, kernel: number, o: Opts<Of<'conv1d'>> = {}): Layer =>
    ({ type: 'conv1d', name: autoName('conv1d'), filters, kernel, strides: 1, padding: 'valid', dilation: 1, activation: 'linear', ...weights(o), ...o }),
  conv2d: (filters: number, kernel: number | [number, number],
    o: { strides?: number | [number, number]; dilation?: number | [number, number]; padding?: Padding; activation?: Activation } & Partial<WeightedLayer> = {}): Layer =>
    ({
      ...weights(o), type: 'conv2d', name: autoName('conv2d'), filters, kernel: pair(kernel), strides: pair(o.strides ?? 1),
      padding: o.padding ?? 'valid', dilation: pair(o.dilation ?? 1), activation: o.activation ?? 'linear',
    }),
  pool1d: (type: 'max_pool1d' | 'avg_pool1d', pool: number, o: { strides?: number; padding?: Padding } = {}): Layer =>
    ({ type, name: autoName(type), pool, strides: o.strides ?? pool, padding: o.padding ?? 'valid' }),
  pool2d: (type: 'max_pool2d' | 'avg_pool2d', pool: number | [number, number], o: { strides?: number | [number, number]; padding?: Padding } = {}): Layer =>
    ({ type, name: autoName(type), pool: pair(pool), strides: pair(o.strides ?? pool), padding: o.padding ?? 'valid' }),
  global: (type: GlobalPoolLayer['type']): Layer => ({ type, name: autoName(type) }),
  batchNorm: (o: Opts<Of<'batch_norm'>> = {}): Layer =>
    ({ type: 'batch_norm', name: autoName('batch_norm'), momentum: 0.99, epsilon: 1e-3, center: true, scale: true, ...o }),
  layerNorm: (o: Opts<Of<'layer_norm'>> = {}): Layer =>
    ({ type: 'layer_norm', name: autoName('layer_norm'), epsilon: 1e-3, center: true, scale: true, ...o }),
  embedding: (input_dim: number, output_dim: number, o: Opts<Of<'embedding'>> = {}): Layer =>
    ({ type: 'embedding', name: autoName('embedding'), input_dim, output_dim, mask_zero: false, embeddings_initializer: { type: 'random_uniform', minval: -0.05, maxval: 0.05 }, embeddings_regularizer: null, ...o }),
  rnn: (type: RecurrentLayer['type'], units: number, o: Opts<RecurrentLayer> = {}): Layer =>
    ({
      type, name: autoName(type), units, activation: 'tanh', recurrent_activation: 'sigmoid', return_sequences: false,
      dropout: 0, recurrent_dropout: 0, recurrent_initializer: { type: 'orthogonal' }, recurrent_regularizer: null, ...weights(o), ...o,
    }),
};

export function model(name: string, shape: number[], layers: Layer[], o: Partial<ModelSpec> & { dtype?: 'float32' | 'int32' } = {}): ModelSpec {
  return { name, input: { name: 'x', shape, dtype: o.dtype ?? 'float32' }, labels: o.labels ?? null, layers };
}

export function spec(models: ModelSpec[], datasets: DatasetSpec[] = [], trainings: TrainSpec[] = []): Spec {
  return { source: 'test.nn', models, datasets, trainings };
}

const common = { normalize: { type: 'none' as const }, validation: 0, test: 0, shuffle: true, augment: null, limit: null };
export const D = {
  fashion: (name = 'fashion'): DatasetSpec => ({ ...common, name, source: 'fashion_mnist', path: null }),
  images: (name: string, train: string, image_size: [number, number], color: 'rgb' | 'grayscale'): DatasetSpec =>
    ({ ...common, name, source: 'image_folder', train, test_path: null, validation_path: null, image_size, color }),
  csv: (name: string, task: 'classification' | 'regression', features: string[] | null): DatasetSpec =>
    ({ ...common, name, source: 'csv', train: 'data.csv', test_path: null, header: true, delimiter: ',', features, label: 'y', task }),
};

export function training(model: string, dataset: string, o: Partial<TrainSpec> = {}): TrainSpec {
  return {
    name: `${model}_on_${dataset}`, model, dataset, loss: 'sparse_categorical_crossentropy',
    optimizer: { type: 'adam', learning_rate: 1e-3, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
    schedule: null, metrics: ['accuracy'], epochs: 1, batch_size: 32, shuffle: true, seed: 42,
    early_stopping: null, checkpoint: null, class_weights: null, ...o,
  };
}

/** A span whose line number encodes the pointer it was registered for, so tests can tell spans apart. */
export function fakeSpan(line: number): Span {
  return { file: 'test.nn', line, column: 1, endLine: line, endColumn: 2, offset: 0, endOffset: 1 };
}

/** A SpanIndex with a distinct span for each given pointer; returns the pointer -> line map too. */
export function spansFor(...pointers: string[]): SpanIndex {
  const spans = new SpanIndex();
  pointers.forEach((p, i) => spans.set(p, { value: fakeSpan(i + 1), key: fakeSpan(1000 + i + 1) }));
  return spans;
}
