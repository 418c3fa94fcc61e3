import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, loadDataset, parseCsvRowForInference } from '../../src/codegen/runtime/data/index.js';
import { MAX_CSV_ROW_BYTES } from '../../src/codegen/runtime/data/csv.js';
import type { CsvDataset } from '../../src/codegen/runtime/spec-types.js';
import { common, rejection, withTempDir } from './helpers.js';

const csvSpec = (overrides: Partial<CsvDataset>): CsvDataset => ({
  ...common(), source: 'csv', train: 'train.csv', test_path: null, header: true, delimiter: ',',
  features: null, label: 'species', task: 'classification', ...overrides,
});
const input = (n: number) => ({ name: 'features', shape: [n], dtype: 'float32' as const });

async function loadCsv(text: string, spec: Partial<CsvDataset>, n: number, extra: Record<string, string> = {}) {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, 'train.csv'), text);
    for (const [name, content] of Object.entries(extra)) await writeFile(join(dir, name), content);
    return loadDataset(csvSpec(spec), input(n), { specDir: dir, seed: 3 });
  });
}

/** The error message loading `text` gives, with the temp folder replaced by '<dir>'. */
async function csvError(text: string, spec: Partial<CsvDataset> = {}, n = 2): Promise<string> {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, 'train.csv'), text);
    const error = await rejection(loadDataset(csvSpec(spec), input(n), { specDir: dir, seed: 3 }));
    expect(error).toBeInstanceOf(DataError);
    return error.message.replaceAll(dir, '<dir>');
  });
}

