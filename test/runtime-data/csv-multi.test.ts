// The CSV loader of models with several inputs or outputs (`inputs: { a: [...] }`, `labels: { kind: ..., price: ... }`):
// it streams the file into typed arrays as the one-input loader does (csv-stream.ts), so a file many times the
// JavaScript heap loads in a child process with --max-old-space-size (keeping the parsed rows aborts V8), a file
// whose numbers cannot fit in the memory allowed is refused with the figure, and every bad cell is named file:line:column.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMultiCsv } from '../../src/codegen/runtime/data/csv-multi.js';
import { DataError } from '../../src/codegen/runtime/data/errors.js';
import type { CsvDataset, ModelInput } from '../../src/codegen/runtime/spec-types.js';
import { common, rejection, withTempDir } from './helpers.js';

const spec = (overrides: Partial<CsvDataset> = {}): CsvDataset => ({
  ...common(), source: 'csv', train: 'train.csv', test_path: null, header: true, delimiter: ',', features: null,
  inputs: { a: ['a0', 'a1'], b: ['b0'] }, labels: { kind: 'kind', price: 'price' }, task: { kind: 'classification', price: 'regression' },
  ...overrides,
});
const INPUTS: ModelInput[] = [{ name: 'a', shape: [2], dtype: 'float32' }, { name: 'b', shape: [1], dtype: 'int32' }];
const OUTPUTS = [{ name: 'kind', units: 3 }, { name: 'price', units: 1 }];
const HEADER = 'a0,b0,kind,a1,price';

const load = (dir: string, ds = spec(), env: NodeJS.ProcessEnv = {}) => loadMultiCsv(ds, INPUTS, OUTPUTS, { specDir: dir, seed: 0, env });

/** The located error of loading `train` (and `test`) as the spec above. */
async function loadError(train: string, test?: string, ds = spec()): Promise<string> {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, 'train.csv'), train);
    if (test !== undefined) await writeFile(join(dir, 'test.csv'), test);
    const error = await rejection(load(dir, test === undefined ? ds : { ...ds, test_path: 'test.csv' }));
    expect(error).toBeInstanceOf(DataError);
    return error.message.replaceAll(dir, '<dir>');
  });
}

