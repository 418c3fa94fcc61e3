// The preprocessing record saved next to a trained model, and its application to one raw sample at inference.
// Training applies the same `applyNormalizationInPlace`, so both sides agree by construction.

import type { DatasetSpec } from '../spec-types.js';
import { applyNormalizationInPlace, type NormalizationParams } from './normalize.js';

export interface Preprocessing {
  /** Format version of this record. */
  version: 1;
  source: DatasetSpec['source'];
  task: 'classification' | 'regression';
  /** Class names by index; null for regression. */
  classes: string[] | null;
  /** The model's sample shape; a raw sample must hold exactly prod(inputShape) values. */
  inputShape: number[];
  dtype: 'float32' | 'int32';
  /** Fitted on the training split; statistic arrays are per feature group (value i uses entry i % length). */
  normalize: NormalizationParams;
  /** How to turn an image file into a raw sample (resize to height x width, 1 = grayscale, 3 = RGB), or null. */
  image: { height: number; width: number; channels: 1 | 3 } | null;
  /** How to read a CSV row at inference; null for non-CSV sources. */
  csv: {
    delimiter: string;
    /** Columns in a full training row (features and label). */
    columnCount: number;
    /** 0-based positions of the features in a full row, in model order. */
    featureIndices: number[];
    featureNames: string[] | null;
  } | null;
}

/** Normalizes one raw sample (e.g. pixel values 0..255, or CSV feature values) the way training did. */
export function preprocessSample(raw: Float32Array | number[], prep: Preprocessing): Float32Array {
  const expected = prep.inputShape.reduce((a, b) => a * b, 1);
  if (raw.length !== expected) {
    throw new RangeError(`sample has ${raw.length} values but the model input [${prep.inputShape.join(', ')}] needs ${expected}`);
  }
  const values = Float32Array.from(raw);
  // int32 inputs (e.g. token ids) are never normalized.
  if (prep.dtype === 'float32') applyNormalizationInPlace(values, prep.normalize);
  return values;
}
