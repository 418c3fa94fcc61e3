// Dataset loading for generated trainers: one entry point, `loadDataset`, over four formats (fashion_mnist, idx,
// csv, image_folder). Every format yields sample pools; splits are planned on indices, normalization is fitted on
// the training split only, and the fitted parameters are returned as a JSON-able `preprocessing` record.

import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DatasetSpec, IdxDataset, ModelInput } from '../spec-types.js';
import { loadCsvSource } from './csv.js';
import { DataError } from './errors.js';
import { FASHION_MNIST_CLASSES, locateFashionMnist, readFashionMnist, type LocateOptions } from './fashion-mnist.js';
import { readIdxPair, type IdxImagesAndLabels } from './idx.js';
import { loadImageFolderSource } from './image-folder.js';
import { applyNormalizationInPlace, fitNormalization } from './normalize.js';
import { arrayPool, product, type SamplePool, type SourceData } from './pool.js';
import type { Preprocessing } from './preprocess.js';
import { planSplits } from './split.js';

export { DataError } from './errors.js';
export { augmentBatch, augmentationIsActive } from './augment.js';
export { preprocessSample, type Preprocessing } from './preprocess.js';
export { loadImageForInference } from './image-folder.js';
export { parseCsvRowForInference } from './csv.js';
export { FASHION_MNIST_CLASSES } from './fashion-mnist.js';
export type { NormalizationParams } from './normalize.js';

export interface Split { x: tf.Tensor; y: tf.Tensor; size: number }

export interface LoadedData {
  train: Split;
  validation: Split | null;
  test: Split | null;
  /** Class names by index (classification), null for regression. */
  classes: string[] | null;
  task: 'classification' | 'regression';
  /** JSON-able; saved next to the model; inference applies it to raw input. */
  preprocessing: Preprocessing;
  /** One line: source, path, counts. */
  description: string;
}

/**
 * What the model says about classes: its declared labels (output order) and its output units. With it, one class
 * list is made per dataset (the labels when declared) and checked against the data before training.
 */
export interface ClassContract { names: string[] | null; outputUnits: number | null }

export interface LoadOptions {
  classes?: ClassContract;
  /** Relative paths in the spec resolve against this. */
  specDir: string;
  /** --data-dir override. */
  dataDir?: string;
  /** Shuffling / split seed. */
  seed: number;
  log?: (line: string) => void;
  progress?: boolean;
  /** For tests: the standard Fashion-MNIST folders to search (default: Debian's and Keras') and the environment. */
  fashionSearch?: Pick<LocateOptions, 'standardDirs' | 'env'>;
}

/** Image metadata for pools of H x W or H x W x C samples (IDX, Fashion-MNIST). */
function imageInfo(sampleShape: number[]): { image: Preprocessing['image']; groups: number } {
  if (sampleShape.length === 2) return { image: { height: sampleShape[0], width: sampleShape[1], channels: 1 }, groups: 1 };
  const channels = sampleShape[2];
  if (sampleShape.length === 3 && (channels === 1 || channels === 3)) {
    return { image: { height: sampleShape[0], width: sampleShape[1], channels }, groups: channels };
  }
  return { image: null, groups: 1 };
}

const idxPool = (pair: IdxImagesAndLabels) => arrayPool(pair.images.data, pair.sampleShape, pair.labels);

function idxSource(train: IdxImagesAndLabels, test: IdxImagesAndLabels | null, classes: string[], origin: string): SourceData {
  if (test && test.sampleShape.join('x') !== train.sampleShape.join('x')) {
    throw new DataError(`${origin}: test images are ${test.sampleShape.join(' x ')} but training images are ${train.sampleShape.join(' x ')}`);
  }
  return {
    train: idxPool(train), test: test ? idxPool(test) : null, validation: null,
    classes, task: 'classification', ...imageInfo(train.sampleShape), csv: null, origin,
  };
}

async function loadIdxSource(ds: IdxDataset, specDir: string, contract: ClassContract | undefined): Promise<SourceData> {
  const at = (path: string) => resolve(specDir, path);
  const train = await readIdxPair(at(ds.train_images), at(ds.train_labels));
  if ((ds.test_images === null) !== (ds.test_labels === null)) {
    throw new DataError(`dataset '${ds.name}': test_images and test_labels must be given together`);
  }
  const test = ds.test_images && ds.test_labels ? await readIdxPair(at(ds.test_images), at(ds.test_labels)) : null;
  // IDX labels are class indices: names from the model's labels, else indices up to its output units (labels
  // beyond them are reported by record in loadDataset), else up to the largest label.
  let count = contract?.names?.length ?? expectedClassCount(contract);
  if (count === null) {
    count = 1;
    for (const labels of [train.labels, test?.labels ?? []]) for (const label of labels) count = Math.max(count, label + 1);
  }
  const classes = contract?.names ? [...contract.names] : Array.from({ length: count }, (_, i) => String(i));
  return idxSource(train, test, classes, at(ds.train_images));
}