describe('CSV loader for several inputs and outputs', () => {
  it('reads each input its columns and each output its label, classes numbered in sorted order, test file by the training classes', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'train.csv'), `${HEADER}\n1,7,cat,2,0.5\n3,8,ant,4,1.5\n5,9,"bee",6,2.5\n`);
      await writeFile(join(dir, 'test.csv'), `${HEADER}\n9,1,bee,8,3.5\n`);
      const data = await load(dir, spec({ test_path: 'test.csv' }));
      expect(data.labels).toEqual({ kind: ['ant', 'bee', 'cat'], price: null });
      expect(data.train.x.map((t) => t.shape)).toEqual([[3, 2], [3, 1]]);
      expect(data.train.x[1].dtype).toBe('int32');
      expect([...data.train.x[0].dataSync()]).toEqual([1, 2, 3, 4, 5, 6]);
      expect([...data.train.x[1].dataSync()]).toEqual([7, 8, 9]);
      expect([...data.train.y[0].dataSync()]).toEqual([2, 0, 1]);
      expect([...data.train.y[1].dataSync()]).toEqual([0.5, 1.5, 2.5]);
      expect([...data.test!.x[0].dataSync()]).toEqual([9, 8]);
      expect([...data.test!.y[0].dataSync()]).toEqual([1]);
      expect(data.preprocessing.inputs.map((i) => i.columns)).toEqual([[0, 3], [1]]);
      expect(data.preprocessing.columnCount).toBe(5);
    });
  });

  it('names the file, line and column of every bad cell, as the whole-file reader did', async () => {
    const good = '1,7,cat,2,0.5\n3,8,ant,4,1.5\n5,9,bee,6,2.5\n';
    expect(await loadError(`${HEADER}\n${good}1,x,cat,2,0.5\n`)).toBe("<dir>/train.csv:5:2: not a number 'x' in column 'b0'");
    expect(await loadError(`${HEADER}\n${good}1,2.5,cat,2,0.5\n`)).toBe("<dir>/train.csv:5:2: '2.5' in column 'b0' is not an integer (the model input is int32)");
    expect(await loadError(`${HEADER}\n${good}1,7,,2,0.5\n`)).toBe("<dir>/train.csv:5:3: missing label of output 'kind'");
    expect(await loadError(`${HEADER}\n${good}1,7,cat,2,\n`)).toBe("<dir>/train.csv:5:5: missing value in column 'price' (label of output 'price')");
    expect(await loadError(`${HEADER}\n${good}1,7,cat,2\n`)).toBe('<dir>/train.csv:5: ragged row: expected 5 fields (as in line 1), found 4');
    // A quoted field spanning lines: the row is named by its first line.
    expect(await loadError(`${HEADER}\n"1\n",7,cat,2,0.5\n${good}1,7,cat,z,0.5\n`)).toBe("<dir>/train.csv:7:4: not a number 'z' in column 'a1'");
    expect(await loadError('')).toBe('<dir>/train.csv:1: the CSV file is empty');
    expect(await loadError(`${HEADER}\n`)).toBe('<dir>/train.csv: the CSV file has a header but no data rows');
    expect(await loadError(`${HEADER}\n1,7,cat,2,0.5\n`)).toBe("<dir>/train.csv: column 'kind' has 1 classes (cat) but output 'kind' has 3 units (3 classes)");
    expect(await loadError(`${HEADER}\n${good}`, undefined, spec({ inputs: { a: ['a0', 'a9'], b: ['b0'] } })))
      .toBe("<dir>/train.csv:1: no column named 'a9' for the feature of input 'a' (columns: a0, b0, kind, a1, price)");
    expect(await loadError(`${HEADER}\n${good}`, `${HEADER}\n1,7,cat,2,0.5\n1,7,dog,2,0.5\n`))
      .toBe("<dir>/test.csv:3:3: label 'dog' of output 'kind' is not one of the training classes (ant, bee, cat)");
    expect(await loadError(`${HEADER}\n${good}`, 'a0,b0,kind,a1\n1,7,cat,2\n'))
      .toBe('<dir>/test.csv:2: test file has 4 fields per row but <dir>/train.csv has 5');
  });

  it('loads a 20 MB file in a process whose JavaScript heap is capped at 80 MB', async () => {
    await withTempDir(async (dir) => {
      const rows = 170_000;
      const lines = ['f0,f1,f2,f3,f4,f5,g0,g1,g2,g3,g4,kind,price'];
      let x = 7;
      const next = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff).toFixed(6);
      for (let r = 0; r < rows; r++) lines.push([...Array.from({ length: 11 }, next), ['ant', 'bee', 'cat'][r % 3], next()].join(','));
      await writeFile(join(dir, 'train.csv'), lines.join('\n') + '\n');
      const ds = spec({
        inputs: { a: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'], b: ['g0', 'g1', 'g2', 'g3', 'g4'] },
        validation: 0.1, test: 0.1, shuffle: true, normalize: { type: 'z_score' },
      });
      const inputs = [{ name: 'a', shape: [6], dtype: 'float32' }, { name: 'b', shape: [5], dtype: 'float32' }];
      const script = join(dir, 'load.mts');
      await writeFile(script, [
        `import { loadMultiCsv } from ${JSON.stringify(join(process.cwd(), 'src/codegen/runtime/data/csv-multi.js'))};`,
        `const data = await loadMultiCsv(${JSON.stringify(ds)}, ${JSON.stringify(inputs)}, ${JSON.stringify(OUTPUTS)}, { specDir: ${JSON.stringify(dir)}, seed: 1 });`,
        `const kinds = data.train.y[0].dataSync();`,
        `console.log(JSON.stringify({ sizes: [data.train.size, data.validation.size, data.test.size], labels: data.labels,`,
        `  shapes: data.train.x.map((t) => t.shape), counts: [0, 1, 2].map((c) => kinds.filter((l) => l === c).length) }));`,
      ].join('\n'));
      // Keeping 170,000 parsed rows of 13 strings takes far more than 80 MB of heap: V8 aborts ("heap out of memory").
      const out = execFileSync(process.execPath, ['--max-old-space-size=80', '--import', 'tsx', script], { encoding: 'utf8', timeout: 280_000 });
      const result = JSON.parse(out.trim().split('\n').pop()!);
      expect(result.sizes).toEqual([136_000, 17_000, 17_000]);
      expect(result.labels).toEqual({ kind: ['ant', 'bee', 'cat'], price: null });
      expect(result.shapes).toEqual([[136_000, 6], [136_000, 5]]);
      expect(result.counts.reduce((a: number, b: number) => a + b, 0)).toBe(136_000);
      expect(Math.min(...result.counts)).toBeGreaterThan(40_000);
    });
  }, 300_000);

  it('refuses a file whose numbers would not fit in memory, with the figure, before reading it all', async () => {
    await withTempDir(async (dir) => {
      const lines = [HEADER];
      for (let r = 0; r < 40_000; r++) lines.push(`${r % 97}.125,${r % 13},${['ant', 'bee', 'cat'][r % 3]},${r % 89}.5,${r % 7}.25`);
      await writeFile(join(dir, 'train.csv'), lines.join('\n') + '\n');
      const error = await rejection(load(dir, spec(), { NNC_DATA_MEMORY_BYTES: String(256 * 1024) }));
      expect(error).toBeInstanceOf(DataError);
      // Sized from the file's size after its first 2,000 rows: about 40,000 rows x 3 feature values x 12 bytes = 1.4 MiB.
      expect(error.message).toMatch(new RegExp(`^${join(dir, 'train.csv')}: about 4\\d,\\d{3} rows \\(from its 0\\.\\d MiB size\\) x 3 features need about 1\\.\\d MiB to train .* more than the 0\\.3 MiB of memory NNC_DATA_MEMORY_BYTES allows`));
      const data = await load(dir, spec(), { NNC_DATA_MEMORY_BYTES: String(64 * 1024 * 1024) });
      expect(data.train.size).toBe(40_000);
    });
  });
});
