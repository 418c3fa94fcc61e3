// Crash safety in real child processes: SIGKILL at random moments while checkpoints are being written must
// always leave a checkpoint that loads and verifies; SIGINT checkpoints and exits cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/codegen/runtime/checkpoint.js';
import { loadModelFromDir } from '../../src/codegen/runtime/model-io.js';
import { Rng } from '../../src/codegen/runtime/rng.js';
import { trainOutputPaths } from '../../src/codegen/runtime/trainer.js';
import { tempDir, useCpu } from './helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/checkpoint-writer.ts', import.meta.url));
// Each kill costs a fresh Node process (~1.5 CPU-seconds to load tsx and tfjs), so the default stays small;
// NNC_CRASH_ITERATIONS=30 (or more) runs the full soak.
const KILLS = Number(process.env.NNC_CRASH_ITERATIONS ?? 12);
const LANES: ('train' | 'write')[] = ['train', 'write', 'write'];

beforeAll(useCpu);

function startWriter(outDir: string, mode: 'train' | 'write' = 'train'): { child: ChildProcess; epochs: () => number; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, outDir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const epochs = () => (out.match(/^epoch \d+$/gm) ?? []).length;
  return { child, epochs, exited, output: () => out };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * One lane: repeatedly start the writer (resuming), let it write at least one checkpoint, SIGKILL it at a random
 * moment, then check that the checkpoint verifies and loads (and, in write mode, that its files belong together).
 */
async function killLoop(mode: 'train' | 'write', iterations: number, seed: number): Promise<{ epochsDone: number[]; midWrite: number }> {
  const outDir = tempDir('nnc-crash-');
  const dir = trainOutputPaths(outDir).checkpoint;
  const rng = new Rng(seed);
  const epochsDone: number[] = [];
  let midWrite = 0;
  for (let i = 0; i < iterations; i++) {
    const writer = startWriter(outDir, mode);
    await waitFor(() => writer.epochs() >= 1 || writer.child.exitCode !== null, 'the first checkpoint');
    expect(writer.child.exitCode, writer.output()).toBeNull();
    await new Promise((r) => setTimeout(r, rng.nextInt(mode === 'write' ? 150 : 400)));
    writer.child.kill('SIGKILL');
    await writer.exited;
    // Leftover temp or .old folders show the kill landed inside a checkpoint write.
    if ((await fs.readdir(outDir)).some((e) => e !== 'checkpoint')) midWrite++;
    const checkpoint = await readCheckpoint(dir);
    expect(checkpoint).not.toBeNull();
    const model = await loadModelFromDir(dir);
    expect(model.countParams()).toBe(16 * 256 + 256 + 256 * 4 + 4);
    if (mode === 'write') {
      const values = new Set(model.getWeights().flatMap((w) => Array.from(w.dataSync())));
      expect([...values]).toEqual([checkpoint!.state.epochsDone]);
    }
    model.dispose();
    epochsDone.push(checkpoint!.state.epochsDone);
  }
  return { epochsDone, midWrite };
}

describe('crash safety', () => {
  it(`always leaves a loadable checkpoint after SIGKILL at random moments (${KILLS} kills)`, async () => {
    const perLane = Math.ceil(KILLS / LANES.length);
    const lanes = await Promise.all(LANES.map((mode, i) => killLoop(mode, perLane, 100 + i)));
    for (const { epochsDone } of lanes) {
      // Every run resumes from the previous one and completes at least one epoch before it is killed.
      epochsDone.forEach((done, i) => expect(done).toBeGreaterThanOrEqual(i + 1));
      for (let i = 1; i < epochsDone.length; i++) expect(epochsDone[i]).toBeGreaterThan(epochsDone[i - 1]);
    }
    console.info(`crash safety: ${lanes.reduce((n, l) => n + l.midWrite, 0)} of ${perLane * LANES.length} kills landed inside a checkpoint write`);
    // The tight-loop writers spend most of their time writing: most of their kills must hit a write.
    const writeLanes = lanes.filter((_, i) => LANES[i] === 'write');
    expect(writeLanes.reduce((n, l) => n + l.midWrite, 0)).toBeGreaterThanOrEqual(Math.ceil((perLane * writeLanes.length) / 4));
  }, 300_000);

  it('checkpoints and exits cleanly on SIGINT', async () => {
    const outDir = tempDir('nnc-sigint-');
    const writer = startWriter(outDir);
    await waitFor(() => writer.epochs() >= 3, 'three epochs');
    writer.child.kill('SIGINT');
    const code = await writer.exited;
    expect(code, writer.output()).toBe(0);
    expect(writer.output()).toMatch(/stopped interrupted/);
    const checkpoint = await readCheckpoint(trainOutputPaths(outDir).checkpoint);
    expect(checkpoint!.state.epochsDone).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
