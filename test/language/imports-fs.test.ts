// Imports resolved on the real file system by the `nnc` command: only regular files are read (/dev/zero and
// FIFOs are refused at once), absolute paths mean what they say, cycles are found by real path (through a
// symlinked folder), and a chain 10,000 files deep gives diagnostics, not a stack overflow.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const NNC = fileURLToPath(new URL('../../bin/nnc.js', import.meta.url));
const MODEL = 'model M {\n  input x: [4]\n  dense(2, activation: softmax)\n}\n';

function nnc(...args: string[]) {
  const r = spawnSync(process.execPath, [NNC, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr, timedOut: r.error !== undefined };
}

function folder(): string {
  return mkdtempSync(path.join(tmpdir(), 'nnc-imports-'));
}

describe('imports on the real file system', () => {
  it('refuses a character device and a FIFO at once, naming what they are', () => {
    const dir = folder();
    spawnSync('mkfifo', [path.join(dir, 'pipe.nn')]);
    writeFileSync(path.join(dir, 'main.nn'), `import "/dev/zero"\nimport "pipe.nn"\n${MODEL}`);
    const r = nnc('check', path.join(dir, 'main.nn'));
    expect(r.timedOut, 'a FIFO must not block').toBe(false);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/error\[NN1007\].*\/dev\/zero.*it is a character device, not a regular file/);
    expect(r.out).toMatch(/error\[NN1007\].*pipe\.nn.*it is a FIFO \(named pipe\), not a regular file/);
  });

  it('reads an absolute import path as written', () => {
    const dir = folder();
    const shared = path.join(folder(), 'shared.nn');
    writeFileSync(shared, MODEL);
    writeFileSync(path.join(dir, 'main.nn'), `import "${shared}"\n`);
    const r = nnc('check', path.join(dir, 'main.nn'));
    expect(r.code, r.out).toBe(0);
  });

  it('finds a cycle through a symlinked folder by real path', () => {
    const dir = folder();
    mkdirSync(path.join(dir, 'a'));
    symlinkSync(path.join(dir, 'a'), path.join(dir, 'a', 'again'));
    writeFileSync(path.join(dir, 'a', 'main.nn'), `import "again/main.nn"\n${MODEL}`);
    const r = nnc('check', path.join(dir, 'a', 'main.nn'));
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/error\[NN1009\]: import cycle: .*main\.nn -> .*again\/main\.nn/);
  });

  it('checks a chain of 10,000 imports without overflowing the stack', () => {
    const dir = folder();
    const depth = 10_000;
    for (let i = 0; i < depth; i++) writeFileSync(path.join(dir, `f${i}.nn`), i + 1 < depth ? `import "f${i + 1}.nn"\n` : MODEL);
    writeFileSync(path.join(dir, `f${depth - 1}.nn`), `import "f0.nn"\n${MODEL}`);
    const r = nnc('check', path.join(dir, 'f0.nn'));
    expect(r.out).not.toMatch(/RangeError|Maximum call stack/);
    expect(r.code, r.out.slice(0, 2000)).toBe(1);
    expect(r.out).toMatch(/error\[NN1009\]: import cycle: .*f0\.nn -> .*\(9991 more\)/);
  }, 120_000);
});
