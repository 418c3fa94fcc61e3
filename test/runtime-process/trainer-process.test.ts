// The generated train.ts as a process, started the way users start it (`npx tsx train.ts`): its exit codes,
// what an interrupted or diverged run leaves in --out, and what class weights do to the loss.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/codegen/runtime/checkpoint.js';
import { BLOBS_SPEC, blobsCsv, compileTrainer, removeTrainers, signalGroup, startTrainer } from './helpers.js';

afterAll(removeTrainers);

const TIMEOUT = 180_000;

/** Every file below `dir` with its bytes, to compare a folder before and after a run. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return files;
}

const outputs = (out: string) => {
  const all = snapshot(out);
  return Object.fromEntries(Object.entries(all).filter(([f]) => /^(model|report)\/|^history\./.test(f)));
};

describe('train.ts as a process', () => {
  it('exits 2 with the usage on a bad flag, before loading anything', async () => {
    const c = compileTrainer('flags', BLOBS_SPEC(), { 'blobs.csv': blobsCsv(30) });
    const p = startTrainer(c.trainerDir, ['--epochs', 'many']);
    const { code } = await p.exited;
    expect(code, p.output()).toBe(2);
    expect(p.output()).toMatch(/--epochs: expected a positive integer, got 'many'/);
    expect(p.output()).toMatch(/usage: npx tsx train.ts/);
  }, TIMEOUT);

  it('a missing data file is one line naming it, exit 1, no stack trace', async () => {
    const c = compileTrainer('missing', BLOBS_SPEC({ data: 'data/missing.csv' }));
    const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', path.join(c.dir, 'run')], { via: 'tsx' });
    const { code } = await p.exited;
    expect(code, p.output()).toBe(1);
    const errors = p.output().split('\n').filter((l) => l.startsWith('error'));
    // It names the file, and the flag or environment variable that sets its location.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${path.join(c.dir, 'data', 'missing.csv')} not found (the spec's "data/missing.csv" resolved against the spec's folder`);
    expect(errors[0]).toContain('give its location with --train-file, or the folder the spec\'s relative paths resolve against with --data-dir or NNC_DATA_DIR');
    // and the spec line that declared it (the path argument of `dataset blobs = csv("data/missing.csv")`, line 7)
    expect(errors[0]).toMatch(new RegExp(`\\(\`train\` of dataset 'blobs' declared at ${c.specFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:21\\)$`));
    expect(p.output()).not.toMatch(/^\s+at /m);
    expect(p.output().length).toBeLessThan(2000);
  }, TIMEOUT);

  it('a folder where the data file should be names the file and the spec line, exit 1', async () => {
    const c = compileTrainer('folder', BLOBS_SPEC({ data: 'data/blobs.csv' }));
    mkdirSync(path.join(c.dir, 'data', 'blobs.csv'), { recursive: true });
    const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', path.join(c.dir, 'run')]);
    const { code } = await p.exited;
    expect(code, p.output()).toBe(1);
    const errors = p.output().split('\n').filter((l) => l.startsWith('error'));
    expect(errors).toEqual([`error: ${path.join(c.dir, 'data', 'blobs.csv')}: the CSV file is a folder, expected a file (\`train\` of dataset 'blobs' declared at ${c.specFile}:7:21)`]);
  }, TIMEOUT);

  it('stops on Inf in the data with exit 1, keeping the model, report and history of the earlier run', async () => {
    const c = compileTrainer('nan', BLOBS_SPEC({ epochs: 2 }), { 'blobs.csv': blobsCsv(60) });
    const out = path.join(c.dir, 'run');
    const good = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out]);
    expect((await good.exited).code, good.output()).toBe(0);
    const before = outputs(out);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['model/model.json', 'model/weights.bin', 'history.json', 'report/report.md']));
    // 1e39 is Infinity in float32; crossentropy clips the loss, so only a check of the weights sees it.
    const rows = blobsCsv(60).split('\n');
    rows[5] = rows[5].replace(/^[^,]+/, '1e39');
    writeFileSync(path.join(c.dir, 'blobs.csv'), rows.join('\n'));
    const bad = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out]);
    const { code } = await bad.exited;
    expect(code, bad.output()).toBe(1);
    expect(bad.output()).toMatch(/NaN or infinite|loss became/);
    expect(bad.output()).toContain(`the last good model is ${path.join(out, 'model')}`);
    expect(outputs(out)).toEqual(before);
  }, TIMEOUT);

  it('saves the model first: a report that cannot be written exits 1 but costs no model', async () => {
    const c = compileTrainer('report', BLOBS_SPEC({ epochs: 1 }), { 'blobs.csv': blobsCsv(60) });
    const out = path.join(c.dir, 'run');
    mkdirSync(out);
    writeFileSync(path.join(out, 'report'), 'a file where the report folder goes');
    const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out], { via: 'tsx' });
    const { code } = await p.exited;
    expect(code, p.output()).toBe(1);
    expect(p.output()).toContain(`the model is saved in ${path.join(out, 'model')}`);
    expect(JSON.parse(readFileSync(path.join(out, 'model', 'labels.json'), 'utf8'))).toEqual(['a', 'b', 'c']);
    expect(existsSync(path.join(out, 'history.json'))).toBe(true);
  }, TIMEOUT);

  it('refuses a second trainer on the same --out while the first runs', async () => {
    const c = compileTrainer('lock', BLOBS_SPEC({ epochs: 30 }), { 'blobs.csv': blobsCsv(1500) });
    const out = path.join(c.dir, 'run');
    const first = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out], { via: 'tsx' });
    await first.waitFor(/epoch 1\/30/);
    const second = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out], { via: 'tsx' });
    const { code } = await second.exited;
    expect(code, second.output()).toBe(1);
    expect(second.output()).toMatch(/is in use by another trainer \(pid \d+/);
    signalGroup(first, 'SIGKILL');
    await first.exited;
  }, TIMEOUT);

  it('Ctrl-C under npx tsx: a mid-epoch checkpoint, exit 130 and a resume line; --resume finishes the run', async () => {
    // As in the second-Ctrl-C test below: a run that tsx killed before the trainer saw the Ctrl-C (no interrupt line,
    // a loaded machine) is tried again, at most 3 times.
    for (let attempt = 1; ; attempt++) {
      const c = compileTrainer(`sigint-${attempt}`, BLOBS_SPEC({ epochs: 3 }), { 'blobs.csv': blobsCsv(3000) });
      const out = path.join(c.dir, 'run');
      const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out]);
      await p.waitFor(/epoch 1\/3/);
      await new Promise((r) => setTimeout(r, 150));
      signalGroup(p, 'SIGINT');
      const { code, signal } = await p.exited;
      // npx itself dies of the SIGINT; a shell reports that as 130 too.
      expect(code ?? (signal === 'SIGINT' ? 130 : null), p.output()).toBe(130);
      if (!/interrupt: finishing the current batch/.test(p.output())) {
        await readCheckpoint(path.join(out, 'checkpoint')); // throws on a torn checkpoint; none at all is fine
        expect(attempt, `tsx killed the trainer before it saw the Ctrl-C, ${attempt} times:\n${p.output()}`).toBeLessThan(3);
        continue;
      }
      expect(p.output()).toMatch(/resume with: npx tsx train.ts --resume --out/);
      const checkpoint = await readCheckpoint(path.join(out, 'checkpoint'));
      expect(checkpoint, p.output()).not.toBeNull();
      expect(checkpoint!.state.epochsDone).toBeGreaterThanOrEqual(1);
      expect(checkpoint!.state.samplesDoneInEpoch, 'the checkpoint is mid-epoch').toBeGreaterThan(0);
      expect(existsSync(path.join(out, 'model')), 'an interrupted run saves no model').toBe(false);
      const resumed = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out, '--resume']);
      expect((await resumed.exited).code, resumed.output()).toBe(0);
      expect(resumed.output()).toMatch(new RegExp(`resuming from .*: epoch ${checkpoint!.state.epochsDone + 1}/3, sample ${checkpoint!.state.samplesDoneInEpoch}/`));
      expect(JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8')).loss).toHaveLength(3);
      return;
    }
  }, 3 * TIMEOUT);

  it('the trainer itself exits 130 after a Ctrl-C (tsx without npx)', async () => {
    const c = compileTrainer('sigint130', BLOBS_SPEC({ epochs: 50 }), { 'blobs.csv': blobsCsv(3000) });
    const out = path.join(c.dir, 'run');
    const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out], { via: 'tsx' });
    await p.waitFor(/epoch 1\/50/);
    signalGroup(p, 'SIGINT');
    const { code } = await p.exited;
    expect(code, p.output()).toBe(130);
    expect(p.output()).toMatch(/interrupted at epoch \d+, sample \d+\/2400/);
  }, TIMEOUT);

  it('a second Ctrl-C exits 130 at once and leaves the last complete checkpoint', async () => {
    // Wide layers: each batch and each checkpoint takes long enough for a second Ctrl-C to land in it.
    // tsx SIGKILLs its child when the child's idle main thread has not answered a SIGINT within ~60 ms, which a
    // machine under heavy load can miss: then no interrupt line is printed and the run is tried again (at most 3
    // times), after checking that what the kill left is the last complete checkpoint.
    for (let attempt = 1; ; attempt++) {
      const c = compileTrainer(`sigint2-${attempt}`, BLOBS_SPEC({ epochs: 50, hidden: [1536, 1536] }), { 'blobs.csv': blobsCsv(240) });
      const out = path.join(c.dir, 'run');
      const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out, '--batch-size', '120'], { via: 'tsx' });
      await p.waitFor(/epoch 1\/50/);
      signalGroup(p, 'SIGINT');
      const graceful = await p.waitFor(/interrupt: finishing the current batch/, 60_000).then(() => true, () => false);
      if (!graceful) {
        if (p.child.exitCode === null && p.child.signalCode === null) signalGroup(p, 'SIGKILL');
        expect((await p.exited).code, p.output()).toBe(130);
        await readCheckpoint(path.join(out, 'checkpoint')); // throws on a torn checkpoint; none at all is fine
        expect(attempt, `tsx killed the trainer before it saw the Ctrl-C, ${attempt} times:\n${p.output()}`).toBeLessThan(3);
        continue;
      }
      // Within a second, repeats count as the same Ctrl-C (npx and tsx forward it, see interrupt.ts).
      await new Promise((r) => setTimeout(r, 1200));
      signalGroup(p, 'SIGINT');
      const { code } = await p.exited;
      expect(code, p.output()).toBe(130);
      expect(p.output()).toMatch(/quitting now/);
      const checkpoint = await readCheckpoint(path.join(out, 'checkpoint'));
      expect(checkpoint!.state.epochsDone).toBeGreaterThanOrEqual(1);
      return;
    }
  }, 3 * TIMEOUT);

  it('class weights scale the loss of each class by its weight', async () => {
    // Class a is all zeros: with zero biases its output is uniform and its loss exactly ln 3, whatever the
    // kernels; a learning rate of 1e-9 keeps the weights where they start during the one epoch.
    const rows = ['f1,f2,f3,f4,label'];
    for (let i = 0; i < 90; i++) rows.push(i % 3 === 0 ? '0,0,0,0,a' : `${1 + (i % 7)},${i % 5},2,${(i % 3) + 1},${i % 3 === 1 ? 'b' : 'c'}`);
    const spec = (weights: string) => BLOBS_SPEC({ epochs: 1, extraTrain: `class_weights: ${weights}` })
      .replace('test: 20%', '').replace('adam(0.01)', 'adam(1e-9)');
    const lossWith = async (weights: string) => {
      const c = compileTrainer('weights', spec(weights), { 'blobs.csv': rows.join('\n') });
      const out = path.join(c.dir, 'run');
      const p = startTrainer(c.trainerDir, ['--backend', 'cpu', '--out', out]);
      expect((await p.exited).code, p.output()).toBe(0);
      return JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8')).loss[0] as number;
    };
    // tfjs: the mean over samples of weight x loss; a third of the samples are class a, and the weights of b
    // and c are too small to show at this precision.
    expect(await lossWith('{ "a": 1, "b": 1e-7, "c": 1e-7 }')).toBeCloseTo(Math.log(3) / 3, 4);
    expect(await lossWith('{ "a": 3, "b": 1e-7, "c": 1e-7 }')).toBeCloseTo(Math.log(3), 4);
    expect(await lossWith('{ "b": 1e-7, "c": 1e-7 }')).toBeCloseTo(Math.log(3) / 3, 4);
  }, TIMEOUT);
});