async function loadSource(ds: DatasetSpec, input: ModelInput, opts: LoadOptions): Promise<SourceData> {
  switch (ds.source) {
    case 'fashion_mnist': {
      const paths = await locateFashionMnist({
        path: ds.path, dataDir: opts.dataDir, specDir: opts.specDir, log: opts.log, progress: opts.progress, ...opts.fashionSearch,
      });
      const { train, test } = await readFashionMnist(paths);
      return idxSource(train, test, opts.classes?.names ? [...opts.classes.names] : [...FASHION_MNIST_CLASSES], paths.embedded ? `the EMBEDDED SUBSET in ${paths.dir}` : paths.dir);
    }
    case 'idx': return loadIdxSource(ds, opts.specDir, opts.classes);
    case 'csv': return loadCsvSource(ds, input.dtype, opts.specDir, opts.classes?.names ?? null);
    case 'image_folder': return loadImageFolderSource(ds, opts.specDir, { log: opts.log, progress: opts.progress }, opts.classes?.names ?? null);
  }
}

/** Classes a classification output of `outputUnits` units predicts: one sigmoid unit decides between two. */
function expectedClassCount(contract: ClassContract | undefined): number | null {
  const units = contract?.outputUnits ?? null;
  return units === null ? null : units === 1 ? 2 : units;
}

function checkClassCount(source: SourceData, ds: DatasetSpec, contract: ClassContract | undefined): void {
  const expected = expectedClassCount(contract);
  const classes = source.classes ?? [];
  if (source.task !== 'classification' || expected === null || classes.length === expected) return;
  const shown = classes.length > 12 ? `${classes.slice(0, 12).join(', ')}, ...` : classes.join(', ');
  throw new DataError(`${source.origin}: dataset '${ds.name}' has ${classes.length} classes (${shown}) but the model's output has ` +
    `${contract!.outputUnits} unit${contract!.outputUnits === 1 ? '' : 's'} (${expected} classes)`);
}

function gatherLabels(labels: Int32Array | Float32Array, indices: number[]): Int32Array | Float32Array {
  const out = labels instanceof Int32Array ? new Int32Array(indices.length) : new Float32Array(indices.length);
  indices.forEach((sample, row) => { out[row] = labels[sample]; });
  return out;
}

const allIndices = (pool: SamplePool) => Array.from({ length: pool.count }, (_, i) => i);

export async function loadDataset(ds: DatasetSpec, input: ModelInput, opts: LoadOptions): Promise<LoadedData> {
  const log = opts.log ?? (() => {});
  const source = await loadSource(ds, input, opts);
  checkClassCount(source, ds, opts.classes);
  const sampleShape = source.train.sampleShape;
  const sampleSize = product(sampleShape);
  if (sampleSize !== product(input.shape)) {
    throw new DataError(
      `${source.origin}: dataset '${ds.name}' has samples of ${sampleShape.join(' x ')} = ${sampleSize} values but model input '${input.name}' [${input.shape.join(', ')}] needs ${product(input.shape)}`,
    );
  }
  if (input.dtype === 'int32' && ds.normalize.type !== 'none') {
    throw new DataError(`dataset '${ds.name}': normalize ${ds.normalize.type} cannot apply to the int32 model input '${input.name}'; use normalize none`);
  }
  const plan = planSplits(source.train.count, {
    validation: source.validation ? 0 : ds.validation,
    test: source.test ? 0 : ds.test,
    shuffle: ds.shuffle, seed: opts.seed, limit: ds.limit,
  });
  const parts: [SamplePool, number[]][] = [[source.train, plan.train]];
  parts.push(source.validation ? [source.validation, allIndices(source.validation)] : [source.train, plan.validation]);
  parts.push(source.test ? [source.test, allIndices(source.test)] : [source.train, plan.test]);
  const values: (Float32Array | Int32Array)[] = [];
  for (const [pool, indices] of parts) values.push(await pool.take(indices, input.dtype));
  const [trainValues] = values;

  const normalize = input.dtype === 'int32' ? { type: 'none' as const } : fitNormalization(ds.normalize, trainValues, sampleSize, source.groups);
  for (const v of values) if (v instanceof Float32Array) applyNormalizationInPlace(v, normalize);

  const classCount = source.classes?.length ?? 0;
  const splits = parts.map(([pool, indices], k): Split | null => {
    if (k > 0 && indices.length === 0) return null;
    const labels = gatherLabels(pool.labels, indices);
    if (source.task === 'classification') {
      const bad = labels.findIndex((label) => label < 0 || label >= classCount);
      const origin = pool === source.train ? source.origin : `${source.origin} (${k === 1 ? 'validation' : 'test'} data)`;
      if (bad >= 0) throw new DataError(`${origin}: record ${indices[bad]} has label ${labels[bad]}, expected 0..${classCount - 1} (${classCount} classes)`);
    }
    const n = indices.length;
    return {
      x: tf.tensor(values[k], [n, ...input.shape], input.dtype),
      y: source.task === 'classification' ? tf.tensor1d(labels, 'int32') : tf.tensor2d(labels, [n, 1], 'float32'),
      size: n,
    };
  });
  const [train, validation, test] = splits;
  if (!train || train.size === 0) throw new DataError(`${source.origin}: dataset '${ds.name}' has no training samples after splitting`);

  const description = `${ds.source} from ${source.origin} (${train.size} train, ${validation?.size ?? 0} validation, ${test?.size ?? 0} test)`;
  log(description);
  return {
    train, validation, test,
    classes: source.classes,
    task: source.task,
    preprocessing: {
      version: 1, source: ds.source, task: source.task, classes: source.classes,
      inputShape: [...input.shape], dtype: input.dtype, normalize, image: source.image, csv: source.csv,
    },
    description,
  };
}
