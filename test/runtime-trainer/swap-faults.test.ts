// Faults injected into the atomic folder swap of writeDirAtomic: each rename and remove step fails in turn (as a
// crash at that step would stop it). After every fault a complete version, old or new, must be found, and the
// next write must succeed.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FS_SWAP_OPS, resolveCompleteDir, writeDirAtomic, type SwapOps } from '../../src/codegen/runtime/model-io.js';
import { tempDir } from './helpers.js';

const OLD = { 'a.txt': 'old a', 'b.bin': new Uint8Array([1, 2, 3]) };
const NEW = { 'a.txt': 'new a', 'c.txt': 'new c' };

async function contents(dir: string | null): Promise<Record<string, string> | null> {
  if (dir === null) return null;
  const out: Record<string, string> = {};
  for (const name of (await fs.readdir(dir)).sort()) out[name] = (await fs.readFile(path.join(dir, name))).toString('hex');
  return out;
}
const asHex = (files: Record<string, string | Uint8Array>) =>
  Object.fromEntries(Object.entries(files).sort().map(([k, v]) => [k, Buffer.from(v).toString('hex')]));

/** The swap's steps, failing the `failAt`-th (0-based) of them; records the steps taken. */
function faulty(failAt: number, log: string[]): SwapOps {
  let step = 0;
  const guard = (what: string) => {
    log.push(what);
    if (step++ === failAt) throw new Error(`injected fault at step ${failAt}: ${what}`);
  };
  return {
    rename: async (from, to) => { guard(`rename ${path.basename(from)} -> ${path.basename(to)}`); await FS_SWAP_OPS.rename(from, to); },
    rm: async (target) => { guard(`rm ${path.basename(target)}`); await FS_SWAP_OPS.rm(target); },
  };
}

describe('writeDirAtomic under injected faults', () => {
  it('keeps a complete old or new version whichever rename or remove step fails', async () => {
    // Count the steps of one undisturbed swap over an existing folder.
    const probe: string[] = [];
    const probeDir = path.join(tempDir(), 'checkpoint');
    await writeDirAtomic(probeDir, OLD);
    await writeDirAtomic(probeDir, NEW, faulty(-1, probe));
    expect(probe.length).toBeGreaterThanOrEqual(3);
    const outcomes: string[] = [];
    for (let failAt = 0; failAt < probe.length; failAt++) {
      const dir = path.join(tempDir(), 'checkpoint');
      await writeDirAtomic(dir, OLD);
      const steps: string[] = [];
      await expect(writeDirAtomic(dir, NEW, faulty(failAt, steps))).rejects.toThrow(/injected fault/);
      const survivor = await contents(await resolveCompleteDir(dir));
      expect(survivor, `after a fault at "${steps[failAt]}"`).not.toBeNull();
      expect([asHex(OLD), asHex(NEW)], `after a fault at "${steps[failAt]}"`).toContainEqual(survivor);
      outcomes.push(`${steps[failAt]}: ${JSON.stringify(survivor) === JSON.stringify(asHex(NEW)) ? 'new' : 'old'}`);
      // The next writer recovers: it finds no half state and writes the new version.
      await writeDirAtomic(dir, NEW);
      expect(await contents(dir)).toEqual(asHex(NEW));
      expect((await fs.readdir(path.dirname(dir))).sort()).toEqual(['checkpoint']);
    }
    expect(outcomes.length).toBe(probe.length);
  });

  it('keeps the only copy when a writer died between moving the old version aside and moving the new one in', async () => {
    const dir = path.join(tempDir(), 'model');
    await writeDirAtomic(dir, OLD);
    await fs.rename(dir, `${dir}.old`);
    expect(await contents(await resolveCompleteDir(dir))).toEqual(asHex(OLD));
    // A new write fails at its first step: the old copy must still be found.
    await expect(writeDirAtomic(dir, NEW, faulty(0, []))).rejects.toThrow(/injected fault/);
    expect(await contents(await resolveCompleteDir(dir))).toEqual(asHex(OLD));
  });
});
