// A pool is one source split (e.g. a file's samples) before splitting: labels are known up front, sample values
// are materialized only for the indices a split keeps (image folders decode lazily through this).

import type { DatasetSpec } from '../spec-types.js';
import type { Preprocessing } from './preprocess.js';

export interface SamplePool {
  count: number;
  /** Native per-sample shape (e.g. [28, 28], [h, w, c], [features]). */
  sampleShape: number[];
  /** Class indices (classification) or targets (regression), one per sample. */
  labels: Int32Array | Float32Array;
  /** Sample values of `indices`, back to back, in that order. */
  take(indices: number[], dtype: 'float32' | 'int32'): Promise<Float32Array | Int32Array>;
}

/** What a format reader hands to `loadDataset`. */
export interface SourceData {
  train: SamplePool;
  /** The source's own test split, if any (a `test` fraction is then not carved). */
  test: SamplePool | null;
  /** The source's own validation split, if any (a `validation` fraction is then not carved). */
  validation: SamplePool | null;
  classes: string[] | null;
  task: 'classification' | 'regression';
  /** Normalization statistic groups: channels for images, feature columns for CSV. */
  groups: number;
  image: Preprocessing['image'];
  csv: Preprocessing['csv'];
  /** Where the data came from, for the description line, e.g. "/usr/share/datasets/fashion-mnist". */
  origin: string;
  /** The small subset nnc ships (Fashion-MNIST), not the full dataset. */
  embedded?: boolean;
}

/**
 * What the model says about classes: its declared labels (output order) and its output units. With it, one class
 * list is made per dataset (the labels when declared) and checked against the data before training.
 */
export interface ClassContract { names: string[] | null; outputUnits: number | null }

/** Classes a classification output of `outputUnits` units predicts: one sigmoid unit decides between two. */
export function expectedClassCount(contract: ClassContract | undefined): number | null {
  const units = contract?.outputUnits ?? null;
  return units === null ? null : units === 1 ? 2 : units;
}

/** What a format reader is given: the dataset's paths are absolute, or relative to `specDir`. */
export interface ReadContext {
  specDir: string;
  input: { dtype: 'float32' | 'int32' };
  dataDir?: string;
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  progress?: boolean;
  /** What the model says about classes (its labels, its output units). */
  classes?: ClassContract;
  /** Fashion-MNIST: the standard folders to search (tests). */
  standardDirs?: string[];
  /** Fashion-MNIST: the embedded subset the trainer folder carries. */
  embeddedDir?: string;
}

/** One format's reader (each format module exports one as `readSource`). */
export type SourceReader<D extends DatasetSpec = DatasetSpec> = (ds: D, ctx: ReadContext) => Promise<SourceData>;

export const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A pool over values already in memory (IDX, CSV). */
export function arrayPool(
  values: ArrayLike<number>, sampleShape: number[], labels: Int32Array | Float32Array,
): SamplePool {
  const sampleSize = product(sampleShape);
  return {
    count: labels.length,
    sampleShape,
    labels,
    async take(indices, dtype) {
      const out = dtype === 'int32' ? new Int32Array(indices.length * sampleSize) : new Float32Array(indices.length * sampleSize);
      indices.forEach((sample, row) => {
        const start = sample * sampleSize;
        const target = row * sampleSize;
        if (ArrayBuffer.isView(values)) out.set((values as Uint8Array).subarray(start, start + sampleSize), target);
        else for (let k = 0; k < sampleSize; k++) out[target + k] = values[start + k];
      });
      return out;
    },
  };
}