describe('CSV datasets', () => {
  it('maps categorical labels to sorted class indices and picks features by name', async () => {
    const data = await loadCsv('width,species,length\n1.5,zebra,2\n2.5,ant,3\n3.5,moth,4\n4.5,ant,5\n', { features: ['length', 'width'] }, 2);
    expect(data.classes).toEqual(['ant', 'moth', 'zebra']);
    expect(data.task).toBe('classification');
    expect(data.train.y.dtype).toBe('int32');
    expect(Array.from(data.train.y.dataSync())).toEqual([2, 0, 1, 0]);
    expect(data.train.x.shape).toEqual([4, 2]);
    expect(Array.from(data.train.x.dataSync())).toEqual([2, 1.5, 3, 2.5, 4, 3.5, 5, 4.5]);
    expect(data.preprocessing.csv).toMatchObject({ featureIndices: [2, 0], featureNames: ['length', 'width'], columnCount: 3 });
  });

  it('sorts numeric class labels numerically, reads headerless files by index with another delimiter', async () => {
    const data = await loadCsv('10;0.1\n2;0.2\n10;0.3\n1;0.4\n', { header: false, delimiter: ';', label: 0, features: null }, 1);
    expect(data.classes).toEqual(['1', '2', '10']);
    expect(Array.from(data.train.y.dataSync())).toEqual([2, 1, 2, 0]);
    expect(Array.from(data.train.x.dataSync())).toEqual([0.1, 0.2, 0.3, 0.4].map(Math.fround));
  });

  it('regression keeps numeric targets as float32 [N, 1]', async () => {
    const data = await loadCsv('a,b,price\n1,2,10.5\n3,4,-2\n', { label: 'price', task: 'regression' }, 2);
    expect(data.classes).toBeNull();
    expect(data.train.y.shape).toEqual([2, 1]);
    expect(data.train.y.dtype).toBe('float32');
    expect(Array.from(data.train.y.dataSync())).toEqual([10.5, -2]);
  });

  it('reports bad cells as file:line:column', async () => {
    const text = (cell: string) => `a,b,species\n1,2,x\n\n3,${cell},y\n`;
    expect(await csvError(text('abc'))).toBe("<dir>/train.csv:4:2: not a number 'abc' in column 'b'");
    expect(await csvError(text(''))).toBe("<dir>/train.csv:4:2: missing value in column 'b'");
    expect(await csvError(text('NaN'))).toMatch(/^<dir>\/train\.csv:4:2: non-finite number 'NaN'/);
    expect(await csvError(text('Infinity'))).toMatch(/^<dir>\/train\.csv:4:2: non-finite number 'Infinity'/);
    expect(await csvError('1,2,x\n3,4,y\n5,6\n', { header: false, label: 2 })).toMatch(/^<dir>\/train\.csv:3: ragged row: expected 3 fields .* found 2/);
    expect(await csvError('a,b,species\n1,2,\n', {})).toBe('<dir>/train.csv:2:3: missing label');
    expect(await csvError('a,b,kind\n1,2,x\n', {})).toMatch(/no column named 'species' for the label \(columns: a, b, kind\)/);
    expect(await csvError('a,b,species\n1,2,x\n', { label: 'species', task: 'classification' }, 3)).toMatch(/samples of 2 = 2 values but model input 'features' \[3\] needs 3/);
  });

  it('fits z-score on the training split only and applies it to every split and to inference rows', async () => {
    // rows in order; with shuffle off the last 2 of 6 become validation
    const rows = [[1, 10], [2, 20], [3, 30], [4, 40], [100, -50], [200, -60]];
    const text = `x,y,species\n${rows.map(([x, y], i) => `${x},${y},${i % 2 ? 'b' : 'a'}`).join('\n')}\n`;
    const testText = 'x,y,species\n5,50,a\n';
    const data = await loadCsv(text, { normalize: { type: 'z_score' }, validation: 1 / 3, test_path: 'test.csv' }, 2, { 'test.csv': testText });
    const train = rows.slice(0, 4);
    const mean = [0, 1].map((f) => train.reduce((s, r) => s + r[f], 0) / 4);
    const std = [0, 1].map((f) => Math.sqrt(train.reduce((s, r) => s + (r[f] - mean[f]) ** 2, 0) / 4));
    expect(data.preprocessing.normalize).toEqual({ type: 'z_score', mean, std });
    const z = (r: number[]) => r.map((v, f) => (v - mean[f]) / std[f]);
    expect(Array.from(data.train.x.dataSync())).toEqual(train.flatMap(z).map(Math.fround));
    expect(Array.from(data.validation!.x.dataSync())).toEqual(rows.slice(4).flatMap(z).map(Math.fround));
    expect(Array.from(data.test!.x.dataSync())).toEqual(z([5, 50]).map(Math.fround));
    const fullRow = parseCsvRowForInference('5,50,a', data.preprocessing);
    const featureRow = parseCsvRowForInference('5,50', data.preprocessing);
    expect(Array.from(fullRow)).toEqual(z([5, 50]).map(Math.fround));
    expect(Array.from(featureRow)).toEqual(Array.from(fullRow));
    expect(() => parseCsvRowForInference('5,oops', data.preprocessing)).toThrow(/^input:1:2: not a number 'oops'/);
    // the record survives JSON, as it is saved next to the model
    expect(JSON.parse(JSON.stringify(data.preprocessing))).toEqual(data.preprocessing);
  });

  it('rejects a test-file label that training never saw, with its line', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'train.csv'), 'a,species\n1,x\n2,y\n');
      await writeFile(join(dir, 'test.csv'), 'a,species\n1,x\n2,z\n');
      const error = await rejection(loadDataset(csvSpec({ test_path: 'test.csv' }), input(1), { specDir: dir, seed: 0 }));
      expect(error.message).toBe(`${join(dir, 'test.csv')}:3:2: label 'z' is not one of the training classes (x, y)`);
    });
  });

  it('keeps int32 features as integers and refuses fractional ones', async () => {
    const intInput = { name: 'ids', shape: [2], dtype: 'int32' as const };
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'train.csv'), 'a,b,species\n3,7,x\n4,8,y\n');
      const data = await loadDataset(csvSpec({}), intInput, { specDir: dir, seed: 0 });
      expect(data.train.x.dtype).toBe('int32');
      expect(Array.from(data.train.x.dataSync())).toEqual([3, 7, 4, 8]);
      await writeFile(join(dir, 'train.csv'), 'a,b,species\n3,7.5,x\n');
      const error = await rejection(loadDataset(csvSpec({}), intInput, { specDir: dir, seed: 0 }));
      expect(error.message).toMatch(/train\.csv:2:2: '7\.5' in column 'b' is not an integer/);
    });
  });

  it('stops at a 2 GB line, or any row over the limit, naming the line, with bounded memory', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'train.csv');
      // A header, one good row, then a 2 GiB line: the file is sparse, so the test writes almost nothing to disk.
      await writeFile(file, 'a,b,species\n1,2,x\n3,');
      await truncate(file, 2 ** 31 + 100);
      const rssBefore = process.memoryUsage().rss;
      const error = await rejection(loadDataset(csvSpec({}), input(2), { specDir: dir, seed: 0 }));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toBe(`${file}:3: row longer than 4 MiB; is this a CSV file?`);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 2 ** 20);
      // Real characters, just past the limit, on line 4.
      await writeFile(file, 'a,b,species\n1,2,x\n3,4,y\n5,' + '6'.repeat(MAX_CSV_ROW_BYTES) + ',z\n');
      const long = await rejection(loadDataset(csvSpec({}), input(2), { specDir: dir, seed: 0 }));
      expect(long.message).toBe(`${file}:4: row longer than 4 MiB; is this a CSV file?`);
    });
  });
});
