// Generated trainers run as users run them: `npx tsx train.ts ...` as a child process, in a folder holding the
// spec and its data under <repo>/tmp/process (so `@tensorflow/tfjs` resolves through the repo's node_modules).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSpec } from '../codegen/helpers.js';

export const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

export interface Compiled { dir: string; trainerDir: string; specFile: string }

const created: string[] = [];
/** Removes every folder compileTrainer made (call from afterAll). */
export function removeTrainers(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `spec` (and `files`, relative to the spec) into a fresh folder and compiles it into <dir>/out. */
export function compileTrainer(name: string, spec: string, files: Record<string, string> = {}, dir?: string): Compiled {
  const root = path.join(REPO, 'tmp', 'process');
  mkdirSync(root, { recursive: true });
  if (dir === undefined) created.push(dir = mkdtempSync(path.join(root, `${name}-`)));
  const specFile = path.join(dir, `${name}.nn`);
  writeFileSync(specFile, spec);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  const out = path.join(dir, 'out');
  const emitted = compileSpec(specFile, out);
  for (const [relative, content] of emitted) {
    mkdirSync(path.dirname(path.join(out, relative)), { recursive: true });
    writeFileSync(path.join(out, relative), content);
  }
  const train = [...emitted.keys()].find((k) => /^[^/]+\/train\.ts$/.test(k))!;
  return { dir, specFile, trainerDir: path.join(out, path.dirname(train)) };
}

export interface TrainerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the time (Date.now()) the pattern was first seen in the output. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<number>;
}

/**
 * Starts `npx tsx <script> ...args` in the trainer's folder. `detached` gives it its own process group, so that
 * a signal can go to the group as a terminal's Ctrl-C does (to tsx's parent and its child alike).
 */
export function startTrainer(trainerDir: string, args: string[], opts: { via?: 'npx' | 'tsx'; script?: string; env?: Record<string, string> } = {}): TrainerProcess {
  const { via = 'npx', script = 'train.ts', env = {} } = opts;
  // npx dies of the SIGINT itself (its status is then the signal's); `tsx` alone shows the trainer's exit code.
  const [command, ...pre] = via === 'npx' ? [NPX, 'tsx'] : [path.join(REPO, 'node_modules', '.bin', 'tsx')];
  const child = spawn(command, [...pre, script, ...args], {
    cwd: trainerDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const waitFor = async (pattern: RegExp, timeoutMs = 120_000) => {
    const start = Date.now();
    while (!pattern.test(out)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited before ${pattern}:\n${out}`);
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}:\n${out}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return Date.now();
  };
  return { child, output: () => out, exited, waitFor };
}

/** Sends `signal` to the whole process group (npx, tsx and the trainer), as a terminal's Ctrl-C does. */
export function signalGroup(p: TrainerProcess, signal: NodeJS.Signals): void {
  process.kill(-p.child.pid!, signal);
}

/** A CSV of `rows` samples, 4 features, 3 classes (a, b, c) that a small MLP separates. */
export function blobsCsv(rows: number, seed = 1): string {
  let s = seed >>> 0;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  const lines = ['f1,f2,f3,f4,label'];
  for (let i = 0; i < rows; i++) {
    const c = i % 3;
    const f = [0, 1, 2, 3].map((k) => (k === c ? 3 : 0) + rand() - 0.5);
    lines.push(`${f.map((v) => v.toFixed(4)).join(',')},${'abc'[c]}`);
  }
  return lines.join('\n') + '\n';
}

export const BLOBS_SPEC = (opts: { epochs?: number; extraTrain?: string; activation?: string; data?: string; labels?: string; hidden?: number[] } = {}) => `
model Net {
  input features: [4]
${(opts.hidden ?? [16]).map((units) => `  dense(${units}, activation: ${opts.activation ?? 'relu'})`).join('\n')}
  dense(3, activation: softmax)
}
dataset blobs = csv("${opts.data ?? 'blobs.csv'}") {
  label: "label"
  ${opts.labels ?? ''}
  test: 20%
}
train Net on blobs {
  loss: sparse_categorical_crossentropy
  optimizer: adam(0.01)
  epochs: ${opts.epochs ?? 3}
  batch_size: 8
  seed: 1
  ${opts.extraTrain ?? ''}
}
`;
