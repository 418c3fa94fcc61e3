// The JSON Schema (draft 2020-12) of the normalized spec, built here so layer schemas can share their parts;
// src/tools/generate.ts writes it to nn-spec.schema.json and compiles its validator (both derived, git-ignored). Defaults live here
// and are filled in by ajv (useDefaults), so this is the one place that says what a default is.

import type { Schema } from '../layers/args.js';
import { allLayerModules, layerSchema } from '../layers/registry.js';

export { activations } from '../layers/args.js';
export const losses = ['sparse_categorical_crossentropy', 'categorical_crossentropy', 'binary_crossentropy', 'mean_squared_error', 'mean_absolute_error', 'huber', 'hinge', 'log_cosh'];
export const optimizers = ['sgd', 'adam', 'adamax', 'rmsprop', 'adagrad', 'adadelta'];
export const metrics = ['accuracy', 'precision', 'recall', 'f1', 'mse', 'mae', 'r2'];
export const initializers = ['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', 'zeros', 'ones', 'orthogonal', 'random_uniform', 'random_normal', 'truncated_normal', 'constant'];
export const regularizers = ['l1', 'l2', 'l1_l2'];
export const schedules = ['step', 'exponential', 'reduce_on_plateau'];
export const datasetSources = ['fashion_mnist', 'idx', 'csv', 'image_folder'];

const int = (minimum = 1): Schema => ({ type: 'integer', minimum });
const num = (extra: Schema = {}): Schema => ({ type: 'number', ...extra });
const bool = (def: boolean): Schema => ({ type: 'boolean', default: def });
const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const pair: Schema = { type: 'array', items: int(), minItems: 2, maxItems: 2 };
const rate: Schema = { type: 'number', minimum: 0, exclusiveMaximum: 1 };
// Not anyOf: ajv fills no defaults inside anyOf, and a null-or-object must still get its object's defaults.
const nullable = (s: Schema): Schema => ({ ...s, type: [s.type, 'null'], default: null });

/** Variants that tagged() moved into $defs: each compiles to a validator of its own, compiled on first use. */
const variantDefs: Record<string, Schema> = {};

/**
 * An object whose `type` picks one of several shapes: an enum for did-you-mean, then one if/then per type.
 * With `defPrefix`, each variant becomes `$defs/<prefix>_<name>`, so a spec that uses three layer types makes
 * the JIT compile three small validators rather than one for all twenty.
 */
function tagged(tag: string, variants: Record<string, Schema>, extraProps: Schema = {}, defPrefix?: string): Schema {
  return {
    type: 'object',
    properties: { [tag]: { enum: Object.keys(variants) } },
    required: [tag],
    allOf: Object.entries(variants).map(([name, props]) => {
      const variant = {
        properties: { [tag]: {}, ...extraProps, ...(props.properties as Schema) },
        required: (props.required as string[] | undefined) ?? [],
        additionalProperties: false,
      };
      if (defPrefix) variantDefs[`${defPrefix}_${name}`] = variant;
      return { if: { properties: { [tag]: { const: name } } }, then: defPrefix ? { $ref: `#/$defs/${defPrefix}_${name}` } : variant };
    }),
  };
}

const seed: Schema = { type: 'integer' };
const initializerSchema: Schema = tagged('type', {
    glorot_uniform: { properties: { seed } }, glorot_normal: { properties: { seed } },
    he_uniform: { properties: { seed } }, he_normal: { properties: { seed } },
    lecun_uniform: { properties: { seed } }, lecun_normal: { properties: { seed } },
    zeros: {}, ones: {}, orthogonal: { properties: { seed } },
    random_uniform: { properties: { minval: num({ default: -0.05 }), maxval: num({ default: 0.05 }), seed } },
    random_normal: { properties: { mean: num({ default: 0 }), stddev: num({ exclusiveMinimum: 0, default: 0.05 }), seed } },
    truncated_normal: { properties: { mean: num({ default: 0 }), stddev: num({ exclusiveMinimum: 0, default: 0.05 }), seed } },
    constant: { properties: { value: num({ default: 0 }) } },
});
const penalty = num({ minimum: 0, default: 0.01 });
const regularizerSchema: Schema = nullable(
  tagged('type', { l1: { properties: { l1: penalty } }, l2: { properties: { l2: penalty } }, l1_l2: { properties: { l1: penalty, l2: penalty } } }),
);

