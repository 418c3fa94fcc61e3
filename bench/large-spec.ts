// `nnc check` on very large specs: 10,000 and 100,000 layers, 100,000 and 1,000,000 labels. Each spec is written to
// tmp/bench/specs/ and checked by a fresh `bin/nnc check` process (the command CI runs) and, in a fresh process,
// by check() plus the summary; wall time and peak RSS (getrusage) of each. Linear time shows as a constant time per
// layer (or label) from the smaller size to the larger, bounded memory as RSS growing with the spec, not faster.
// Results: bench/results/large-spec.json.
//
//   nice -n 10 npx tsx bench/large-spec.ts [--sizes layers:10000,layers:100000,labels:100000,labels:1000000] [--out FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: 'layers:10000,layers:100000,labels:100000,labels:1000000' },
    out: { type: 'string' },
    child: { type: 'string' },
  },
});

if (values.child) {
  const { readFileSync } = await import('node:fs');
  const { check } = await import('../src/pipeline.js');
  const { formatSummary } = await import('../src/shapes/summary.js');
  const text = readFileSync(values.child, 'utf8');
  const started = performance.now();
  const r = check(values.child, text, { readFile: (f) => readFileSync(f, 'utf8') });
  const checkMs = performance.now() - started;
  const summaryStarted = performance.now();
  for (const info of r.shapes) formatSummary(info);
  const summaryMs = performance.now() - summaryStarted;
  console.log(JSON.stringify({ checkMs, summaryMs, diagnostics: r.diagnostics.length, first: r.diagnostics[0]?.message ?? null, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}

/** A spec of `n` layers (dense / dropout / batch_norm in turn) or of a `n`-label softmax classifier. */
function specText(kind: string, n: number): string {
  if (kind === 'layers') {
    const layers = Array.from({ length: n }, (_, i) => ['  dense(16, activation: relu)', '  dropout(0.1)', '  batch_norm'][i % 3]);
    return ['model Deep {', '  input x: [16]', ...layers, '  dense(3, activation: softmax)', '}', ''].join('\n');
  }
  const labels = Array.from({ length: n }, (_, i) => `"class_${i}"`);
  const lines: string[] = [];
  for (let i = 0; i < labels.length; i += 10) lines.push('    ' + labels.slice(i, i + 10).join(', ') + ',');
  return ['model Wide {', '  input x: [16]', '  labels: [', ...lines, '  ]', `  dense(${n}, activation: softmax)`, '}', ''].join('\n');
}

const dir = path.resolve('tmp/bench/specs');
mkdirSync(dir, { recursive: true });
const rows: Record<string, unknown>[] = [];
for (const size of values.sizes!.split(',')) {
  const [kind, count] = size.split(':');
  const n = Number(count);
  const file = path.join(dir, `${kind}-${n}.nn`);
  const text = specText(kind, n);
  writeFileSync(file, text);
  const load = os.loadavg()[0];
  const started = performance.now();
  const cli = spawnSync('/usr/bin/time', ['-f', '%M %e', path.resolve('bin/nnc'), 'check', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const cliMs = performance.now() - started;
  const [cliRssKiB] = cli.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const inProcess = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n').pop()!);
  const row = {
    kind, n, specBytes: text.length, cliExit: cli.status, cliMs: Math.round(cliMs), cliMaxRssMiB: Math.round(cliRssKiB / 1024), cliOutput: cli.stdout.trim().split('\n').pop(),
    checkMs: Math.round(inProcess.checkMs), summaryMs: Math.round(inProcess.summaryMs), checkMaxRssMiB: Math.round(inProcess.maxRssKiB / 1024),
    usPerItem: Number(((inProcess.checkMs * 1000) / n).toFixed(1)), diagnostics: inProcess.diagnostics, firstDiagnostic: inProcess.first, load1: load,
  };
  console.log(JSON.stringify(row));
  rows.push(row);
}
if (values.out) writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, rows }, null, 2) + '\n');
