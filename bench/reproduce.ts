// Trains committed runs (bench/results/runs/<name>/) again with the seed, flags and training step recorded in
// bench/results/runs/runs.json, as a real trainer process, and compares the result bit for bit: history.csv byte for
// byte, and evaluation.json's values (everything but its `run` facts: dates, times, paths). Not timed.
//   npx tsx bench/reproduce.ts [NAME ...]     (default: iris_net; --all: every run whose status is not stale/no-spec)
//   npx tsx bench/reproduce.ts --produce NAME (train it and write its files into bench/results/runs/NAME; a run with
//       resumeFrom continues that run's last training here (tmp/bench/reproduce/FROM/out, checkpoint included) with --resume)
//   --work TAG: train in tmp/bench/reproduce/NAME-TAG instead of NAME (a check beside a --produce of the same run)
//   npx tsx bench/reproduce.ts --epochs K NAME (a prefix check: train only the first K epochs and compare the first K
//       rows of history.csv; evaluation.json is not compared. For runs too long to retrain here: status
//       'reproduces-prefix', with checkedEpochs in runs.json; --all runs those as prefix checks)
// Prints each training's wall time and the load before and after. Exit status 1 when a run differs or cannot be trained.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { loadSnapshot, REPO, RESULTS, WORK, workDir } from './lib.js';

interface RunEntry {
  trainer: string | null; args: string[]; env: Record<string, string>; resumeFrom?: string; status: string;
  /** For status 'reproduces-prefix': how many leading epochs are retrained and compared. */
  checkedEpochs?: number;
}

/** How a run is trained: all of it, only its first `epochs` epochs, or (producing) continued from another run. */
interface TrainMode { epochs?: number; resumeFrom?: string }

const RUNS_DIR = path.join(RESULTS, 'runs');
const registry = JSON.parse(readFileSync(path.join(RUNS_DIR, 'runs.json'), 'utf8')) as { runs: Record<string, RunEntry> };

