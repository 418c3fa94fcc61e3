// Fuzzes nnc's front end: every input must end with diagnostics or success, never an uncaught exception, and
// within a time bound. Prints cases run, crashes (with the input, shrunk by hand from the description), and the
// slowest input; --save writes the crashing and the slow inputs to files.
//
//   npx tsx bench/fuzz.ts [--cases 10000] [--seed 1] [--limit-ms 5000] [--save tmp/fuzz-crashes]
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { anyInput } from '../test/fuzz/arbitraries.js';
import { describeInput, runInput, seedSpecs, type FuzzInput } from '../test/fuzz/harness.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'limit-ms': { type: 'string', default: '5000' },
    save: { type: 'string' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const limitMs = Number(values['limit-ms']);
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed) || !(limitMs > 0)) {
  console.error('usage: npx tsx bench/fuzz.ts [--cases N] [--seed N] [--limit-ms MS] [--save DIR]');
  process.exit(2);
}

const arbitrary = anyInput(seedSpecs());
// Generated in batches so 1 MB inputs do not pile up in memory.
const batch = 500;
let run = 0;
const crashes: { input: FuzzInput; failure: string }[] = [];
const slow: { input: FuzzInput; ms: number }[] = [];
let slowest = { input: null as FuzzInput | null, ms: 0 };
let totalMs = 0;
let withErrors = 0;
const started = performance.now();

for (let b = 0; run < cases; b++) {
  const inputs = fc.sample(arbitrary, { numRuns: Math.min(batch, cases - run), seed: seed * 100_003 + b });
  for (const input of inputs) {
    const outcome = runInput(input);
    run++;
    totalMs += outcome.ms;
    if (outcome.errors > 0) withErrors++;
    if (outcome.failure) crashes.push({ input, failure: outcome.failure });
    if (outcome.ms > limitMs) slow.push({ input, ms: outcome.ms });
    if (outcome.ms > slowest.ms) slowest = { input, ms: outcome.ms };
  }
  process.stderr.write(`\r${run}/${cases} cases, ${crashes.length} crashes`);
}
process.stderr.write('\n');

console.log(`cases run:     ${run} (seed ${seed}) in ${((performance.now() - started) / 1000).toFixed(1)} s, ${(totalMs / run).toFixed(2)} ms mean`);
console.log(`with errors:   ${withErrors}, clean: ${run - withErrors}`);
console.log(`crashes:       ${crashes.length}`);
console.log(`over ${limitMs} ms: ${slow.length}`);
if (slowest.input) console.log(`slowest input: ${slowest.ms.toFixed(0)} ms, ${describeInput(slowest.input)}`);
for (const { input, failure } of crashes.slice(0, 10)) console.log(`\ncrash: ${failure}\n  input: ${describeInput(input)}`);
if (values.save && (crashes.length || slow.length)) {
  mkdirSync(values.save, { recursive: true });
  crashes.forEach(({ input, failure }, i) => writeFileSync(path.join(values.save!, `crash_${i}.nn`), `# ${failure.split('\n')[0]}\n${input.text}`));
  slow.forEach(({ input, ms }, i) => writeFileSync(path.join(values.save!, `slow_${i}_${Math.round(ms)}ms.nn`), input.text));
  console.log(`\nsaved ${crashes.length} crashing and ${slow.length} slow inputs under ${values.save}/`);
}
process.exitCode = crashes.length || slow.length ? 1 : 0;
