// A CSV file bigger than the JavaScript heap through the trainer's loader (loadDataset, as a generated trainer calls
// it): generates the file when missing (pseudo-random features with 6 decimals and a class label), loads it in a
// fresh process with the default heap, and records wall time, rows/s and peak RSS (getrusage) in
// bench/results/csv-large.json. Before streaming, a 1.5 GB file aborted V8 ("heap out of memory").
//
//   nice -n 10 npx tsx bench/csv-large.ts [--gb 1.5] [--features 20] [--file tmp/bench/large.csv] [--out bench/results/csv-large.json]
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    gb: { type: 'string', default: '1.5' },
    features: { type: 'string', default: '20' },
    file: { type: 'string', default: 'tmp/bench/large.csv' },
    out: { type: 'string' },
    child: { type: 'boolean' },
  },
});
const features = Number(values.features);
const file = path.resolve(values.file!);

if (values.child) {
  const { loadDataset } = await import('../src/codegen/runtime/data/index.js');
  const ds = {
    name: 'large', normalize: { type: 'z_score' as const }, validation: 0.1, test: 0.1, shuffle: true, augment: null, limit: null,
    source: 'csv' as const, train: path.basename(file), test_path: null, header: true, delimiter: ',', features: null, label: 'label', task: 'classification' as const,
  };
  const started = performance.now();
  const data = await loadDataset(ds, { name: 'x', shape: [features], dtype: 'float32' }, { specDir: path.dirname(file), seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  const rows = data.train.size + (data.validation?.size ?? 0) + (data.test?.size ?? 0);
  console.log(JSON.stringify({ rows, train: data.train.size, classes: data.classes, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, heapLimitBytes: (await import('node:v8')).getHeapStatistics().heap_size_limit }));
  process.exit(0);
}

async function generate(target: string, bytes: number): Promise<void> {
  mkdirSync(path.dirname(target), { recursive: true });
  const out = createWriteStream(target);
  out.write([...Array.from({ length: features }, (_, i) => `f${i}`), 'label'].join(',') + '\n');
  const classes = ['setosa', 'versicolor', 'virginica'];
  let x = 12345;
  let written = 0;
  for (let r = 0; written < bytes; ) {
    let chunk = '';
    for (let k = 0; k < 5000; k++, r++) {
      const cells: string[] = [];
      for (let f = 0; f < features; f++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        cells.push((x / 0x7fffffff).toFixed(6));
      }
      chunk += `${cells.join(',')},${classes[r % 3]}\n`;
    }
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

const bytes = Math.round(Number(values.gb) * 1e9);
if (!existsSync(file) || statSync(file).size < bytes) {
  console.log(`writing ${file} (${values.gb} GB)...`);
  await generate(file, bytes);
}
const size = statSync(file).size;
const load = os.loadavg()[0];
const out = execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', '--file', file, '--features', String(features)], { encoding: 'utf8', maxBuffer: 1 << 20 });
const result = JSON.parse(out.trim().split('\n').pop()!);
const summary = {
  date: new Date().toISOString(), fileBytes: size, features, rows: result.rows, trainRows: result.train, classes: result.classes,
  seconds: Number(result.seconds.toFixed(1)), rowsPerSecond: Math.round(result.rows / result.seconds), mbPerSecond: Number((size / 1e6 / result.seconds).toFixed(1)),
  maxRssMiB: Math.round(result.maxRssBytes / 2 ** 20), heapLimitMiB: Math.round(result.heapLimitBytes / 2 ** 20),
  valuesMiB: Math.round((result.rows * features * 4) / 2 ** 20), load1: [load, os.loadavg()[0]], cpus: os.cpus().length,
};
console.log(JSON.stringify(summary, null, 2));
if (values.out) writeFileSync(values.out, JSON.stringify(summary, null, 2) + '\n');
