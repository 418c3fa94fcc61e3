// Shared helpers of the benchmark harness: process timing, statistics, load snapshots, markdown tables.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Scratch space (generated trainers, bundles, run outputs); under the repo's ignored tmp/ so node_modules resolves. */
export const WORK = path.join(REPO, 'tmp', 'bench');
export const RESULTS = path.join(REPO, 'bench', 'results');
export const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

export function workDir(...parts: string[]): string {
  const dir = path.join(WORK, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The 1, 5 and 15 minute load averages, rounded: a busy machine makes every figure below slower and noisier. */
export function loadSnapshot(): number[] {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export interface ProcessTime { wallMs: number; userMs: number; sysMs: number; exitCode: number }

/**
 * Runs a command and returns its wall time and the user and system CPU time of the whole process tree it started,
 * read with bash's `times` (getrusage of its children, millisecond resolution; /usr/bin/time only gives 10 ms).
 */
export function timeProcess(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ProcessTime {
  const start = performance.now();
  const res = spawnSync('bash', ['-c', '"$@" >/dev/null 2>&1; status=$?; times; exit $status', 'bash', cmd, ...args], {
    cwd: opts.cwd ?? REPO, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: opts.env ?? process.env,
  });
  const wallMs = performance.now() - start;
  // `times` prints the shell's own user/system times, then its children's: "0m0.104s 0m0.031s".
  const children = res.stdout.trim().split('\n').pop() ?? '';
  const [userMs, sysMs] = children.split(' ').map((t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (!m) throw new Error(`cannot read the times of ${cmd} ${args.join(' ')}: ${JSON.stringify(res.stdout)}`);
    return (Number(m[1]) * 60 + Number(m[2])) * 1000;
  });
  return { wallMs, userMs, sysMs, exitCode: res.status ?? -1 };
}

export interface TimedSummary { runs: number; wallMs: number; cpuMs: number; userMs: number; sysMs: number; exitCode: number }

/** Median wall and CPU (user+sys) of `runs` runs, after one unmeasured warm-up run (file cache). */
export function timeRepeated(cmd: string, args: string[], runs: number): TimedSummary {
  timeProcess(cmd, args);
  const samples = Array.from({ length: runs }, () => timeProcess(cmd, args));
  return {
    runs,
    wallMs: round(median(samples.map((s) => s.wallMs)), 1),
    cpuMs: round(median(samples.map((s) => s.userMs + s.sysMs)), 1),
    userMs: round(median(samples.map((s) => s.userMs)), 1),
    sysMs: round(median(samples.map((s) => s.sysMs)), 1),
    exitCode: Math.max(...samples.map((s) => s.exitCode)),
  };
}

/**
 * Runs a child that prints one JSON object on the last line of its stdout (progress goes to stderr), and returns it.
 * Throws with the child's stderr tail when it fails.
 */
export function runJsonChild<T>(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) {
        try { resolve(JSON.parse(last) as T); return; } catch { /* fall through to the error */ }
      }
      const tail = (err + out).trim().split('\n').slice(-8).join('\n');
      reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

/** Formats a markdown table; numbers are printed as given (round them first). */
export function markdownTable(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '–' : String(v));
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

export function fmtInt(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : Math.round(value).toLocaleString('en-US');
}

/** Samples/s: whole numbers, but one decimal below 10 (tfjs's cpu backend trains the CNN at ~1 sample/s). */
export function fmtRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value < 10 ? value.toFixed(1) : fmtInt(value);
}

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Runs npm run build when dist/ lacks the bundle or the startup snapshot, which the compiler figures run. */
export function ensureBuilt(): void {
  if (existsSync(path.join(REPO, 'dist', 'nnc.cjs')) && existsSync(path.join(REPO, 'dist', 'nnc.blob'))) return;
  log('dist/ incomplete: running npm run build');
  const res = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('npm run build failed');
}

/** A residual CNN of `blocks` two-convolution blocks with shortcuts, written with one block and a repeat count. */
export function residualSpec(blocks: number): string {
  return [
    `# Generated by bench/lib.ts residualSpec: ${blocks} residual blocks.`,
    'block residual(filters) {',
    '  input x',
    '  y = conv2d(filters, 3, padding: same, activation: relu)',
    '  y = conv2d(filters, 3, padding: same)',
    '  add(y, x)',
    '}',
    'model Deep {',
    '  input image: [32, 32, 3]',
    '  conv2d(16, 3, padding: same, activation: relu)',
    `  residual(16) * ${blocks}`,
    '  global_avg_pool2d',
    '  dense(10, activation: softmax)',
    '}',
    '',
  ].join('\n');
}
