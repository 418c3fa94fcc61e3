// Faults against real trainer processes (`npx tsx train.ts`): SIGKILL at random moments of the final save and
// of checkpoints, SIGINT mid-epoch, several trainers racing for one --out. A loss is any run after which the
// folder holds no complete model (when one was saved before) or no loadable checkpoint. NNC_FAULT_RUNS scales
// the number of runs per fault (default 3); the counts are printed. It takes minutes of real training, so it
// runs where NNC_FAULT_SUITE=1 is set (.ci/run sets it).
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/codegen/runtime/checkpoint.js';
import { loadModelFromDir, resolveCompleteDir } from '../../src/codegen/runtime/model-io.js';
import { Rng } from '../../src/codegen/runtime/rng.js';
import { BLOBS_SPEC, blobsCsv, compileTrainer, removeTrainers, signalGroup, startTrainer } from './helpers.js';

afterAll(removeTrainers);
const RUNS = Number(process.env.NNC_FAULT_RUNS ?? 3);
const TIMEOUT = 600_000;
const tally: string[] = [];
afterAll(() => { if (tally.length) console.info(`fault suite:\n  ${tally.join('\n  ')}`); });

const leftovers = (out: string) => readdirSync(out).filter((e) => /\.(tmp-|old$)/.test(e));

/** The complete model in `out/model` (or its .old twin) loads, with its labels; false when there is none. */
async function modelIntact(out: string): Promise<boolean> {
  const dir = await resolveCompleteDir(path.join(out, 'model'));
  if (dir === null) return false;
  const model = await loadModelFromDir(path.join(out, 'model'));
  const labels = JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8'));
  model.dispose();
  return Array.isArray(labels) && labels.length === 3;
}

async function checkpointIntact(out: string): Promise<boolean> {
  try {
    return (await readCheckpoint(path.join(out, 'checkpoint'))) !== null;
  } catch {
    return false;
  }
}

describe.runIf(process.env.NNC_FAULT_SUITE === '1')('fault suite: real trainer processes', () => {
  it(`SIGKILL at random moments of the final save never loses the earlier model (${RUNS} kills)`, async () => {
    // Wide layers make the save long enough (several MB, fsynced) for random kills to land inside it.
    const c = compileTrainer('killsave', BLOBS_SPEC({ epochs: 1, hidden: [768, 768] }), { 'blobs.csv': blobsCsv(60) });
    const out = path.join(c.dir, 'run');
    const first = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out]);
    // The save lies between the last epoch's line and the `model:` line: kills are spread over that window.
    const [epochSeen, savedSeen] = [await first.waitFor(/^epoch 1\/1 -/m), await first.waitFor(/^model: /m)];
    expect((await first.exited).code, first.output()).toBe(0);
    const window = Math.max(20, savedSeen - epochSeen);
    const rng = new Rng(11);
    let losses = 0;
    let midSave = 0;
    for (let i = 0; i < RUNS; i++) {
      const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out]);
      await p.waitFor(/^epoch 1\/1 -/m);
      await new Promise((r) => setTimeout(r, rng.nextInt(window)));
      signalGroup(p, 'SIGKILL');
      await p.exited;
      if (leftovers(out).length > 0) midSave++;
      if (!(await modelIntact(out))) losses++;
    }
    tally.push(`final save: ${RUNS} SIGKILLs over a ${window} ms window, ${midSave} left a swap half done, ${losses} lost the model`);
    expect(losses).toBe(0);
    // The next run finds the stale lock of a killed trainer, breaks it and completes.
    const last = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out]);
    expect((await last.exited).code, last.output()).toBe(0);
    expect(leftovers(out)).toEqual([]);
  }, TIMEOUT);

  it(`SIGKILL at random moments of training and checkpointing always leaves a resumable checkpoint (${RUNS} kills)`, async () => {
    const c = compileTrainer('killckpt', BLOBS_SPEC({ epochs: 200, hidden: [256, 256] }), { 'blobs.csv': blobsCsv(200) });
    const out = path.join(c.dir, 'run');
    const rng = new Rng(12);
    let losses = 0;
    let midWrite = 0;
    let epochs = 0;
    for (let i = 0; i < RUNS; i++) {
      const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out, '--resume']);
      await p.waitFor(/^epoch \d+\/200 -/m);
      await new Promise((r) => setTimeout(r, rng.nextInt(600)));
      signalGroup(p, 'SIGKILL');
      await p.exited;
      if (leftovers(out).length > 0) midWrite++;
      if (!(await checkpointIntact(out))) losses++;
      const done = (await readCheckpoint(path.join(out, 'checkpoint')))?.state.epochsDone ?? 0;
      expect(done, 'each run resumes and adds epochs').toBeGreaterThan(epochs);
      epochs = done;
    }
    tally.push(`checkpoints: ${RUNS} SIGKILLs, ${midWrite} inside a checkpoint write, ${losses} lost the checkpoint; ${epochs} epochs done`);
    expect(losses).toBe(0);
  }, TIMEOUT);

  it(`SIGINT mid-epoch under npx tsx: each run checkpoints and the next resumes (${RUNS} interrupts)`, async () => {
    const c = compileTrainer('intr', BLOBS_SPEC({ epochs: 100 }), { 'blobs.csv': blobsCsv(2000) });
    const out = path.join(c.dir, 'run');
    const rng = new Rng(13);
    let losses = 0;
    let midEpoch = 0;
    let position = 0;
    for (let i = 0; i < RUNS; i++) {
      const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out, '--resume']);
      await p.waitFor(/^epoch \d+\/100 -/m);
      await new Promise((r) => setTimeout(r, rng.nextInt(400)));
      signalGroup(p, 'SIGINT');
      const { code, signal } = await p.exited;
      expect(code ?? (signal === 'SIGINT' ? 130 : null), p.output()).toBe(130);
      const checkpoint = await readCheckpoint(path.join(out, 'checkpoint')).catch(() => null);
      if (checkpoint === null) { losses++; continue; }
      if (checkpoint.state.samplesDoneInEpoch > 0) midEpoch++;
      const now = checkpoint.state.epochsDone * 2000 + checkpoint.state.samplesDoneInEpoch;
      expect(now, 'the checkpoint moves forward').toBeGreaterThan(position);
      position = now;
    }
    tally.push(`interrupts: ${RUNS} SIGINTs under npx tsx, ${midEpoch} mid-epoch checkpoints, ${losses} lost the checkpoint`);
    expect(losses).toBe(0);
  }, TIMEOUT);

  it('three trainers started at once on one --out: one trains, the others are refused', async () => {
    // Long enough that the winner still holds the lock when the slowest racer has started (tsx start-up varies by
    // seconds on 2 busy cores): with 2 epochs a racer could start after the winner finished and train too.
    const c = compileTrainer('race', BLOBS_SPEC({ epochs: 40 }), { 'blobs.csv': blobsCsv(2000) });
    const out = path.join(c.dir, 'run');
    const racers = [0, 1, 2].map(() => startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out]));
    const results = await Promise.all(racers.map((p) => p.exited));
    const codes = results.map((r) => r.code);
    const refused = racers.filter((p) => /in use by another trainer/.test(p.output())).length;
    tally.push(`race: 3 trainers on one --out, exit codes ${codes.join(', ')}, ${refused} refused`);
    expect(codes.filter((code) => code === 0)).toHaveLength(1);
    expect(refused).toBe(2);
    expect(await modelIntact(out)).toBe(true);
    expect(leftovers(out)).toEqual([]);
  }, TIMEOUT);
});
