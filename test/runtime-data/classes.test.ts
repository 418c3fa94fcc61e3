// One class list per dataset, checked against the data before training: the model's labels fix the classes and
// their order; labels the model cannot output are located errors (file:line:column for CSV, record for IDX,
// folder for image folders); a class count unequal to the output units is refused.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadDataset, type ClassContract } from '../../src/codegen/runtime/data/index.js';
import type { CsvDataset, IdxDataset, ImageFolderDataset, ModelInput } from '../../src/codegen/runtime/spec-types.js';
import { common, idxBytes, rejection, withTempDir } from './helpers.js';

const csv = (): CsvDataset => ({
  ...common(), source: 'csv', train: 'data.csv', test_path: null, header: true, delimiter: ',', features: null, label: 'y', task: 'classification',
});
const input = (shape: number[]): ModelInput => ({ name: 'x', shape, dtype: 'float32' });
const load = (ds: CsvDataset | IdxDataset | ImageFolderDataset, shape: number[], dir: string, classes: ClassContract) =>
  loadDataset(ds, input(shape), { specDir: dir, seed: 1, classes });

describe('class lists', () => {
  it('CSV: the model labels fix the class order, and a label outside them is an error at its line and column', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'data.csv'), 'f,y\n1,cat\n2,dog\n3,ant\n');
      const data = await load(csv(), [1], dir, { names: ['dog', 'cat', 'ant'], outputUnits: 3 });
      expect(data.classes).toEqual(['dog', 'cat', 'ant']);
      expect(Array.from(await data.train.y.data())).toEqual([1, 0, 2]);
      await writeFile(join(dir, 'data.csv'), 'f,y\n1,cat\n2,dog\n3,emu\n');
      const error = await rejection(load(csv(), [1], dir, { names: ['dog', 'cat', 'ant'], outputUnits: 3 }));
      expect(error.message).toBe(`${join(dir, 'data.csv')}:4:2: label 'emu' is not one of the model's labels (dog, cat, ant)`);
    });
  });

  it('CSV without declared labels: more distinct labels than output units is refused before training', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'data.csv'), 'f,y\n1,a\n2,b\n3,c\n4,d\n');
      const error = await rejection(load(csv(), [1], dir, { names: null, outputUnits: 3 }));
      expect(error.message).toMatch(/data\.csv: dataset 'ds' has 4 classes \(a, b, c, d\) but the model's output has 3 units/);
      // One sigmoid unit: two classes.
      await writeFile(join(dir, 'data.csv'), 'f,y\n1,no\n2,yes\n');
      expect((await load(csv(), [1], dir, { names: null, outputUnits: 1 })).classes).toEqual(['no', 'yes']);
    });
  });

  it('IDX: a label the 10-unit model cannot output names its record; declared labels name the classes', async () => {
    await withTempDir(async (dir) => {
      const labels = new Uint8Array([3, 1, 200, 0]);
      await writeFile(join(dir, 'images.idx'), idxBytes([4, 2, 2], new Uint8Array(16)));
      await writeFile(join(dir, 'labels.idx'), idxBytes([4], labels));
      const ds: IdxDataset = { ...common(), source: 'idx', train_images: 'images.idx', train_labels: 'labels.idx', test_images: null, test_labels: null };
      const error = await rejection(load(ds, [2, 2], dir, { names: null, outputUnits: 10 }));
      expect(error.message).toMatch(/images\.idx: record 2 has label 200, expected 0\.\.9 \(10 classes\)/);
      labels[2] = 9;
      await writeFile(join(dir, 'labels.idx'), idxBytes([4], labels));
      expect((await load(ds, [2, 2], dir, { names: null, outputUnits: 10 })).classes).toHaveLength(10);
      const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
      expect((await load(ds, [2, 2], dir, { names, outputUnits: 10 })).classes).toEqual(names);
    });
  });

  it('image folders: a class folder outside the model labels is named', async () => {
    await withTempDir(async (dir) => {
      for (const folder of ['cat', 'dog', 'cow']) {
        await mkdir(join(dir, 'train', folder), { recursive: true });
        await sharp({ create: { width: 2, height: 2, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'train', folder, 'a.png'));
      }
      const ds: ImageFolderDataset = { ...common(), source: 'image_folder', train: 'train', test_path: null, validation_path: null, image_size: [2, 2], color: 'rgb' };
      const error = await rejection(load(ds, [2, 2, 3], dir, { names: ['cat', 'dog'], outputUnits: 2 }));
      expect(error.message).toMatch(/train\/cow: class folder 'cow' is not among the training classes \(cat, dog\)/);
      const wrongCount = await rejection(load(ds, [2, 2, 3], dir, { names: null, outputUnits: 2 }));
      expect(wrongCount.message).toMatch(/has 3 classes \(cat, cow, dog\) but the model's output has 2 units/);
    });
  });
});
