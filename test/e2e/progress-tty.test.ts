// The generated train.ts as a user runs it: under a pseudo-terminal (util-linux `script`) it draws a live progress
// bar that appears as soon as training starts and moves per batch; piped (CI logs), or with --progress plain, it
// prints one line per epoch and no escape codes; every run ends with a closing line.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../codegen/helpers.js';
import { FASHION_MINI, REPO, SPECS, tempDir, TRAINING_TIMEOUT } from './helpers.js';

interface Chunk { at: number; text: string }
interface Run { code: number | null; chunks: Chunk[]; text: string; started: number }

/** Runs a command, keeping each piece of output with the time it arrived. */
function runTimed(command: string, args: string[], cwd: string, onOutput?: (text: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const chunks: Chunk[] = [];
    const child = spawn(command, args, { cwd, env: { ...process.env, NNC_DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (data: Buffer) => {
      chunks.push({ at: performance.now(), text: data.toString('utf8') });
      onOutput?.(chunks.map((c) => c.text).join(''));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, chunks, text: chunks.map((c) => c.text).join(''), started }));
  });
}

/** Each bar frame as drawn (`\r<frame>\x1b[K`), with the time its chunk arrived. */
function frames(run: Run): { at: number; text: string }[] {
  const found: { at: number; text: string }[] = [];
  let text = '';
  let seen = 0;
  for (const chunk of run.chunks) {
    text += chunk.text;
    for (const m of text.slice(seen).matchAll(/\r(epoch [^\r\x1b]*)\x1b\[K/g)) found.push({ at: chunk.at, text: m[1] });
    seen = Math.max(seen, text.lastIndexOf('\x1b[K') + 3);
  }
  return found;
}

/** When the first output matching `pattern` arrived (searching the text as it accumulated). */
function arrival(run: Run, pattern: RegExp): number | null {
  let text = '';
  for (const chunk of run.chunks) {
    text += chunk.text;
    if (pattern.test(text)) return chunk.at;
  }
  return null;
}

const hasScript = spawnSync('script', ['--version']).status === 0;
const BATCH = 32;
const LIMIT = 256; // 8 batches
// The repository's tsx, as `npx tsx` finds it from the trainer folder (without npx's spinner in the output).
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const trainArgs = ['--epochs', '2', '--limit', String(LIMIT), '--batch-size', String(BATCH), '--backend', 'cpu', '--data-dir', FASHION_MINI];

describe.skipIf(!hasScript)('train.ts progress output', () => {
  let dir: string;
  let trainer: string;
  let tty: Run;
  let piped: Run;
  let plain: Run;
  let narrow: Run;
  let resizedAt: number | null = null;

  beforeAll(async () => {
    dir = tempDir('progress');
    const specFile = path.join(dir, 'fashion_mlp.nn');
    copyFileSync(path.join(SPECS, 'fashion_mlp.nn'), specFile);
    for (const [rel, content] of compileSpec(specFile, path.join(dir, 'out'))) {
      mkdirSync(path.dirname(path.join(dir, 'out', rel)), { recursive: true });
      writeFileSync(path.join(dir, 'out', rel), content);
    }
    trainer = path.join(dir, 'out', 'fashion_mlp');
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    // The cpu backend's batches are slow enough (tens of ms) that the bar's 100 ms redraw limit shows several.
    const command = [TSX, 'train.ts', ...trainArgs, '--out', path.join(dir, 'run-tty')].map(quote).join(' ');
    [tty, piped] = await Promise.all([
      runTimed('script', ['-qefc', command, '/dev/null'], trainer),
      runTimed(TSX, ['train.ts', ...trainArgs, '--out', path.join(dir, 'run-piped')], trainer),
    ]);
    plain = await runTimed('script', ['-qefc', `${command.replace('run-tty', 'run-plain')} --progress plain`, '/dev/null'], trainer);
    // A 60-column terminal, narrowed to 40 (as a user resizing the window: stty on the pseudo-terminal sends SIGWINCH)
    // once the first bar is on screen.
    const narrowCommand = `tty; stty cols 60 rows 20; exec ${command.replace('run-tty', 'run-narrow').replace(`'--epochs' '2'`, `'--epochs' '3'`)}`;
    narrow = await runTimed('script', ['-qefc', narrowCommand, '/dev/null'], trainer, (text) => {
      if (resizedAt !== null || !/\repoch 1\/3 \[/.test(text)) return;
      execFileSync('stty', ['-F', text.split(/\r?\n/)[0].trim(), 'cols', '40']);
      resizedAt = performance.now();
    });
  }, TRAINING_TIMEOUT);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('on a terminal draws a bar per epoch that appears when training starts and moves with the batches', () => {
    expect(tty.code, tty.text).toBe(0);
    // The first frame of each epoch is drawn before its first batch (no rate or ETA yet) ...
    expect(tty.text).toMatch(/\repoch 1\/2 \[\.{24}\] 0\/256 - - samples\/s - ETA \?/);
    expect(tty.text).toMatch(/\repoch 2\/2 \[\.{24}\] 0\/256 - - samples\/s - ETA \?/);
    // ... then one after each batch (at most ~10 a second), with the running loss and metrics, rate and ETA.
    const frames = [...tty.text.matchAll(/\repoch (\d)\/2 \[([=>.]+)\] (\d+)\/(\d+) - loss ([\d.]+) - acc ([\d.]+) - ([\d,]+) samples\/s - ETA (\S+)/g)];
    for (const epoch of ['1', '2']) {
      const counts = frames.filter((f) => f[1] === epoch).map((f) => Number(f[3]));
      expect(counts.length, `epoch ${epoch} frames`).toBeGreaterThanOrEqual(3);
      // Each frame is drawn after a batch: counts are whole batches, strictly increasing, ending at the epoch's end.
      for (const c of counts) expect(c % BATCH === 0 || c === LIMIT).toBe(true);
      for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]);
      expect(counts.at(-1)).toBe(LIMIT);
    }
    for (const f of frames) expect(Number(f[4])).toBe(LIMIT);
    // The bar is on screen within 2 s of the line announcing training (nothing is buffered in between).
    const announced = arrival(tty, /training on 256 samples: 8 batches of 32 per epoch/);
    const firstFrame = arrival(tty, /\repoch 1\/2 \[/);
    expect(announced).not.toBeNull();
    expect(firstFrame! - announced!).toBeLessThan(2000);
    // Something is printed while the data loads, before training starts.
    expect(arrival(tty, /loading dataset 'fashion' \(fashion_mnist\)/)!).toBeLessThan(announced!);
    expect(tty.text).toMatch(/read 2000 images of 28 x 28 from train-images-idx3-ubyte\.gz/);
    // The epoch summary replaces the bar: the line is cleared first.
    expect(tty.text).toMatch(/\r\x1b\[Kepoch 1\/2 - loss [\d.]+ - acc [\d.]+ - [\d,]+ samples\/s - [\d.]+s/);
  });

  it("fits the bar to the terminal's width, and to its new width when the terminal is resized", () => {
    expect(narrow.code, narrow.text).toBe(0);
    expect(resizedAt).not.toBeNull();
    const drawn = frames(narrow);
    // Unclipped, a frame is ~90 columns: each fits 60 (one column spare so the cursor never wraps), then 40.
    for (const f of drawn) expect(f.text.length, f.text).toBeLessThanOrEqual(59);
    expect(drawn.filter((f) => f.text.length === 59).length).toBeGreaterThan(0);
    const firstNarrow = drawn.findIndex((f) => f.text.length <= 39);
    expect(firstNarrow).toBeGreaterThan(0);
    for (const f of drawn.slice(firstNarrow)) expect(f.text.length, f.text).toBeLessThanOrEqual(39);
    // Epoch 3 starts long after the resize: all its frames are 39 wide.
    const third = drawn.filter((f) => f.text.startsWith('epoch 3/3'));
    expect(third.length).toBeGreaterThanOrEqual(2);
    for (const f of third) expect(f.text).toHaveLength(39);
  });

  it('piped prints one plain line per epoch, without escape codes or carriage returns', () => {
    expect(piped.code, piped.text).toBe(0);
    expect(piped.text).not.toMatch(/\r|\x1b/);
    expect(piped.text).not.toMatch(/\[[=>.]{4,}\]/);
    const lines = piped.text.split('\n').filter((l) => /^epoch \d\/2/.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/2 - loss [\d.]+ - acc [\d.]+ - [\d,]+ samples\/s - [\d.]+s$/);
    expect(lines[1]).toMatch(/^epoch 2\/2 - /);
  });

  it('--progress plain on a terminal draws no bar', () => {
    expect(plain.code, plain.text).toBe(0);
    expect(plain.text).not.toMatch(/\[[=>.]{4,}\]/);
    expect(plain.text.split(/\r?\n/).filter((l) => /^epoch \d\/2 - /.test(l))).toHaveLength(2);
  });

  it('ends with a line of total time, epochs, samples/s and where the model and report are', () => {
    for (const [run, out] of [[tty, 'run-tty'], [piped, 'run-piped'], [plain, 'run-plain']] as const) {
      const last = run.text.trim().split(/\r?\n/).at(-1)!;
      const model = path.join(dir, out, 'model');
      const report = path.join(dir, out, 'report', 'report.md');
      expect(last).toMatch(/^done: 2 epochs in [\dms.]+ \(2 trained now, [\d,]+ samples\/s\) - model: /);
      expect(last).toContain(`model: ${model} - report: ${report}`);
    }
  });

  it('the cpu backend prints no TensorFlow.js banner', () => {
    for (const run of [tty, piped]) expect(run.text).not.toMatch(/Hi, looks like you are running TensorFlow\.js/);
    expect(piped.text).toMatch(/backend: cpu \(requested\)/);
  });
});