/** The generated trainer folder of an entry: a committed generated/ folder, or a spec compiled now. */
function trainerFolder(name: string, entry: RunEntry): string {
  if (!entry.trainer) throw new Error(`${name}: its spec is not in the repository (status ${entry.status})`);
  if (!entry.trainer.endsWith('.nn')) return path.join(REPO, entry.trainer);
  const out = workDir('reproduce', scratchName(name), 'trainer');
  const res = spawnSync('node', [path.join(REPO, 'bin', 'nnc.js'), 'compile', entry.trainer, '-o', out], { cwd: REPO, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${name}: nnc compile ${entry.trainer} failed: ${res.stderr.trim()}`);
  const trained = readFileSync(path.join(REPO, entry.trainer), 'utf8').match(/^train\s+(\w+)/m);
  if (!trained) throw new Error(`${name}: ${entry.trainer} has no train block`);
  // nnc names a trainer folder after its training's model, in snake case.
  const candidates = [trained[1], trained[1].replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()].map((f) => path.join(out, f));
  const found = candidates.find((dir) => existsSync(path.join(dir, 'train.ts')));
  if (!found) throw new Error(`${name}: no train.ts in ${out} after compiling ${entry.trainer}`);
  return found;
}

/** Trains `name` into a fresh folder; returns the folder with history.csv and report/evaluation.json. */
function train(name: string, mode: TrainMode = {}): string {
  const entry = registry.runs[name];
  if (!entry) throw new Error(`unknown run '${name}' (runs.json has ${Object.keys(registry.runs).join(', ')})`);
  const trainer = trainerFolder(name, entry);
  const out = path.join(workDir('reproduce', scratchName(name)), 'out');
  rmSync(out, { recursive: true, force: true });
  let flags = [...entry.args];
  if (mode.epochs !== undefined) flags = [...withoutFlag(flags, '--epochs'), '--epochs', String(mode.epochs)];
  if (mode.resumeFrom !== undefined) {
    const from = path.join(WORK, 'reproduce', mode.resumeFrom, 'out');
    if (!existsSync(path.join(from, 'checkpoint'))) {
      throw new Error(`${name}: resumes ${mode.resumeFrom}, but ${from} has no checkpoint: run --produce ${mode.resumeFrom} (or reproduce it) first`);
    }
    cpSync(from, out, { recursive: true });
    flags.push('--resume');
  }
  const args = ['--import', path.join(REPO, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'), path.join(trainer, 'train.ts'),
    ...flags, '--progress', 'plain', '--out', out];
  const loadBefore = loadSnapshot();
  process.stderr.write(`${name}: ${Object.entries(entry.env).map(([k, v]) => `${k}=${v}`).join(' ')} node ${args.slice(2).join(' ')} (load ${loadBefore.join(' ')})\n`);
  const started = performance.now();
  const res = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...entry.env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const seconds = Math.round((performance.now() - started) / 1000);
  if (res.status !== 0) throw new Error(`${name}: the trainer exited with ${res.status}: ${(res.stderr || res.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  const step = res.stdout.split('\n').find((l) => l.startsWith('training step:'));
  process.stderr.write(`${name}: ${step ?? '(no training step line)'}\n`);
  process.stderr.write(`${name}: trained in ${seconds} s, load ${loadBefore.join(' ')} before, ${loadSnapshot().join(' ')} after\n`);
  return out;
}

/** The run's scratch folder under tmp/bench/reproduce: its name, or NAME-TAG with --work TAG (two at once). */
function scratchName(name: string): string {
  return workTag === undefined ? name : `${name}-${workTag}`;
}

/** `flags` without `flag` and its value. */
function withoutFlag(flags: string[], flag: string): string[] {
  const i = flags.indexOf(flag);
  return i < 0 ? flags : [...flags.slice(0, i), ...flags.slice(i + 2)];
}

/** evaluation.json without the facts of the run (when, how long, where). */
function evaluationValues(file: string): string {
  const { run: _run, ...values } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return JSON.stringify(values);
}

function compare(name: string, out: string, epochs?: number): string[] {
  const committed = path.join(RUNS_DIR, name);
  const differences: string[] = [];
  const history = [path.join(committed, 'history.csv'), path.join(out, 'history.csv')];
  if (epochs !== undefined) {
    // A prefix check: the header and the first `epochs` rows, byte for byte; a run of K epochs has nothing more.
    const [mine, theirs] = history.map((file) => readFileSync(file, 'utf8').split('\n'));
    if (theirs.length < epochs + 1 || mine.slice(0, epochs + 1).join('\n') !== theirs.slice(0, epochs + 1).join('\n')) {
      differences.push(`the first ${epochs} rows of history.csv differ (${history[1]})`);
    }
    return differences;
  }
  if (!readFileSync(history[0]).equals(readFileSync(history[1]))) differences.push(`history.csv differs (${history[1]})`);
  const evaluation = [path.join(committed, 'evaluation.json'), path.join(out, 'report', 'evaluation.json')];
  if (evaluationValues(evaluation[0]) !== evaluationValues(evaluation[1])) differences.push(`evaluation.json values differ (${evaluation[1]})`);
  return differences;
}

/** Copies a run's files into bench/results/runs/NAME (report, plots, history, evaluation, the model's manifest). */
function produce(name: string): void {
  const out = train(name, { resumeFrom: registry.runs[name]?.resumeFrom });
  const target = path.join(RUNS_DIR, name);
  // The older files of the run (e.g. PNG plots of an earlier trainer) go: the folder holds one run.
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of ['history.csv']) cpSync(path.join(out, file), path.join(target, file));
  cpSync(path.join(out, 'report'), target, { recursive: true });
  cpSync(path.join(out, 'model', 'manifest.json'), path.join(target, 'manifest.json'));
  process.stderr.write(`${name}: written to ${target}\n`);
}

const argv = process.argv.slice(2);
// --work TAG: train in tmp/bench/reproduce/NAME-TAG, so that a check can run beside --produce of the same run.
const workAt = argv.indexOf('--work');
const workTag = workAt >= 0 ? argv.splice(workAt, 2)[1] : undefined;
let failed = false;
if (argv[0] === '--produce') {
  for (const name of argv.slice(1)) produce(name);
} else {
  let epochs: number | undefined;
  const at = argv.indexOf('--epochs');
  if (at >= 0) {
    epochs = Number(argv[at + 1]);
    if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs needs a positive integer, got '${argv[at + 1] ?? ''}'`);
    argv.splice(at, 2);
  }
  const names = argv.includes('--all')
    ? Object.entries(registry.runs).filter(([, e]) => e.status.startsWith('reproduces')).map(([n]) => n)
    : argv.length > 0 ? argv : ['iris_net'];
  for (const name of names) {
    try {
      const prefix = epochs ?? (argv.includes('--all') ? registry.runs[name].checkedEpochs : undefined);
      const differences = compare(name, train(name, { epochs: prefix }), prefix);
      if (differences.length > 0) failed = true;
      const same = prefix === undefined ? 'bit-identical (history.csv, evaluation.json)' : `bit-identical over the first ${prefix} epochs (history.csv rows; a prefix check)`;
      process.stdout.write(`${name}: ${differences.length === 0 ? same : differences.join('; ')}\n`);
    } catch (e) {
      failed = true;
      process.stdout.write(`${name}: ${(e as Error).message}\n`);
    }
  }
}
process.exit(failed ? 1 : 0);
