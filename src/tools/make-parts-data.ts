// Writes specs/data/parts.csv, the small synthetic dataset of the several-inputs and several-outputs specs
// (specs/two_input.nn, specs/two_output.nn):
//   npx tsx src/tools/make-parts-data.ts [out.csv]
// 360 machined parts, seeded (the same file every run): geometry (length, width, height), material (density,
// hardness), a quality grade A/B/C that depends on both groups of features, and a price that depends on volume
// times density plus hardness. test/e2e/multi-io.test.ts checks the committed file equals this script's output.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../codegen/runtime/data/split.js';

export const PARTS_ROWS = 360;

const round = (v: number, digits: number) => Number(v.toFixed(digits));

export function partsCsv(seed = 12, rows = PARTS_ROWS): string {
  const random = seededRandom(seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
  // Box-Muller from two uniforms: noise that does not depend on any platform's Math.random.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lines = ['length,width,height,density,hardness,grade,price'];
  for (let i = 0; i < rows; i++) {
    const length = round(uniform(1, 10), 2), width = round(uniform(1, 5), 2), height = round(uniform(0.5, 3), 2);
    const density = round(uniform(1, 8), 2), hardness = round(uniform(1, 10), 2);
    const score = hardness + 0.6 * density - 0.12 * length * width + 0.4 * normal();
    const grade = score > 9 ? 'A' : score > 5.5 ? 'B' : 'C';
    const price = round(0.01 * length * width * height * density + 0.5 * hardness + 0.3 * normal(), 3);
    lines.push([length, width, height, density, hardness, grade, price].join(','));
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? fileURLToPath(new URL('../../specs/data/parts.csv', import.meta.url));
  writeFileSync(out, partsCsv());
  console.log(`wrote ${out} (${PARTS_ROWS} rows)`);
}
