// Dataset loading for generated trainers: `loadDataset` over one format's reader (fashion_mnist, idx, csv,
// image_folder: each format module exports `readSource`, and a trainer carries only its own). Every format yields
// sample pools; splits are planned on indices, normalization is fitted on the training split only, and the fitted
// parameters are returned as a JSON-able `preprocessing` record.

import * as tf from '@tensorflow/tfjs';
import type { DatasetSpec, ModelInput } from '../spec-types.js';
import { DataError, DataFileError } from './errors.js';
import { locateDataset } from './locate.js';
import { applyNormalizationInPlace, fitNormalization } from './normalize.js';
import { expectedClassCount, product, type ClassContract, type SamplePool, type SourceData, type SourceReader } from './pool.js';

export type { ClassContract } from './pool.js';
import type { Preprocessing } from './preprocess.js';
import { planSplits } from './split.js';

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
  /** Where the samples came from, and whether that was the embedded subset. */
  origin: string;
  embedded: boolean;
}

export interface LoadOptions {
  /** Relative paths in the spec resolve against this. */
  specDir: string;
  /** --data-dir: the folder relative dataset paths resolve against (fashion_mnist: the folder of its files). */
  dataDir?: string;
  /** Files or folders named by the dataset's own flags (e.g. --train-file), by the spec property they replace. */
  datasetPaths?: Record<string, string>;
  /** --limit: at most this many samples in each split (train, validation, test). */
  splitLimit?: number;
  /** What the model says about classes; checked against the data before training. */
  classes?: ClassContract;
  /** `file:line:column` of the spec's dataset declaration (`dataset`) and of each path property it names. */
  declaredAt?: Record<string, string>;
  /** For NNC_DATA_DIR; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Shuffling / split seed. */
  seed: number;
  log?: (line: string) => void;
  progress?: boolean;
  /** For tests: the standard Fashion-MNIST folders to search (default: Debian's and Keras') and the environment. */
  fashionSearch?: { standardDirs?: string[]; env?: NodeJS.ProcessEnv };
  /** fashion_mnist: the embedded subset the trainer folder carries (its data/fashion-mnist-mini). */
  embeddedDir?: string;
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

/** The error with the spec line that declared the file (the path property whose value the failing path ends with). */
function withDeclaration(error: DataFileError, ds: DatasetSpec, declaredAt: Record<string, string> | undefined): DataFileError {
  if (!declaredAt) return error;
  const values = ds as unknown as Record<string, unknown>;
  const property = Object.keys(declaredAt).find((p) => {
    const value = values[p];
    return p !== 'dataset' && typeof value === 'string' && (error.path === value || error.path.endsWith(`/${value.replace(/^\.\//, '')}`));
  });
  const at = declaredAt[property ?? 'dataset'];
  if (!at) return error;
  return new DataFileError(`${error.message} (${property ? `\`${property}\` of ` : ''}dataset '${ds.name}' declared at ${at})`, error.path);
}

const allIndices = (pool: SamplePool) => Array.from({ length: pool.count }, (_, i) => i);

export async function loadDataset<D extends DatasetSpec>(ds: D, input: ModelInput, opts: LoadOptions, readSource: SourceReader<D>): Promise<LoadedData> {
  const log = opts.log ?? (() => {});
  log(`loading dataset '${ds.name}' (${ds.source})`);
  const env = opts.env ?? opts.fashionSearch?.env ?? process.env;
  let source: SourceData;
  try {
    const location = locateDataset(ds, { specDir: opts.specDir, dataDir: opts.dataDir, env, paths: opts.datasetPaths });
    source = await readSource(location.dataset as D, {
      // fashion_mnist takes --data-dir as the folder of its files; its `path` and embedded subset are the spec's.
      specDir: ds.source === 'fashion_mnist' ? opts.specDir : location.root, input, dataDir: opts.dataDir, env, log: opts.log, progress: opts.progress,
      standardDirs: opts.fashionSearch?.standardDirs, classes: opts.classes, embeddedDir: opts.embeddedDir,
    });
  } catch (error) {
    throw error instanceof DataFileError ? withDeclaration(error, ds, opts.declaredAt) : error;
  }
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
  if (opts.splitLimit !== undefined) for (const part of parts) part[1] = part[1].slice(0, opts.splitLimit);
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
    origin: source.origin,
    embedded: source.embedded ?? false,
  };
}
