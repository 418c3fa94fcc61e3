// Real trainer processes in a generated folder outside the repository, with the addon linked, absent, failing to
// load, missing its binary, and switched off: each trains, saves its model and says which training step it used.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TSX = path.join(REPO, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
const FASHION_MINI = path.join(REPO, 'specs', 'data', 'fashion-mnist-mini');

let root: string;
let trainer: string;

/** Runs the generated trainer for one short epoch; returns its exit status and everything it printed. */
function runTrainer(env: Record<string, string>, out: string): { status: number | null; output: string } {
  const res = spawnSync(process.execPath, ['--import', TSX, 'train.ts', '--epochs', '1', '--limit', '96',
    '--data-dir', FASHION_MINI, '--backend', 'wasm', '--out', path.join(root, out)], {
    cwd: trainer, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, NNC_NATIVE: '', NNC_NATIVE_BINARY: '', ...env },
  });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

function stepLine(output: string): string {
  return output.split('\n').find((l) => l.startsWith('training step:')) ?? '(no training step line)';
}

describe('native step fallback in a generated trainer outside the repository', () => {
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'nnc-native-fallback-'));
    const compile = spawnSync(process.execPath, [path.join(REPO, 'bin', 'nnc.js'), 'compile', path.join(REPO, 'specs', 'fashion_mlp.nn'), '-o', root], { encoding: 'utf8' });
    expect(compile.status, compile.stderr).toBe(0);
    trainer = path.join(root, 'fashion_mlp');
    // The trainer's dependencies, as `npm install` in that folder would give them, but without nnc-native.
    const modules = path.join(trainer, 'node_modules');
    mkdirSync(modules);
    for (const entry of readdirSync(path.join(REPO, 'node_modules'))) {
      if (entry !== 'nnc-native' && entry !== '.bin') symlinkSync(path.join(REPO, 'node_modules', entry), path.join(modules, entry));
    }
  });
  afterAll(() => { if (root) rmSync(root, { recursive: true, force: true }); });

  it('without the nnc-native package: trains on tfjs and says the package is not installed', () => {
    const { status, output } = runTrainer({}, 'absent');
    expect(status, output).toBe(0);
    expect(stepLine(output)).toBe('training step: tfjs (native step not used: nnc-native not installed)');
    expect(existsSync(path.join(root, 'absent', 'model', 'model.json'))).toBe(true);
  });

  it('with a binary that fails to load: trains on tfjs and gives the loader error', () => {
    const broken = path.join(root, 'broken.node');
    writeFileSync(broken, 'not a shared object\n');
    const { status, output } = runTrainer({ NNC_NATIVE_BINARY: broken }, 'broken');
    expect(status, output).toBe(0);
    expect(stepLine(output)).toMatch(/^training step: tfjs \(native step not used: .*(invalid ELF header|too short|file too short)/);
    expect(existsSync(path.join(root, 'broken', 'model', 'model.json'))).toBe(true);
  });

  it('with a binary that is missing: trains on tfjs and names the path', () => {
    const missing = path.join(root, 'no-such-dir', 'nnc_native.node');
    const { status, output } = runTrainer({ NNC_NATIVE_BINARY: missing }, 'missing');
    expect(status, output).toBe(0);
    expect(stepLine(output)).toContain(`native step not used: Cannot find module '${missing}'`);
  });

  describe('with the package linked', () => {
    beforeAll(() => symlinkSync(path.join(REPO, 'native'), path.join(trainer, 'node_modules', 'nnc-native')));

    it('uses the native step, and NNC_NATIVE=off turns it off', () => {
      const on = runTrainer({}, 'linked');
      expect(on.status, on.output).toBe(0);
      expect(stepLine(on.output)).toMatch(/^training step: native \(nnc-native(, \d threads)?, OpenBLAS 1 thread; flatten, dense 500 sigmoid, dense 200 sigmoid, dense 10 softmax\)$/);
      expect(existsSync(path.join(root, 'linked', 'model', 'model.json'))).toBe(true);
      const off = runTrainer({ NNC_NATIVE: 'off' }, 'off');
      expect(off.status, off.output).toBe(0);
      expect(stepLine(off.output)).toBe('training step: tfjs (native step not used: NNC_NATIVE=off)');
    });
  });
});
