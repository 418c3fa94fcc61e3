// Data files that are missing, folders, FIFOs, character devices or unreadable give one DataError naming the
// file and what it was wanted for: no hang on a FIFO, no endless read of /dev/zero, no stack trace.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/codegen/runtime/data/errors.js';
import { loadDataset } from '../../src/codegen/runtime/data/index.js';
import type { CsvDataset, IdxDataset, ImageFolderDataset } from '../../src/codegen/runtime/spec-types.js';
import { common, idxBytes, rejection, withTempDir } from './helpers.js';

const csv = (train: string): CsvDataset => ({
  ...common(), source: 'csv', train, test_path: null, header: true, delimiter: ',', features: null, label: 'y', task: 'classification',
});
const input = { name: 'x', shape: [1], dtype: 'float32' as const };
const isRoot = process.getuid?.() === 0;

describe('special data files', () => {
  it.each([
    // A missing file also says which flag or variable sets its location (data/locate.ts).
    ['missing', (dir: string) => join(dir, 'nope.csv'), /nope\.csv not found \(.*\); give its location with --train-file, or .*--data-dir or NNC_DATA_DIR$/],
    ['a folder', (dir: string) => { mkdirSync(join(dir, 'folder.csv')); return join(dir, 'folder.csv'); }, /folder\.csv: the CSV file is a folder, expected a file$/],
    ['a FIFO', (dir: string) => { execFileSync('mkfifo', [join(dir, 'fifo.csv')]); return join(dir, 'fifo.csv'); }, /fifo\.csv: the CSV file is a FIFO \(named pipe\), expected a regular file$/],
    ['a character device', () => '/dev/zero', /^\/dev\/zero: the CSV file is a character device, expected a regular file$/],
    ['under a file', (dir: string) => { writeFileSync(join(dir, 'file'), ''); return join(dir, 'file', 'x.csv'); }, /x\.csv not found \(.*\); give its location with --train-file/],
  ])('CSV %s', async (_what, make, message) => {
    await withTempDir(async (dir) => {
      const error = await rejection(loadDataset(csv(make(dir)), input, { specDir: dir, seed: 1 }));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toMatch(message);
    });
  });

  it.skipIf(isRoot)('CSV without read permission', async () => {
    await withTempDir(async (dir) => {
      writeFileSync(join(dir, 'secret.csv'), 'x,y\n1,a\n');
      chmodSync(join(dir, 'secret.csv'), 0o000);
      const error = await rejection(loadDataset(csv('secret.csv'), input, { specDir: dir, seed: 1 }));
      expect(error.message).toMatch(/secret\.csv: cannot read the CSV file \(permission denied\)/);
    });
  });

  it('IDX labels that are a FIFO, and an image folder that is a file', async () => {
    await withTempDir(async (dir) => {
      writeFileSync(join(dir, 'images.idx'), idxBytes([1, 1, 1], new Uint8Array(1)));
      execFileSync('mkfifo', [join(dir, 'labels.idx')]);
      const idx: IdxDataset = { ...common(), source: 'idx', train_images: 'images.idx', train_labels: 'labels.idx', test_images: null, test_labels: null };
      const error = await rejection(loadDataset(idx, { name: 'x', shape: [1, 1], dtype: 'float32' }, { specDir: dir, seed: 1 }));
      expect(error.message).toMatch(/labels\.idx: the IDX file is a FIFO/);
      const folder: ImageFolderDataset = { ...common(), source: 'image_folder', train: 'images.idx', test_path: null, validation_path: null, image_size: [1, 1], color: 'grayscale' };
      const notFolder = await rejection(loadDataset(folder, { name: 'x', shape: [1, 1, 1], dtype: 'float32' }, { specDir: dir, seed: 1 }));
      expect(notFolder.message).toMatch(/images\.idx: expected an image folder, found a file/);
    });
  });
});
