// Fuzzes nnc's command line on the real file system: specs whose imports, data paths and arguments name FIFOs,
// sockets, character devices, folders, unreadable and endless files, symlink loops, symlinked folders that lead
// back to themselves and import chains up to 10,000 deep, relative and absolute, mixed into mutations of the real
// specs (test/fuzz/fs-cases.ts). Each case runs through the CLI's `main` with the real file system in a worker
// process, with a time limit; every --process-every'th case also as a fresh `bin/nnc` process. A crash is an
// exception, an internal compiler error, a stack trace, a bad exit code, unparsable JSON, a dead worker or a hang.
//
//   npx tsx bench/fuzz-fs.ts [--cases 10000] [--seed 1] [--limit-ms 30000] [--process-every 50] [--out bench/results/fuzz-fs.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { seedSpecs } from '../test/fuzz/harness.js';
import { fsCase, makeFixture, type FsCase } from '../test/fuzz/fs-cases.js';
import { FsRunner, runAsProcess } from '../test/fuzz/fs-runner.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'limit-ms': { type: 'string', default: '30000' },
    'process-every': { type: 'string', default: '50' },
    root: { type: 'string', default: path.join(os.tmpdir(), 'nnc-fuzz-fs') },
    out: { type: 'string' },
    times: { type: 'string' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const limitMs = Number(values['limit-ms']);
const processEvery = Number(values['process-every']);
const root = path.resolve(values.root!);

const started = performance.now();
makeFixture(root);
const fixtureSeconds = (performance.now() - started) / 1000;
const runner = new FsRunner(root, limitMs);
const arbitrary = fsCase(seedSpecs(), root);
interface Row { c: FsCase; ms: number; code: number | null; failure: string | null }
const crashes: Row[] = [];
let slowest: Row | null = null;
let processSlowest: Row | null = null;
let processRuns = 0;
const codes: Record<string, number> = {};
let totalMs = 0;
const timesLog: string[] = [];
const load = [os.loadavg()[0]];

for (let run = 0, b = 0; run < cases; b++) {
  const batch = fc.sample(arbitrary, { numRuns: Math.min(500, cases - run), seed: seed * 100_003 + b });
  for (const c of batch) {
    const outcome = await runner.run(c);
    const row = { c, ms: outcome.ms, code: outcome.code, failure: outcome.failure };
    totalMs += outcome.ms;
    codes[String(outcome.code)] = (codes[String(outcome.code)] ?? 0) + 1;
    if (outcome.failure) crashes.push(row);
    if (values.times) timesLog.push(`${Math.round(outcome.ms)}\t${c.description}`);
    if (!slowest || outcome.ms > slowest.ms) slowest = row;
    if (processEvery > 0 && run % processEvery === 0 && !c.argv.some((a) => a.includes('\0'))) {
      const viaProcess = runAsProcess(c, root, limitMs);
      processRuns++;
      const processRow = { c, ms: viaProcess.ms, code: viaProcess.code, failure: viaProcess.failure && `bin/nnc: ${viaProcess.failure}` };
      if (processRow.failure) crashes.push(processRow);
      if (!processSlowest || viaProcess.ms > processSlowest.ms) processSlowest = processRow;
    }
    run++;
  }
  process.stderr.write(`\r${run}/${cases} cases, ${crashes.length} crashes`);
}
process.stderr.write('\n');
runner.close();
load.push(os.loadavg()[0]);

const show = (r: Row | null) => r && { ms: Math.round(r.ms), case: r.c.description, argv: r.c.argv.join(' '), exit: r.code };
const summary = {
  date: new Date().toISOString(), cases, seed, limitMs, fixtureSeconds: Number(fixtureSeconds.toFixed(1)),
  seconds: Number(((performance.now() - started) / 1000).toFixed(1)), meanMs: Number((totalMs / cases).toFixed(2)),
  exitCodes: codes, crashes: crashes.length, workerStarts: runner.starts, processRuns,
  slowest: show(slowest), processSlowest: show(processSlowest), load1: load, cpus: os.cpus().length,
  firstCrashes: crashes.slice(0, 10).map((r) => ({ failure: r.failure, case: r.c.description, argv: r.c.argv.join(' '), spec: r.c.spec?.text.slice(0, 400) })),
};
console.log(`cases run:      ${cases} (seed ${seed}) in ${summary.seconds} s, ${summary.meanMs} ms mean, fixture ${summary.fixtureSeconds} s`);
console.log(`exit codes:     ${JSON.stringify(codes)}`);
console.log(`crashes:        ${crashes.length} (worker starts ${runner.starts}); bin/nnc processes: ${processRuns}`);
console.log(`slowest case:   ${summary.slowest?.ms} ms, ${summary.slowest?.case}`);
console.log(`slowest bin/nnc: ${summary.processSlowest?.ms} ms, ${summary.processSlowest?.case}`);
for (const r of crashes.slice(0, 10)) console.log(`\ncrash: ${r.failure}\n  case: ${r.c.description}\n  argv: ${r.c.argv.join(' ')}`);
if (values.times) writeFileSync(values.times, timesLog.join('\n') + '\n');
if (values.out) {
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify(summary, null, 2) + '\n');
}
process.exitCode = crashes.length ? 1 : 0;
