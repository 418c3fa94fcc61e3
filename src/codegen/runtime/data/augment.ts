// Keras ImageDataGenerator-like augmentation for an NHWC batch: random rotation, shear, zoom, flips (one affine
// warp per sample through tf.image.transform, whose 'Transform' kernel exists on both the cpu and wasm backends)
// and brightness. Seeded: the same batch, settings and seed give the same result.

import * as tf from '@tensorflow/tfjs';
import type { Augmentation } from '../spec-types.js';
import { seededRandom } from './split.js';

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** True when `aug` changes anything at all. */
export function augmentationIsActive(aug: Augmentation | null): aug is Augmentation {
  return !!aug && (aug.rotation > 0 || aug.shear > 0 || aug.zoom > 0 || aug.horizontal_flip || aug.vertical_flip || aug.brightness > 0);
}

/**
 * Per-sample projective transforms in tf.image.transform's layout [a0 a1 a2 b0 b1 b2 c0 c1], each mapping an
 * output pixel (x, y) to the input point it samples: in = center + R·Shear·Zoom·Flip·(out - center).
 */
export function randomAffineTransforms(batch: number, height: number, width: number, aug: Augmentation, random: () => number): number[][] {
  const uniform = (low: number, high: number) => low + (high - low) * random();
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const rows: number[][] = [];
  for (let i = 0; i < batch; i++) {
    const theta = aug.rotation > 0 ? radians(uniform(-aug.rotation, aug.rotation)) : 0;
    const shear = aug.shear > 0 ? radians(uniform(-aug.shear, aug.shear)) : 0;
    const zx = aug.zoom > 0 ? uniform(1 - aug.zoom, 1 + aug.zoom) : 1;
    const zy = aug.zoom > 0 ? uniform(1 - aug.zoom, 1 + aug.zoom) : 1;
    const fx = aug.horizontal_flip && random() < 0.5 ? -1 : 1;
    const fy = aug.vertical_flip && random() < 0.5 ? -1 : 1;
    const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
    // A = R · S · Z, with R = [[cos, -sin], [sin, cos]], S = [[1, -sin(shear)], [0, cos(shear)]], Z = diag(zx, zy).
    const a00 = cos * zx;
    const a01 = (-cos * Math.sin(shear) - sin * Math.cos(shear)) * zy;
    const a10 = sin * zx;
    const a11 = (-sin * Math.sin(shear) + cos * Math.cos(shear)) * zy;
    // M = A · diag(fx, fy); t = c - M·c
    const m00 = a00 * fx; const m01 = a01 * fy; const m10 = a10 * fx; const m11 = a11 * fy;
    rows.push([m00, m01, cx - m00 * cx - m01 * cy, m10, m11, cy - m10 * cx - m11 * cy, 0, 0]);
  }
  return rows;
}

/**
 * tf.image.transform, one sample at a time on the cpu backend: tfjs-backend-cpu 4.22's Transform kernel returns
 * from inside its batch loop, so every sample after the first comes back as the fill value.
 */
function warp(images: tf.Tensor4D, transforms: tf.Tensor2D): tf.Tensor4D {
  if (tf.getBackend() !== 'cpu' || images.shape[0] === 1) return tf.image.transform(images, transforms, 'bilinear', 'nearest');
  const samples = tf.split(images, images.shape[0], 0) as tf.Tensor4D[];
  const rows = tf.split(transforms, images.shape[0], 0) as tf.Tensor2D[];
  return tf.concat(samples.map((sample, i) => tf.image.transform(sample, rows[i], 'bilinear', 'nearest')), 0);
}

/**
 * Returns a new augmented batch (the caller still owns and disposes `x`). Edges are filled with the nearest pixel,
 * as Keras' default fill_mode does; interpolation is bilinear. Brightness multiplies each sample by a factor.
 */
export function augmentBatch(x: tf.Tensor4D, aug: Augmentation, seed: number): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  const random = seededRandom(seed);
  return tf.tidy(() => {
    let out: tf.Tensor4D = tf.cast(x, 'float32');
    const geometric = aug.rotation > 0 || aug.shear > 0 || aug.zoom > 0 || aug.horizontal_flip || aug.vertical_flip;
    if (geometric && batch > 0) {
      const transforms = tf.tensor2d(randomAffineTransforms(batch, height, width, aug, random), [batch, 8], 'float32');
      out = warp(out, transforms);
    }
    if (aug.brightness > 0 && batch > 0) {
      const factors = Array.from({ length: batch }, () => 1 - aug.brightness + 2 * aug.brightness * random());
      out = tf.mul(out, tf.tensor4d(factors, [batch, 1, 1, 1]));
    }
    return out;
  });
}
