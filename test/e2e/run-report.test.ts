// The generated programs as processes, on a machine without Fashion-MNIST (NNC_FASHION_MNIST_DIRS empty, no cache,
// no download): train.ts falls back to the embedded subset and its report says so first; reports record what they
// measured; evaluate.ts, infer.ts and train.ts behave alike (--help, history kept, --resume, image adjustments).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../codegen/helpers.js';
import { FASHION_MINI, REPO, SPECS, tempDir, TRAINING_TIMEOUT } from './helpers.js';

const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

describe('run reports and the three generated programs', () => {
  let dir: string;
  let trainer: string;
  let env: NodeJS.ProcessEnv;
  let trainOut: string;
  const run = (program: string, args: string[]) => {
    const r = spawnSync(TSX, [program, ...args], { cwd: trainer, encoding: 'utf8', env, timeout: 240_000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const runDir = () => path.join(trainer, 'run');
  const read = (...parts: string[]) => readFileSync(path.join(runDir(), ...parts), 'utf8');

  beforeAll(() => {
    dir = tempDir('run-report');
    const specFile = path.join(dir, 'fashion_mlp.nn');
    copyFileSync(path.join(SPECS, 'fashion_mlp.nn'), specFile);
    // The embedded subset where a spec folder of the repository has it.
    mkdirSync(path.join(dir, 'data'));
    symlinkSync(FASHION_MINI, path.join(dir, 'data', 'fashion-mnist-mini'));
    for (const [rel, content] of compileSpec(specFile, path.join(dir, 'out'))) {
      mkdirSync(path.dirname(path.join(dir, 'out', rel)), { recursive: true });
      writeFileSync(path.join(dir, 'out', rel), content);
    }
    trainer = path.join(dir, 'out', 'fashion_mlp');
    env = {
      ...process.env, NNC_DATA_DIR: '', NNC_FASHION_MNIST_DIRS: '', NNC_CACHE_DIR: path.join(dir, 'cache'),
      NNC_FASHION_MNIST_URL: 'http://127.0.0.1:9/', NNC_EMBEDDED_DATA: '',
    };
    const trained = run('train.ts', ['--epochs', '1', '--limit', '96', '--backend', 'cpu', '--out', 'run']);
    trainOut = trained.out;
    expect(trained.code, trained.out).toBe(0);
  }, TRAINING_TIMEOUT);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('report.md says in its first lines that the run used the embedded subset', () => {
    expect(trainOut).toMatch(/WARNING: using the EMBEDDED Fashion-MNIST SUBSET/);
    const head = read('report', 'report.md').split('\n').slice(0, 4).join('\n');
    expect(head).toMatch(/^# FashionMLP\n\n> \*\*WARNING: this run used a SUBSET of fashion_mnist, not the full dataset\*\*/);
    expect(head).toContain(`96 training and 96 test samples from the EMBEDDED SUBSET in ${path.join(dir, 'data', 'fashion-mnist-mini')}`);
  });

  it('evaluation.json and manifest.json record data, counts, backend, seed, epochs, times, speed, versions and the spec text', () => {
    const evaluation = JSON.parse(read('report', 'evaluation.json'));
    const manifest = JSON.parse(read('model', 'manifest.json'));
    const spec = readFileSync(path.join(SPECS, 'fashion_mlp.nn'), 'utf8');
    for (const facts of [evaluation.run, manifest.run]) {
      expect(facts.data).toEqual({
        source: 'fashion_mnist', origin: `the EMBEDDED SUBSET in ${path.join(dir, 'data', 'fashion-mnist-mini')}`, embedded: true,
        samples: { train: 96, validation: 0, test: 96 },
      });
      expect(facts.backend).toBe('cpu');
      expect(facts.seed).toBe(42);
      expect(facts.training).toMatchObject({ epochsPlanned: 1, epochsRun: 1, stopReason: 'completed' });
      expect(facts.training.epochSeconds).toHaveLength(1);
      expect(facts.training.epochSeconds[0]).toBeGreaterThan(0);
      expect(facts.training.samplesPerSecond).toBeGreaterThan(0);
      expect(facts.totalSeconds).toBeGreaterThan(facts.training.epochSeconds[0]);
      expect(facts.versions).toEqual({ nnc: '0.1.0', tfjs: '4.22.0' });
      expect(facts.spec).toEqual({ file: path.join(dir, 'fashion_mlp.nn').split(path.sep).join('/'), text: spec });
    }
    const md = read('report', 'report.md');
    expect(md).toMatch(/\| samples \| 96 train, 0 validation, 96 test \|/);
    expect(md).toMatch(/\| epochs \| 1 of 1 \(completed\) \|/);
    expect(md).toMatch(/\| training speed \| [\d,]+ samples\/s \|/);
    expect(md).toContain(spec.split('\n')[0]); // the spec's text, not only its path
  });

  it('the sample grid shows the test mistakes first; no learning-rate chart when the rate never changes', () => {
    const evaluation = JSON.parse(read('report', 'evaluation.json'));
    const matrix: number[][] = evaluation.confusion;
    const mistakes = matrix.flat().reduce((a, b) => a + b, 0) - matrix.reduce((a, row, i) => a + row[i], 0);
    expect(mistakes).toBeGreaterThan(0);
    const svg = read('report', 'samples.svg');
    expect(svg).toContain(`wrong in red (${Math.min(15, mistakes)} of 15)`);
    expect(() => read('report', 'history-lr.svg')).toThrow();
    expect(read('report', 'report.md')).not.toContain('history-lr');
  });

  it('evaluate.ts --help prints its usage, and evaluate.ts on the finished run keeps its training history', () => {
    const help = run('evaluate.ts', ['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/usage: npx tsx evaluate\.ts \[options\]/);
    expect(help.out).toMatch(/--model <dir>/);
    const bad = run('evaluate.ts', ['--epochs', '3']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("error: unknown option '--epochs'");
    const again = run('evaluate.ts', ['--out', 'run', '--backend', 'cpu', '--limit', '96']);
    expect(again.code, again.out).toBe(0);
    const md = read('report', 'report.md');
    expect(md).toContain('Final values after 1 epoch:');
    expect(md).not.toContain('No training history');
    expect(md).toMatch(/\| epochs \| 1 of 1 \(completed\) \|/); // the training facts, from the model's manifest
  });

  it('--resume on a finished run says it is finished, not "epoch 2/1"', () => {
    const resumed = run('train.ts', ['--epochs', '1', '--limit', '96', '--backend', 'cpu', '--out', 'run', '--resume']);
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toContain('training already finished (1 of 1 epochs); give a larger --epochs to train on');
    expect(resumed.out).not.toMatch(/epoch 2\/1/);
  });

  it('--resume to more epochs: the report times every epoch, those trained before the resume too', () => {
    const before = JSON.parse(read('model', 'manifest.json')).run.training.epochSeconds as number[];
    const resumed = run('train.ts', ['--epochs', '2', '--limit', '96', '--backend', 'cpu', '--out', 'run', '--resume']);
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toMatch(/\(1 trained now, /);
    const after = JSON.parse(read('model', 'manifest.json')).run.training;
    expect(after).toMatchObject({ epochsRun: 2, epochsPlanned: 2 });
    expect(after.epochSeconds).toHaveLength(2);
    expect(after.epochSeconds[0]).toBe(before[0]); // from the checkpoint, not measured again
    expect(after.epochSeconds[1]).toBeGreaterThan(0);
    const shown = after.epochSeconds.map((s: number) => s.toFixed(1)).join(', ');
    expect(read('report', 'report.md')).toMatch(new RegExp(`\\| time per epoch \\| [\\d.]+ (s|min \\d+ s) on average \\(${shown} s\\) \\|`));
  });

  it('train.ts --help names what each option takes', () => {
    const help = run('train.ts', ['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--backend <name>\s+tfjs backend/);
    expect(help.out).toMatch(/--data-dir <dir>/);
    expect(help.out).toMatch(/--limit <n>\s+use at most n samples of each split \(train, validation, test\)/);
  });

  it('infer.ts says how it resized and converted an image, and refuses it with --strict', async () => {
    const photo = path.join(dir, 'photo.png');
    await sharp({ create: { width: 56, height: 40, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toFile(photo);
    const fits = path.join(dir, 'fits.png');
    await sharp(Buffer.alloc(28 * 28, 128), { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(fits);
    const loose = run('infer.ts', ['--model', 'run/model', '--backend', 'cpu', photo, fits]);
    expect(loose.code, loose.out).toBe(0);
    expect(loose.out).toContain(`note: ${photo}: resized from 56 x 40 to 28 x 28, converted from colour to greyscale`);
    expect(loose.out).not.toContain(`note: ${fits}`);
    expect(loose.out).toMatch(new RegExp(`${fits.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .+ \\(\\d+\\.\\d%\\)`));
    const strict = run('infer.ts', ['--model', 'run/model', '--backend', 'cpu', '--strict', photo]);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain(`error: ${photo}: does not fit the model as it is (would be resized from 56 x 40 to 28 x 28, converted from colour to greyscale); --strict refuses it`);
  });
});
