// The normalized spec: what `nnc` produces from a .nn file after defaults are filled in and units resolved.
// This file is the one definition shared by the compiler (src/spec/types.ts re-exports it) and by the
// generated code (it is copied into every generated folder), so it imports nothing.

export type Activation =
  | 'linear' | 'relu' | 'relu6' | 'elu' | 'selu' | 'sigmoid' | 'hard_sigmoid' | 'tanh' | 'softmax'
  | 'softplus' | 'softsign' | 'swish' | 'mish' | 'gelu';

export type Initializer =
  | { type: 'glorot_uniform' | 'glorot_normal' | 'he_uniform' | 'he_normal' | 'lecun_uniform' | 'lecun_normal' | 'zeros' | 'ones' | 'orthogonal'; seed?: number }
  | { type: 'random_uniform'; minval: number; maxval: number; seed?: number }
  | { type: 'random_normal' | 'truncated_normal'; mean: number; stddev: number; seed?: number }
  | { type: 'constant'; value: number };

export type Regularizer =
  | { type: 'l1'; l1: number }
  | { type: 'l2'; l2: number }
  | { type: 'l1_l2'; l1: number; l2: number };

/**
 * A layer of the normalized spec. The generated code reads only `type` and `name`; each type's arguments are
 * declared, with their exact types, by its layer module in nnc's sources (src/layers/types/).
 */
export interface LayerSpec {
  type: string;
  /** Always filled in by normalization (Keras-style `dense_1`); also the name of the layer's output tensor. */
  name: string;
  /** The tensors it takes, by name (model inputs or layers); absent: the previous layer's output (the first layer: the input). */
  inputs?: string[];
  [argument: string]: unknown;
}

export type Padding = 'valid' | 'same';

export interface ModelInput {
  name: string;
  /** Sample shape, no batch axis. */
  shape: number[];
  dtype: 'float32' | 'int32';
}

/**
 * A model is a graph of layers: each layer takes the tensors its `inputs` name, by default the previous layer's
 * output, so a chain of layers needs no names at all. `layers` is in source order (a layer's position derives its
 * initial-weight seeds); src/graph/ puts them in topological order.
 */
export interface ModelSpec<L extends LayerSpec = LayerSpec> {
  name: string;
  /** The first input. */
  input: ModelInput;
  /** Every input, in order, when there is more than one. */
  inputs?: ModelInput[];
  /** The tensors the model returns, by name, when not just the last layer's. */
  outputs?: string[];
  /** Class names, in output order; null when the model does not declare them (regression, or labels from data). */
  labels: string[] | null;
  layers: L[];
}

// ---- datasets ----

export type Normalization =
  | { type: 'none' }
  | { type: 'scale'; factor: number }
  | { type: 'min_max' }
  | { type: 'z_score' };

export interface Augmentation {
  /** Degrees, random in [-rotation, rotation]. */
  rotation: number;
  /** Shear angle in degrees, random in [-shear, shear]. */
  shear: number;
  /** Fraction, random scale in [1-zoom, 1+zoom]. */
  zoom: number;
  horizontal_flip: boolean;
  vertical_flip: boolean;
  /** Fraction, random brightness factor in [1-brightness, 1+brightness]. */
  brightness: number;
}

export interface DatasetCommon {
  name: string;
  normalize: Normalization;
  /** Fraction of the training data held out for validation (0 = none), ignored when `validation_path` is set. */
  validation: number;
  /** Fraction of the data held out for test when the source has no test split of its own (0 = none). */
  test: number;
  shuffle: boolean;
  augment: Augmentation | null;
  /** Cap on training samples (useful for smoke runs); null = all. */
  limit: number | null;
}

export interface FashionMnistDataset extends DatasetCommon {
  source: 'fashion_mnist';
  /** Folder holding the four IDX files; null = search the standard places. */
  path: string | null;
}

export interface IdxDataset extends DatasetCommon {
  source: 'idx';
  train_images: string; train_labels: string;
  test_images: string | null; test_labels: string | null;
}

