import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/codegen/runtime/data/index.js';
import { readIdxPair } from '../../src/codegen/runtime/data/idx.js';
import { FASHION_MNIST_CLASSES } from '../../src/codegen/runtime/data/fashion-mnist.js';
import { classFolderName, exportSplit } from '../../src/tools/export-fashion-png.js';
import { common, withTempDir } from './helpers.js';

describe('export-fashion-png', () => {
  it('writes class folders of PNGs that load back pixel-exact as an image_folder dataset', async () => {
    const mini = resolve('specs/data/fashion-mnist-mini');
    const test = await readIdxPair(join(mini, 't10k-images-idx3-ubyte.gz'), join(mini, 't10k-labels-idx1-ubyte.gz'));
    await withTempDir(async (dir) => {
      expect(await exportSplit(test, join(dir, 'test'), 40)).toBe(40);
      const folders = (await readdir(join(dir, 'test'))).sort();
      expect(folders).toEqual(FASHION_MNIST_CLASSES.map(classFolderName).sort());
      expect(folders).toContain('T-shirt_top');
      const data = await loadDataset(
        { ...common(), source: 'image_folder', train: 'test', test_path: null, validation_path: null, image_size: [28, 28], color: 'grayscale' },
        { name: 'image', shape: [28, 28], dtype: 'float32' }, { specDir: dir, seed: 0 },
      );
      expect(data.train.size).toBe(40);
      // folder order differs from label order: map back through the names, then compare with the IDX pixels
      const pixels = data.train.x.reshape([40, 784]).arraySync() as number[][];
      const labels = Array.from(data.train.y.dataSync());
      const source = test.images.data as Uint8Array;
      const files = (await Promise.all(folders.map(async (f) => (await readdir(join(dir, 'test', f))).sort().map((n) => Number(n.split('.')[0]))))).flat();
      files.forEach((index, row) => {
        expect(FASHION_MNIST_CLASSES.map(classFolderName)[test.labels[index]]).toBe(data.classes![labels[row]]);
        expect(pixels[row]).toEqual(Array.from(source.subarray(index * 784, (index + 1) * 784)));
      });
    });
  });
});
