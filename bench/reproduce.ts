// Trains committed runs (bench/results/runs/<name>/) again with the seed, flags and training step recorded in
// bench/results/runs/runs.json, as a real trainer process, and compares the result bit for bit: history.csv byte for
// byte, and evaluation.json's values (everything but its `run` facts: dates, times, paths). Not timed.
//   npx tsx bench/reproduce.ts [NAME ...]     (default: iris_net; --all: every run whose status is not stale/no-spec)
//   npx tsx bench/reproduce.ts --produce NAME (train it and write its files into bench/results/runs/NAME)
// Exit status 1 when a run differs or cannot be trained.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { loadSnapshot, REPO, RESULTS, workDir } from './lib.js';

interface RunEntry { trainer: string | null; args: string[]; env: Record<string, string>; resumeFrom?: string; status: string }

const RUNS_DIR = path.join(RESULTS, 'runs');
const registry = JSON.parse(readFileSync(path.join(RUNS_DIR, 'runs.json'), 'utf8')) as { runs: Record<string, RunEntry> };

/** The generated trainer folder of an entry: a committed generated/ folder, or a spec compiled now. */
function trainerFolder(name: string, entry: RunEntry): string {
  if (!entry.trainer) throw new Error(`${name}: its spec is not in the repository (status ${entry.status})`);
  if (!entry.trainer.endsWith('.nn')) return path.join(REPO, entry.trainer);
  const out = workDir('reproduce', name, 'trainer');
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
function train(name: string): string {
  const entry = registry.runs[name];
  if (!entry) throw new Error(`unknown run '${name}' (runs.json has ${Object.keys(registry.runs).join(', ')})`);
  const trainer = trainerFolder(name, entry);
  const out = path.join(workDir('reproduce', name), 'out');
  rmSync(out, { recursive: true, force: true });
  const args = ['--import', path.join(REPO, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'), path.join(trainer, 'train.ts'),
    ...entry.args, '--progress', 'plain', '--out', out];
  process.stderr.write(`${name}: ${Object.entries(entry.env).map(([k, v]) => `${k}=${v}`).join(' ')} node ${args.slice(2).join(' ')} (load ${loadSnapshot()[0]})\n`);
  const res = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...entry.env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`${name}: the trainer exited with ${res.status}: ${(res.stderr || res.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  const step = res.stdout.split('\n').find((l) => l.startsWith('training step:'));
  process.stderr.write(`${name}: ${step ?? '(no training step line)'}\n`);
  return out;
}

/** evaluation.json without the facts of the run (when, how long, where). */
function evaluationValues(file: string): string {
  const { run: _run, ...values } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return JSON.stringify(values);
}

function compare(name: string, out: string): string[] {
  const committed = path.join(RUNS_DIR, name);
  const differences: string[] = [];
  const history = [path.join(committed, 'history.csv'), path.join(out, 'history.csv')];
  if (!readFileSync(history[0]).equals(readFileSync(history[1]))) differences.push(`history.csv differs (${history[1]})`);
  const evaluation = [path.join(committed, 'evaluation.json'), path.join(out, 'report', 'evaluation.json')];
  if (evaluationValues(evaluation[0]) !== evaluationValues(evaluation[1])) differences.push(`evaluation.json values differ (${evaluation[1]})`);
  return differences;
}

/** Copies a run's files into bench/results/runs/NAME (report, plots, history, evaluation, the model's manifest). */
function produce(name: string): void {
  const out = train(name);
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
let failed = false;
if (argv[0] === '--produce') {
  for (const name of argv.slice(1)) produce(name);
} else {
  const names = argv.includes('--all')
    ? Object.entries(registry.runs).filter(([, e]) => e.status !== 'stale' && e.status !== 'no-spec').map(([n]) => n)
    : argv.length > 0 ? argv : ['iris_net'];
  for (const name of names) {
    try {
      const differences = compare(name, train(name));
      if (differences.length > 0) failed = true;
      process.stdout.write(`${name}: ${differences.length === 0 ? 'bit-identical (history.csv, evaluation.json)' : differences.join('; ')}\n`);
    } catch (e) {
      failed = true;
      process.stdout.write(`${name}: ${(e as Error).message}\n`);
    }
  }
}
process.exit(failed ? 1 : 0);
