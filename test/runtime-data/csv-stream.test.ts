// CSV files stream into typed arrays: the rows' text does not stay in memory, so a file many times the JavaScript
// heap loads (shown in a child process with --max-old-space-size, where keeping the parsed rows aborts V8); a file
// whose numbers cannot fit in the memory allowed is refused with the figure before they are allocated; classes are
// collected as they come and numbered in sorted order. bench/csv-large.ts loads a 1.5 GB file and records its RSS.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, loadDataset } from '../../src/codegen/runtime/data/index.js';
import type { CsvDataset } from '../../src/codegen/runtime/spec-types.js';
import { common, rejection, withTempDir } from './helpers.js';

const csvSpec = (overrides: Partial<CsvDataset> = {}): CsvDataset => ({
  ...common(), source: 'csv', train: 'train.csv', test_path: null, header: true, delimiter: ',',
  features: null, label: 'label', task: 'classification', ...overrides,
});

/** `rows` rows of `features` pseudo-random numbers (6 decimals) and a label from `classes`, with a header. */
function csvText(rows: number, features: number, classes: string[]): string {
  const lines = [[...Array.from({ length: features }, (_, i) => `f${i}`), 'label'].join(',')];
  let x = 7;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let f = 0; f < features; f++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      cells.push((x / 0x7fffffff).toFixed(6));
    }
    lines.push(`${cells.join(',')},${classes[r % classes.length]}`);
  }
  return lines.join('\n') + '\n';
}

describe('CSV streaming', () => {
  it('loads a 20 MB file in a process whose JavaScript heap is capped at 80 MB', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'train.csv'), csvText(170_000, 12, ['setosa', 'versicolor', 'virginica']));
      const script = join(dir, 'load.mts');
      await writeFile(script, [
        `import { loadDataset } from ${JSON.stringify(join(process.cwd(), 'src/codegen/runtime/data/index.js'))};`,
        `const ds = ${JSON.stringify(csvSpec({ validation: 0.1, test: 0.1, shuffle: true, normalize: { type: 'z_score' } }))};`,
        `const data = await loadDataset(ds, { name: 'x', shape: [12], dtype: 'float32' }, { specDir: ${JSON.stringify(dir)}, seed: 1 });`,
        `const labels = data.train.y.dataSync();`,
        `console.log(JSON.stringify({ sizes: [data.train.size, data.validation.size, data.test.size], classes: data.classes,`,
        `  shape: data.train.x.shape, counts: [0, 1, 2].map((c) => labels.filter((l) => l === c).length) }));`,
      ].join('\n'));
      // Keeping 170,000 parsed rows of 13 strings takes far more than 80 MB of heap: V8 aborts ("heap out of memory").
      const out = execFileSync(process.execPath, ['--max-old-space-size=80', '--import', 'tsx', script], { encoding: 'utf8', timeout: 280_000 });
      const result = JSON.parse(out.trim().split('\n').pop()!);
      expect(result.sizes).toEqual([136_000, 17_000, 17_000]);
      expect(result.classes).toEqual(['setosa', 'versicolor', 'virginica']);
      expect(result.shape).toEqual([136_000, 12]);
      expect(result.counts.reduce((a: number, b: number) => a + b, 0)).toBe(136_000);
      expect(Math.min(...result.counts)).toBeGreaterThan(40_000);
    });
  }, 300_000);

  it('refuses a file whose numbers would not fit in memory, with the figure, before reading it all', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'train.csv'), csvText(40_000, 8, ['a', 'b']));
      const env = { NNC_DATA_MEMORY_BYTES: String(1024 * 1024) };
      const error = await rejection(loadDataset(csvSpec(), { name: 'x', shape: [8], dtype: 'float32' }, { specDir: dir, seed: 0, env }));
      expect(error).toBeInstanceOf(DataError);
      // Sized from the file's size after its first 2,000 rows: about 40,000 rows x 8 values x 12 bytes = 3.7 MiB.
      expect(error.message).toMatch(new RegExp(`^${join(dir, 'train.csv')}: about 4\\d,\\d{3} rows \\(from its 2\\.\\d MiB size\\) x 8 features need about 3\\.\\d MiB to train .* more than the 1\\.0 MiB of memory NNC_DATA_MEMORY_BYTES allows`));
      // Within the bound, the same file loads.
      const data = await loadDataset(csvSpec(), { name: 'x', shape: [8], dtype: 'float32' }, { specDir: dir, seed: 0, env: { NNC_DATA_MEMORY_BYTES: String(64 * 1024 * 1024) } });
      expect(data.train.size).toBe(40_000);
    });
  });

  it('collects thousands of classes as they come and numbers them in sorted order', async () => {
    await withTempDir(async (dir) => {
      // Labels 0..29999 in a scrambled order, each on one row: numeric names sort numerically.
      const n = 30_000;
      const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
      await writeFile(join(dir, 'train.csv'), ['v,label', ...order.map((label) => `${label * 2},${label}`)].join('\n') + '\n');
      const data = await loadDataset(csvSpec(), { name: 'x', shape: [1], dtype: 'float32' }, { specDir: dir, seed: 0 });
      expect(data.classes).toHaveLength(n);
      expect(data.classes!.slice(0, 3)).toEqual(['0', '1', '2']);
      expect(data.classes![n - 1]).toBe(String(n - 1));
      const x = data.train.x.dataSync();
      const y = data.train.y.dataSync();
      for (let r = 0; r < n; r += 997) expect(x[r]).toBe(Number(data.classes![y[r]]) * 2);
      // A label the model does not declare is named, with the list cut short.
      const declared = Array.from({ length: n - 1 }, (_, i) => String(i));
      const error = await rejection(loadDataset(csvSpec(), { name: 'x', shape: [1], dtype: 'float32' }, { specDir: dir, seed: 0, classes: { names: declared, outputUnits: null } }));
      expect(error.message).toMatch(/:\d+:2: label '29999' is not one of the model's labels \(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, \.\.\. \(29999 in all\)\)$/);
    });
  });
});
