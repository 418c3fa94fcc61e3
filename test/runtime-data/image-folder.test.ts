import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DataError, loadDataset, loadImageForInference } from '../../src/codegen/runtime/data/index.js';
import { decodeImageFile } from '../../src/codegen/runtime/data/image-folder.js';
import type { ImageFolderDataset } from '../../src/codegen/runtime/spec-types.js';
import { common, rejection, withTempDir } from './helpers.js';

const folderSpec = (overrides: Partial<ImageFolderDataset>): ImageFolderDataset => ({
  ...common(), source: 'image_folder', train: 'train', test_path: null, validation_path: null,
  image_size: [4, 4], color: 'rgb', ...overrides,
});

/** A solid-colour 8x6 image file. */
async function solid(path: string, rgb: [number, number, number], format: 'png' | 'jpeg' = 'png') {
  const image = sharp({ create: { width: 8, height: 6, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  await writeFile(path, await (format === 'png' ? image.png() : image.jpeg({ quality: 100 })).toBuffer());
}

/** train/{dog,ant,cat} with red, green and blue images, plus a stray text file. */
async function makeFolders(root: string) {
  const colours: Record<string, [number, number, number]> = { dog: [255, 0, 0], ant: [0, 255, 0], cat: [0, 0, 255] };
  for (const [name, rgb] of Object.entries(colours)) {
    await mkdir(join(root, 'train', name), { recursive: true });
    for (let i = 0; i < 3; i++) await solid(join(root, 'train', name, `${i}.png`), rgb);
  }
  await writeFile(join(root, 'train', 'cat', 'notes.txt'), 'not an image, and not an image extension either');
}

const input = (shape: number[]) => ({ name: 'image', shape, dtype: 'float32' as const });

describe('image folders', () => {
  it('labels by sorted folder name, resizes, and keeps colours', async () => {
    await withTempDir(async (dir) => {
      await makeFolders(dir);
      const data = await loadDataset(folderSpec({}), input([4, 4, 3]), { specDir: dir, seed: 0 });
      expect(data.classes).toEqual(['ant', 'cat', 'dog']);
      expect(data.train.x.shape).toEqual([9, 4, 4, 3]);
      const labels = Array.from(data.train.y.dataSync());
      expect(labels).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
      const pixels = data.train.x.arraySync() as number[][][][];
      const expected = [[0, 255, 0], [0, 0, 255], [255, 0, 0]];
      labels.forEach((label, i) => expect(pixels[i][2][3]).toEqual(expected[label]));
      expect(data.preprocessing.image).toEqual({ height: 4, width: 4, channels: 3 });
    });
  });

  it('decodes grayscale with the requested height x width, from JPEG too', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'train', 'grey'), { recursive: true });
      await solid(join(dir, 'train', 'grey', 'a.jpg'), [100, 100, 100], 'jpeg');
      const data = await loadDataset(folderSpec({ color: 'grayscale', image_size: [3, 5] }), input([3, 5, 1]), { specDir: dir, seed: 0 });
      expect(data.train.x.shape).toEqual([1, 3, 5, 1]);
      for (const value of data.train.x.dataSync()) expect(Math.abs(value - 100)).toBeLessThanOrEqual(2);
    });
  });

  it('names a file that is not an image, and a zero-byte file', async () => {
    await withTempDir(async (dir) => {
      await makeFolders(dir);
      const bad = join(dir, 'train', 'dog', 'bad.png');
      await writeFile(bad, 'this is text pretending to be a PNG');
      const notImage = await rejection(loadDataset(folderSpec({}), input([4, 4, 3]), { specDir: dir, seed: 0 }));
      expect(notImage).toBeInstanceOf(DataError);
      expect(notImage.message.startsWith(`${bad}: not a readable PNG/JPEG image`)).toBe(true);
      await writeFile(bad, '');
      const empty = await rejection(loadDataset(folderSpec({}), input([4, 4, 3]), { specDir: dir, seed: 0 }));
      expect(empty.message).toBe(`${bad}: empty file (0 bytes), not an image`);
    });
  });

  it('bounds the pixel count before decoding', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'big.png');
      await solid(path, [1, 2, 3]);
      const target = { height: 2, width: 2, channels: 3 as const };
      expect((await decodeImageFile(path, target, 48)).length).toBe(12);
      const error = await rejection(decodeImageFile(path, target, 47));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toContain(`${path}: image is 8 x 6 = 48 pixels, over the limit of 47`);
    });
  });

  it('uses test and validation roots, rejecting classes training lacks', async () => {
    await withTempDir(async (dir) => {
      await makeFolders(dir);
      await mkdir(join(dir, 'val', 'cat'), { recursive: true });
      await solid(join(dir, 'val', 'cat', 'v.png'), [0, 0, 255]);
      await mkdir(join(dir, 'test', 'ant'), { recursive: true });
      await solid(join(dir, 'test', 'ant', 't.png'), [0, 255, 0]);
      const data = await loadDataset(folderSpec({ test_path: 'test', validation_path: 'val', validation: 0.5 }), input([4, 4, 3]), { specDir: dir, seed: 0 });
      expect([data.train.size, data.validation?.size, data.test?.size]).toEqual([9, 1, 1]);
      expect(Array.from(data.validation!.y.dataSync())).toEqual([1]);
      expect(Array.from(data.test!.y.dataSync())).toEqual([0]);
      await mkdir(join(dir, 'test', 'eel'));
      const error = await rejection(loadDataset(folderSpec({ test_path: 'test' }), input([4, 4, 3]), { specDir: dir, seed: 0 }));
      expect(error.message).toContain("class folder 'eel' is not among the training classes (ant, cat, dog)");
    });
  });

  it('inference decodes and normalizes a file exactly as training did', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'train', 'a'), { recursive: true });
      await mkdir(join(dir, 'train', 'b'), { recursive: true });
      await solid(join(dir, 'train', 'a', '0.png'), [10, 20, 30]);
      await solid(join(dir, 'train', 'b', '0.png'), [200, 100, 50]);
      const data = await loadDataset(folderSpec({ normalize: { type: 'min_max' } }), input([4, 4, 3]), { specDir: dir, seed: 0 });
      expect(data.preprocessing.normalize).toEqual({ type: 'min_max', min: [10, 20, 30], max: [200, 100, 50] });
      const sample = await loadImageForInference(join(dir, 'train', 'b', '0.png'), data.preprocessing);
      expect(Array.from(sample)).toEqual(Array.from(data.train.x.dataSync().slice(48)));
      expect(Array.from(sample.slice(0, 3))).toEqual([1, 1, 1]);
    });
  });
});
