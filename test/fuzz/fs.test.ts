// The command line on the real file system: every special target of the fuzz fixture (FIFOs, sockets, devices,
// folders, unreadable, endless and oversized files, symlink loops, symlinked folders, chains) imported by a spec and
// given as the argument, relative and absolute, then random cases mixing them into mutated specs: each ends with
// diagnostics or a usage error (exit 0/1/2), never a hang, an exception or a stack trace. bench/fuzz-fs.ts runs
// 10,000 such cases with chains up to 10,000 deep.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyTargetCases, fsCase, makeFixture, TARGETS } from './fs-cases.js';
import { FsRunner, runAsProcess } from './fs-runner.js';
import { seedSpecs } from './harness.js';

const root = mkdtempSync(path.join(tmpdir(), 'nnc-fuzz-fs-'));
const runner = new FsRunner(root, 60_000);

beforeAll(() => makeFixture(root, { chains: [300], absChain: 100 }));
afterAll(() => {
  runner.close();
  rmSync(root, { recursive: true, force: true });
});

// Chains of other lengths are not in this small fixture.
const present = TARGETS.filter((t) => !/^chain(?!300\/)/.test(t.path)).map((t) => (t.path.startsWith('chain') ? { ...t, path: 'chain300/c0.nn' } : t));

describe('the command line on the real file system', () => {
  it('every special target, imported and as the argument, relative and absolute: diagnostics, never a crash or a hang', async () => {
    const failures: string[] = [];
    const codes = new Map<string, number | null>();
    const outputs = new Map<string, string>();
    for (const c of everyTargetCases(root, present)) {
      const outcome = await runner.run(c);
      codes.set(c.description, outcome.code);
      outputs.set(c.description, outcome.output ?? '');
      if (outcome.failure) failures.push(`${c.description}: ${outcome.failure}`);
    }
    expect(failures).toEqual([]);
    expect(runner.starts).toBe(1); // no worker was killed for a hang or died
    // Imports of what cannot be read are diagnostics (exit 1); the same as the argument is a usage error (exit 2).
    for (const what of ['a FIFO', '/dev/zero', 'a Unix socket', 'a symlink loop (a -> b -> a)', 'a 3 GiB sparse file']) {
      expect(codes.get(`import of ${what} (relative)`), what).toBe(1);
      expect(codes.get(`check of ${what} (absolute)`), what).toBe(2);
    }
    expect(codes.get('import of a valid spec (absolute)')).toBe(0);
    // A spec file is read up to a bound, not whole: a 3 GiB file costs neither 3 GiB nor the time to read it.
    expect(outputs.get('import of a 3 GiB sparse file (absolute)')).toContain('it is 3072.0 MiB, more than the 64.0 MiB a spec file may be');
    expect(outputs.get('check of a 3 GiB sparse file (relative)')).toContain('cannot read huge.nn: it is 3072.0 MiB, more than the 64.0 MiB a spec file may be');
    expect(outputs.get('check of a /proc folder (unreadable parts) (relative)')).toMatch(/^error: (cannot read folder \/proc\/1\/|no \.nn files in)/m);
  }, 300_000);

  it('random cases through the worker, and some as real bin/nnc processes', async () => {
    const cases = fc.sample(fsCase(seedSpecs(), root), { numRuns: 40, seed: 7 });
    const failures: string[] = [];
    for (const [i, c] of cases.entries()) {
      const outcome = i % 8 === 0 && !c.argv.some((a) => a.includes('\0')) ? runAsProcess(c, root, 60_000) : await runner.run(c);
      if (outcome.failure) failures.push(`${c.description}: ${outcome.failure}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