const name: Schema = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };

/** Each layer type's schema, derived from its module (src/layers/types/). */
export const layerSchemas: Record<string, Schema> = Object.fromEntries(allLayerModules.map((m) => [m.type, layerSchema(m)]));

const modelInput: Schema = {
  type: 'object',
  properties: { name, shape: { type: 'array', items: int(), minItems: 1 }, dtype: { enum: ['float32', 'int32'], default: 'float32' } },
  required: ['name', 'shape'],
  additionalProperties: false,
};
const model: Schema = {
  type: 'object',
  properties: {
    name,
    input: modelInput,
    inputs: { type: 'array', items: modelInput, minItems: 2 },
    outputs: { type: 'array', items: name, minItems: 1, uniqueItems: true },
    labels: nullable({ type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true }),
    layers: { type: 'array', items: { $ref: '#/$defs/layer' }, minItems: 1 },
  },
  required: ['name', 'input', 'layers'],
  additionalProperties: false,
};

const fraction: Schema = { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0 };
const path: Schema = { type: 'string', minLength: 1 };
const augment: Schema = nullable({
  type: 'object',
  properties: {
    rotation: num({ minimum: 0, maximum: 180, default: 0 }), shear: num({ minimum: 0, maximum: 80, default: 0 }),
    zoom: num({ minimum: 0, exclusiveMaximum: 1, default: 0 }), horizontal_flip: bool(false), vertical_flip: bool(false),
    brightness: num({ minimum: 0, exclusiveMaximum: 1, default: 0 }),
  },
  additionalProperties: false,
});
const datasetCommon: Schema = {
  name,
  normalize: { ...tagged('type', { none: {}, scale: { properties: { factor: num({ exclusiveMinimum: 0 }) }, required: ['factor'] }, min_max: {}, z_score: {} }), default: { type: 'none' } },
  validation: fraction, test: fraction, shuffle: bool(true), augment,
  limit: nullable(int()),
};
const column: Schema = { type: ['string', 'integer'] };
const tasks = ['classification', 'regression'];
/** One value for every output, or one per output name: `loss: mse` or `loss: { price: mse, kind: ... }`. */
const oneOrPerName = (value: Schema): Schema => ({
  type: [value.type ?? 'string', 'object'].flat(), if: { type: 'object' }, then: { additionalProperties: value, minProperties: 1 }, else: value,
});
const dataset = tagged('source', {
  fashion_mnist: { properties: { path: nullable(path) } },
  idx: { properties: { train_images: path, train_labels: path, test_images: nullable(path), test_labels: nullable(path) }, required: ['train_images', 'train_labels'] },
  csv: {
    properties: {
      train: path, test_path: nullable(path), header: bool(true), delimiter: str({ minLength: 1, maxLength: 1, default: ',' }),
      features: nullable({ type: 'array', items: { type: ['string', 'integer'] }, minItems: 1 }),
      label: column, task: { ...oneOrPerName({ enum: tasks }), default: 'classification' },
      // several inputs and outputs: feature columns per input name, a label column per output name (`label` or `labels`
      // is required: src/normalize/complete.ts says so)
      inputs: { type: 'object', additionalProperties: { type: 'array', items: column, minItems: 1 }, minProperties: 1 },
      labels: { type: 'object', additionalProperties: column, minProperties: 1 },
    },
    required: ['train'],
  },
  image_folder: {
    properties: { train: path, test_path: nullable(path), validation_path: nullable(path), image_size: pair, color: { enum: ['grayscale', 'rgb'], default: 'rgb' } },
    required: ['train', 'image_size'],
  },
}, datasetCommon, 'dataset');

