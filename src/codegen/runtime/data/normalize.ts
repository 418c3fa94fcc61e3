// Normalization fitted on the training split only. Statistics are kept per "feature group": value i of a
// flattened sample uses statistic i % groups. Images use one group per channel (NHWC, channel is the fastest
// axis), CSV uses one group per feature column, so the same rule serves both.

import type { Normalization } from '../spec-types.js';

export type NormalizationParams =
  | { type: 'none' }
  | { type: 'scale'; factor: number }
  | { type: 'min_max'; min: number[]; max: number[] }
  | { type: 'z_score'; mean: number[]; std: number[] };

/** Fits `spec` on `values` (samples of `sampleSize` values each, back to back) with `groups` statistic groups. */
export function fitNormalization(
  spec: Normalization, values: Float32Array | Int32Array, sampleSize: number, groups: number,
): NormalizationParams {
  if (spec.type === 'none') return { type: 'none' };
  if (spec.type === 'scale') return { type: 'scale', factor: spec.factor };
  if (sampleSize % groups !== 0) throw new RangeError(`sample size ${sampleSize} is not a multiple of ${groups} groups`);
  if (spec.type === 'min_max') {
    const min = new Array<number>(groups).fill(Infinity);
    const max = new Array<number>(groups).fill(-Infinity);
    for (let i = 0; i < values.length; i++) {
      const g = i % groups; const v = values[i];
      if (v < min[g]) min[g] = v;
      if (v > max[g]) max[g] = v;
    }
    // An empty training split has no statistics; fall back to identity.
    return { type: 'min_max', min: min.map((m) => (Number.isFinite(m) ? m : 0)), max: max.map((m) => (Number.isFinite(m) ? m : 1)) };
  }
  const sum = new Float64Array(groups);
  const count = new Float64Array(groups);
  for (let i = 0; i < values.length; i++) { const g = i % groups; sum[g] += values[i]; count[g]++; }
  const mean = Array.from(sum, (s, g) => (count[g] > 0 ? s / count[g] : 0));
  const squares = new Float64Array(groups);
  for (let i = 0; i < values.length; i++) { const g = i % groups; const d = values[i] - mean[g]; squares[g] += d * d; }
  // Population std, as sklearn's StandardScaler and Keras' featurewise_std_normalization use.
  const std = Array.from(squares, (s, g) => (count[g] > 0 ? Math.sqrt(s / count[g]) : 1));
  return { type: 'z_score', mean, std };
}

/** Applies fitted normalization to `values` in place. Constant features (zero range/std) map to 0. */
export function applyNormalizationInPlace(values: Float32Array, params: NormalizationParams): void {
  switch (params.type) {
    case 'none': return;
    case 'scale':
      for (let i = 0; i < values.length; i++) values[i] *= params.factor;
      return;
    case 'min_max': {
      const groups = params.min.length;
      const range = params.max.map((hi, g) => (hi - params.min[g] > 0 ? hi - params.min[g] : 1));
      for (let i = 0; i < values.length; i++) { const g = i % groups; values[i] = (values[i] - params.min[g]) / range[g]; }
      return;
    }
    case 'z_score': {
      const groups = params.mean.length;
      const std = params.std.map((s) => (s > 0 ? s : 1));
      for (let i = 0; i < values.length; i++) { const g = i % groups; values[i] = (values[i] - params.mean[g]) / std[g]; }
      return;
    }
  }
}
