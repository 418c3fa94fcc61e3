// Tiny stand-in for Fruits-360 as fruits_cnn.nn expects it: data/fruits-360/Training/<class>/0.png for all 131
// classes (one 20 x 20 PNG each: a colour and a shape per class, upscaled to 100 x 100 by the loader) and
// data/fruits-360/Test/ with three of them. Validation (10%) takes 13 of the 131 training images.
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SHAPES, drawShapePng, seededRandom } from './helpers.js';

export const CLASS_COUNT = 131;
export const className = (i: number) => `fruit_${String(i).padStart(3, '0')}`;
export const TEST_CLASSES = [0, 57, 130];

/** A saturated colour per class, hues spread around the wheel. */
function classColor(i: number): [number, number, number] {
  const hue = (i * 360) / CLASS_COUNT / 60;
  const x = Math.round(255 * (1 - Math.abs((hue % 2) - 1)));
  const sector = Math.floor(hue) % 6;
  return ([[255, x, 0], [x, 255, 0], [0, 255, x], [0, x, 255], [x, 0, 255], [255, 0, x]] as [number, number, number][])[sector];
}

export async function drawFruits(dir: string): Promise<void> {
  const random = seededRandom(131);
  const root = path.join(dir, 'data', 'fruits-360');
  for (let i = 0; i < CLASS_COUNT; i++) await drawShapePng(path.join(root, 'Training', className(i), '0.png'), 20, SHAPES[i % 4], classColor(i), random);
  for (const i of TEST_CLASSES) await drawShapePng(path.join(root, 'Test', className(i), '0.png'), 20, SHAPES[i % 4], classColor(i), random);
}

export const testImage = (dir: string, i: number) => path.join(dir, 'data', 'fruits-360', 'Test', className(i), '0.png');

/** The conv kernels' values. */
export function convKernels(model: tf.LayersModel): Float32Array[] {
  return model.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.getWeights()[0].dataSync() as Float32Array);
}
