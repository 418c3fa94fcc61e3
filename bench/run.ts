// `npm run bench [-- --only compiler|overhead|torch|peak[,...]] [--quick]`: runs the benchmark sections, writes
// bench/results/results.json and results.md, and prints the markdown. With --only, the other sections of an
// earlier results.json are kept, so the files always hold the latest figures of every section.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCompilerBench } from './compiler.js';
import { ensureBuilt, loadSnapshot, log, RESULTS } from './lib.js';
import { runOverheadBench } from './overhead.js';
import { runPeakBench } from './peak.js';
import { fractions, renderMarkdown, type AccuracySeeds, type Results } from './report.js';
import { runVersusTorch } from './versus-torch.js';

const SECTIONS = ['compiler', 'overhead', 'torch', 'peak'] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]): { sections: Section[]; quick: boolean; renderOnly: boolean; rounds?: number } {
  let sections: Section[] = [...SECTIONS];
  let quick = false;
  let rounds: number | undefined;
  let renderOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--rounds') {
      rounds = Number(argv[++i]);
      if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a positive integer, got '${argv[i] ?? ''}'`);
    }
    else if (a === '--render') renderOnly = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      const names = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (names.length === 0 || bad.length) throw new Error(`--only takes ${SECTIONS.join('|')} (comma-separated), got '${value ?? ''}'`);
      sections = names as Section[];
    } else if (a === '-h' || a === '--help') {
      console.log('usage: npm run bench -- [--only compiler|overhead|torch|peak[,...]] [--quick] [--rounds N] [--render]\n' +
        '  --rounds  interleaved rounds against PyTorch (default 3)\n  --render  only rewrite results.md from results.json');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (usage: npm run bench -- [--only SECTION] [--quick])`);
  }
  return { sections, quick, renderOnly, rounds };
}

function previousResults(file: string): Partial<Results> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<Results>;
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const { sections, quick, renderOnly, rounds } = parseArgs(process.argv.slice(2));
  mkdirSync(RESULTS, { recursive: true });
  const jsonFile = path.join(RESULTS, 'results.json');
  const previous = previousResults(jsonFile);
  if (renderOnly) {
    if (!previous.meta) throw new Error(`${jsonFile}: no results to render`);
    writeMarkdown(previous as Results);
    return;
  }
  ensureBuilt();
  const startedAt = new Date().toISOString();
  const start = loadSnapshot();
  const results: Results = { ...previous, meta: previous.meta! };
  if (sections.includes('compiler')) results.compiler = await runCompilerBench({ quick });
  if (sections.includes('overhead')) results.overhead = await runOverheadBench({ quick });
  if (sections.includes('torch')) results.torch = await runVersusTorch({ quick, rounds });
  if (sections.includes('peak')) results.peak = await runPeakBench({ quick });
  const torchVersion = (Object.values(results.torch?.torchEnv ?? {})[0]?.torch as string | undefined) ?? previous.meta?.torch ?? null;
  const invocation = { startedAt, finishedAt: new Date().toISOString(), sections, quick, loadavg: { start, end: loadSnapshot() } };
  // A full run replaces everything; a partial one is added to the runs whose sections it kept.
  const earlier = sections.length === SECTIONS.length ? [] : (previous.meta?.invocations ?? []);
  results.meta = {
    ...invocation, invocations: [...earlier, invocation],
    node: process.version, tfjs: tf.version.tfjs, torch: torchVersion, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length,
  };
  results.fractions = fractions(results);
  // The JSON first: should rendering fail, `--render` can redo it without rerunning anything.
  writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), jsonFile)}`);
  writeMarkdown(results);
}

/** Full trainings (bench/results/runs/), written by hand from their reports: kept at the end of results.md. */
const FULL_RUNS = path.join(RESULTS, 'full-runs.md');

function writeMarkdown(results: Results): void {
  const seedsFile = path.join(RESULTS, 'accuracy-seeds.json');
  const accuracySeeds = existsSync(seedsFile) ? JSON.parse(readFileSync(seedsFile, 'utf8')) as AccuracySeeds : undefined;
  const markdown = renderMarkdown(results, accuracySeeds) + (existsSync(FULL_RUNS) ? `\n${readFileSync(FULL_RUNS, 'utf8')}` : '');
  writeFileSync(path.join(RESULTS, 'results.md'), markdown);
  log(`wrote ${path.relative(process.cwd(), path.join(RESULTS, 'results.md'))}`);
  process.stdout.write(markdown);
}

main().catch((e: Error) => {
  console.error(`bench: ${e.message}`);
  if (process.env.NNC_DEBUG) console.error(e.stack);
  process.exit(1);
});