export interface CsvDataset extends DatasetCommon {
  source: 'csv';
  /** Paths are relative to the spec file. */
  train: string;
  test_path: string | null;
  header: boolean;
  delimiter: string;
  /** Column names (with header) or 0-based indices; null = every column but the label(s). */
  features: (string | number)[] | null;
  /** The label column of a model with one output; absent when `labels` names one per output. */
  label?: string | number;
  /** Classification maps label values to class indices in sorted order; regression keeps numbers. Per output name for several outputs. */
  task: Task | Record<string, Task>;
  /** Feature columns per model input, by input name (a model with several inputs); absent: `features` feed the one input. */
  inputs?: Record<string, (string | number)[]>;
  /** Label column per model output, by output tensor name (a model with several outputs); absent: `label`. */
  labels?: Record<string, string | number>;
}

export type Task = 'classification' | 'regression';

export interface ImageFolderDataset extends DatasetCommon {
  source: 'image_folder';
  train: string;
  test_path: string | null;
  validation_path: string | null;
  image_size: [number, number];
  color: 'grayscale' | 'rgb';
}

export type DatasetSpec = FashionMnistDataset | IdxDataset | CsvDataset | ImageFolderDataset;

// ---- training ----

export type Loss =
  | 'sparse_categorical_crossentropy' | 'categorical_crossentropy' | 'binary_crossentropy'
  | 'mean_squared_error' | 'mean_absolute_error' | 'huber' | 'hinge' | 'log_cosh';

export type Optimizer =
  | { type: 'sgd'; learning_rate: number; momentum: number; nesterov: boolean }
  | { type: 'adam' | 'adamax'; learning_rate: number; beta_1: number; beta_2: number; epsilon: number }
  | { type: 'rmsprop'; learning_rate: number; rho: number; momentum: number; epsilon: number }
  | { type: 'adagrad'; learning_rate: number; initial_accumulator_value: number }
  | { type: 'adadelta'; learning_rate: number; rho: number; epsilon: number };

export type Schedule =
  | { type: 'step'; every: number; factor: number }
  | { type: 'exponential'; decay_rate: number; decay_epochs: number }
  | { type: 'reduce_on_plateau'; monitor: string; factor: number; patience: number; min_delta: number; min_lr: number };

export type Metric = 'accuracy' | 'precision' | 'recall' | 'f1' | 'mse' | 'mae' | 'r2';

export interface EarlyStopping {
  monitor: string;
  patience: number;
  min_delta: number;
  restore_best_weights: boolean;
}

export interface Checkpoint {
  monitor: string;
  best_only: boolean;
}

export interface TrainSpec {
  /** Key of this training: `<model>_on_<dataset>`, or the `as` name; also the generated folder's name. */
  name: string;
  model: string;
  dataset: string;
  /** One loss for every output, or one per output tensor name (as Keras' `loss={...}`). */
  loss: Loss | Record<string, Loss>;
  /** Weight of each output's loss in the total, by output name (missing: 1); absent: all 1. */
  loss_weights?: Record<string, number>;
  optimizer: Optimizer;
  schedule: Schedule | null;
  /** For every output (those that fit its task, with several outputs), or per output tensor name. */
  metrics: Metric[] | Record<string, Metric[]>;
  epochs: number;
  batch_size: number;
  shuffle: boolean;
  seed: number;
  early_stopping: EarlyStopping | null;
  checkpoint: Checkpoint | null;
  /** Class name (or index as a string) -> weight. */
  class_weights: Record<string, number> | null;
}

export interface Spec<L extends LayerSpec = LayerSpec> {
  /** Path of the .nn file this spec came from, as given to nnc. */
  source: string;
  models: ModelSpec<L>[];
  datasets: DatasetSpec[];
  trainings: TrainSpec[];
}

/** What a generated trainer folder is compiled from: one training with its model and dataset resolved. */
export interface TrainingUnit<L extends LayerSpec = LayerSpec> {
  source: string;
  model: ModelSpec<L>;
  dataset: DatasetSpec;
  training: TrainSpec;
}
