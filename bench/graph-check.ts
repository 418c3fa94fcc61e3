// `nnc check` on a 50-block residual spec (one `block`, used 50 times, expanded before checking: 200 layers),
// against VGG16's check, in process: median of repeated checks after a warm-up. Run: npx tsx bench/graph-check.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { check } from '../src/pipeline.js';
import { median, REPO, residualSpec } from './lib.js';


function timeCheck(file: string, text: string, rounds: number): { ms: number; layers: number; errors: number } {
  const host = { readFile: (f: string) => readFileSync(f, 'utf8') };
  const first = check(file, text, host);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const s = performance.now();
    check(file, text, host);
    times.push(performance.now() - s);
  }
  return { ms: median(times), layers: first.spec?.models[0]?.layers.length ?? 0, errors: first.diagnostics.filter((d) => d.severity === 'error').length };
}

const rounds = Number(process.env.ROUNDS ?? 30);
const before = loadavg();
const vggFile = path.join('bench', 'specs', 'vgg16.nn');
const vgg = timeCheck(vggFile, readFileSync(path.join(REPO, vggFile), 'utf8'), rounds);
const res = timeCheck('residual50.nn', residualSpec(50), rounds);
const result = {
  rounds, loadavg: { before, after: loadavg() },
  vgg16: vgg, residual50: res, ratio: Math.round((res.ms / vgg.ms) * 100) / 100,
};
writeFileSync(path.join(REPO, 'bench', 'results', 'graph-check.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`nnc check, in process, median of ${rounds}: VGG16 ${vgg.ms.toFixed(2)} ms (${vgg.layers} layers), ` +
  `50-block residual ${res.ms.toFixed(2)} ms (${res.layers} layers, expanded), ratio ${result.ratio}; load ${before.map((l) => l.toFixed(1)).join(' ')}`);