const lr = num({ exclusiveMinimum: 0, default: 0.001 });
const optimizer = tagged('type', {
  sgd: { properties: { learning_rate: num({ exclusiveMinimum: 0, default: 0.01 }), momentum: num({ minimum: 0, default: 0 }), nesterov: bool(false) } },
  adam: { properties: { learning_rate: lr, beta_1: { ...rate, default: 0.9 }, beta_2: { ...rate, default: 0.999 }, epsilon: num({ exclusiveMinimum: 0, default: 1e-7 }) } },
  adamax: { properties: { learning_rate: num({ exclusiveMinimum: 0, default: 0.002 }), beta_1: { ...rate, default: 0.9 }, beta_2: { ...rate, default: 0.999 }, epsilon: num({ exclusiveMinimum: 0, default: 1e-7 }) } },
  rmsprop: { properties: { learning_rate: lr, rho: { ...rate, default: 0.9 }, momentum: num({ minimum: 0, default: 0 }), epsilon: num({ exclusiveMinimum: 0, default: 1e-7 }) } },
  adagrad: { properties: { learning_rate: num({ exclusiveMinimum: 0, default: 0.01 }), initial_accumulator_value: num({ minimum: 0, default: 0.1 }) } },
  adadelta: { properties: { learning_rate: num({ exclusiveMinimum: 0, default: 1 }), rho: { ...rate, default: 0.95 }, epsilon: num({ exclusiveMinimum: 0, default: 1e-7 }) } },
});
const monitor: Schema = str({ pattern: '^(val_)?[a-z0-9_]+$', default: 'val_loss' });
const schedule = nullable(tagged('type', {
  step: { properties: { every: int(), factor: num({ exclusiveMinimum: 0, maximum: 1, default: 0.1 }) }, required: ['every'] },
  exponential: { properties: { decay_rate: num({ exclusiveMinimum: 0, maximum: 1 }), decay_epochs: { ...int(), default: 1 } }, required: ['decay_rate'] },
  reduce_on_plateau: { properties: { monitor, factor: num({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.1 }), patience: { ...int(0), default: 10 }, min_delta: num({ minimum: 0, default: 0.0001 }), min_lr: num({ minimum: 0, default: 0 }) } },
}));

const metricList: Schema = { type: 'array', items: { type: 'string', enum: metrics }, uniqueItems: true };
const training: Schema = {
  type: 'object',
  properties: {
    name, model: name, dataset: name,
    loss: oneOrPerName({ enum: losses }),
    loss_weights: { type: 'object', additionalProperties: num({ exclusiveMinimum: 0 }), minProperties: 1 },
    optimizer: { ...optimizer, default: { type: 'adam' } },
    schedule,
    // Typed items let ajv check uniqueItems with a hash; untyped, it compares every pair (minutes for 100,000 items).
    metrics: { ...oneOrPerName(metricList), default: ['accuracy'] },
    epochs: { ...int(), default: 10 },
    batch_size: { ...int(), default: 32 },
    shuffle: bool(true),
    seed: { type: 'integer', minimum: 0, default: 42 },
    early_stopping: nullable({
      type: 'object',
      properties: { monitor, patience: { ...int(0), default: 5 }, min_delta: num({ minimum: 0, default: 0 }), restore_best_weights: bool(false) },
      additionalProperties: false,
    }),
    checkpoint: nullable({ type: 'object', properties: { monitor, best_only: bool(true) }, additionalProperties: false }),
    class_weights: nullable({ type: 'object', additionalProperties: num({ exclusiveMinimum: 0 }) }),
  },
  required: ['name', 'model', 'dataset', 'loss'],
  additionalProperties: false,
};

export const specSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://nnc.dev/schema/nn-spec.schema.json',
  title: 'nnc normalized spec',
  type: 'object',
  properties: {
    source: { type: 'string' },
    models: { type: 'array', items: model },
    datasets: { type: 'array', items: dataset },
    trainings: { type: 'array', items: training },
  },
  required: ['source', 'models', 'datasets', 'trainings'],
  additionalProperties: false,
  $defs: { initializer: initializerSchema, regularizer: regularizerSchema, layer: tagged('type', layerSchemas, {}, 'layer'), ...variantDefs },
};

/** The names an object at a schema position may have: for did-you-mean on unknown arguments. */
export function propertyNames(s: Schema, tag?: string, tagValue?: string): string[] {
  if (tag && tagValue && Array.isArray(s.allOf)) {
    for (const branch of s.allOf as Schema[]) {
      const cond = ((branch.if as Schema).properties as Record<string, Schema>)[tag];
      if (cond?.const === tagValue) return Object.keys(((branch.then as Schema).properties as Schema) ?? {}).filter((k) => k !== tag);
    }
  }
  return Object.keys((s.properties as Schema) ?? {});
}
