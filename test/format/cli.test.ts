// `nnc fmt` as users run it (bin/nnc, a child process) on real files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const nnc = path.resolve(__dirname, '..', '..', 'bin', 'nnc');
const run = (...args: string[]) => spawnSync(nnc, args, { encoding: 'utf8' });

describe('nnc fmt', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nnc-fmt-'));
  const messy = path.join(dir, 'messy.nn');
  const tidy = path.join(dir, 'tidy.nn');
  const broken = path.join(dir, 'broken.nn');
  const messyText = 'model M{input x:[4]  dense(2,activation:relu) # out\n}\n';
  const tidyText = 'model M {\n  input x: [4]\n  dense(2, activation: relu) # out\n}\n';
  const brokenText = 'model M {\n  input x: [4]\n  dense(2\n}\n';

  it('--check lists the files that would change and exits 1, changing nothing', () => {
    writeFileSync(messy, messyText);
    writeFileSync(tidy, tidyText);
    const r = run('fmt', '--check', messy, tidy);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`would reformat ${messy}`);
    expect(r.stdout).not.toContain(tidy);
    expect(readFileSync(messy, 'utf8')).toBe(messyText);
  });

  it('rewrites files in place, after which --check passes', () => {
    const r = run('fmt', dir.replace(/\/?$/, '/') + '*dy.nn', messy);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`formatted ${messy}`);
    expect(readFileSync(messy, 'utf8')).toBe(tidyText);
    const again = run('fmt', '--check', messy, tidy);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('2 files already formatted');
  });

  it('leaves a file with syntax errors as it is, with its located errors, and exits 2', () => {
    writeFileSync(broken, brokenText);
    const r = run('fmt', broken);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--> ${broken}:4:1`);
    expect(r.stderr).toContain(`cannot format ${broken}: it has syntax errors`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(broken, 'utf8')).toBe(brokenText);
  });

  it('says what is wrong with a missing file or no file at all', () => {
    expect(run('fmt', path.join(dir, 'nope.nn'))).toMatchObject({ status: 2, stderr: expect.stringContaining('no such file') });
    expect(run('fmt')).toMatchObject({ status: 2, stderr: expect.stringContaining('nnc fmt needs at least one file') });
  });
});
