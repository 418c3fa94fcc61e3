// Paths: a trainer finds its data relative to the spec file, from any working directory; `nnc compile` writes
// only inside its output folder, and refuses (writing nothing) to overwrite a file it did not generate.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';

const root = path.resolve('tmp/paths');
const tsxLoader = pathToFileURL(path.resolve('node_modules/tsx/dist/esm/index.mjs')).href;

const iris = readFileSync('specs/data/iris.csv', 'utf8').split('\n');
const tinyCsv = [iris[0], ...iris.slice(1, 11), ...iris.slice(51, 61), ...iris.slice(101, 111)].join('\n') + '\n';

const spec = (alias = '') => `model Tiny {
  input features: [4]
  dense(3, activation: softmax)
}
dataset tiny = csv("data/tiny.csv") { label: "species", validation: 0%, test: 20% }
train Tiny on tiny${alias} {
  loss: sparse_categorical_crossentropy
  optimizer: adam
  epochs: 1
}
`;

/** Every file under `dir`, relative, with its content: what a refused compile must leave as it was. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(path.relative(dir, full), readFileSync(full, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

async function nnc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n'), isTTY: false, readFile: (f) => readFileSync(f, 'utf8') };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A spec folder whose name a URL would misread: `#` starts a fragment, `?` a query, `%20` is an escape. */
const specDir = path.join(root, 'specs #1 ?x=%20');
const specFile = path.join(specDir, 'tiny.nn');

beforeEach(() => {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(specDir, 'data'), { recursive: true });
  writeFileSync(path.join(specDir, 'data/tiny.csv'), tinyCsv);
  writeFileSync(specFile, spec());
});

describe('dataset paths', () => {
  it('resolve relative to the spec file, whatever the working directory', async () => {
    const outDir = path.join(root, 'out');
    const r = await nnc('compile', path.relative(process.cwd(), specFile), '-o', path.relative(process.cwd(), outDir));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const runner = path.join(root, 'load.mts');
    writeFileSync(runner, `const { loadData, SPEC_DIR } = await import(${JSON.stringify(pathToFileURL(path.join(outDir, 'tiny/data.ts')).href)});
const data = await loadData({ seed: 1 });
console.log(JSON.stringify({ specDir: SPEC_DIR, train: data.train.x.shape, test: data.test?.x.shape, classes: data.classes }));`);
    // Run from the system's temp folder: nothing relative to the repository or the spec can be found from there.
    const stdout = execFileSync(process.execPath, ['--import', tsxLoader, runner], { cwd: tmpdir(), encoding: 'utf8', stdio: 'pipe' });
    const loaded = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(path.resolve(loaded.specDir)).toBe(specDir);
    expect(loaded.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(loaded.train[0] + loaded.test[0]).toBe(30);
    expect(loaded.train[1]).toBe(4);
  }, 60_000);
});

describe('nnc compile writes only inside the output folder', () => {
  it('resolves `-o` with `..` segments and writes nowhere else', async () => {
    const before = snapshot(root);
    const r = await nnc('compile', path.relative(process.cwd(), specFile), '-o', 'tmp/paths/a/../b/./c/..');
    expect(r.code).toBe(0);
    const written = [...snapshot(root).keys()].filter((f) => !before.has(f));
    expect(written.length).toBeGreaterThan(5);
    for (const f of written) expect(f.startsWith(`b${path.sep}tiny${path.sep}`), f).toBe(true);
    expect(existsSync(path.join(root, 'a'))).toBe(false);
  });

  for (const alias of [' as ../../escaped', ' as "../../escaped"', ' as /tmp/escaped', ' as a/../../b']) {
    it(`refuses a training named${alias} (names are identifiers), writing nothing`, async () => {
      writeFileSync(specFile, spec(alias));
      const before = snapshot(root);
      const r = await nnc('compile', specFile, '-o', path.join(root, 'out'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/error\[NN1\d{3}\]/);
      expect(snapshot(root)).toEqual(before);
      expect(existsSync(path.join(root, 'escaped'))).toBe(false);
    });
  }

  it('does not follow a symbolic link out of the output folder', async () => {
    const outDir = path.join(root, 'out');
    const outside = path.join(root, 'outside');
    mkdirSync(outDir, { recursive: true });
    mkdirSync(outside);
    symlinkSync(outside, path.join(outDir, 'tiny'));
    const r = await nnc('compile', specFile, '-o', outDir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/outside/);
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('nnc compile refuses to overwrite what it did not write', () => {
  const outDir = path.join(root, 'out');

  it('keeps a hand-written file and writes nothing at all', async () => {
    mkdirSync(path.join(outDir, 'tiny'), { recursive: true });
    writeFileSync(path.join(outDir, 'tiny/README.md'), '# my notes\n');
    const before = snapshot(root);
    const r = await nnc('compile', specFile, '-o', outDir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('refusing to overwrite');
    expect(r.err).toContain('README.md');
    expect(snapshot(root)).toEqual(before);
  });

  it('refuses a folder where it would write a file, with a one-line error', async () => {
    mkdirSync(path.join(outDir, 'tiny/model.ts'), { recursive: true });
    const before = snapshot(root);
    const r = await nnc('compile', specFile, '-o', outDir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('model.ts');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(snapshot(root)).toEqual(before);
  });

  it('overwrites its own output on a second compile', async () => {
    expect((await nnc('compile', specFile, '-o', outDir)).code).toBe(0);
    const first = snapshot(outDir);
    writeFileSync(specFile, spec().replace('epochs: 1', 'epochs: 2'));
    expect((await nnc('compile', specFile, '-o', outDir)).code).toBe(0);
    const second = snapshot(outDir);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    expect(second.get(path.join('tiny', 'train.ts'))).toContain('"epochs": 2');
  });
});

describe("nnc compile copies the embedded Fashion-MNIST subset into a Fashion-MNIST trainer", () => {
  const outDir = path.join(root, 'out');
  const names = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

  it('writes the four files as they are in specs/data, again on a second compile, and refuses to overwrite a changed one', async () => {
    expect((await nnc('compile', 'specs/fashion_mlp.nn', '-o', outDir)).code).toBe(0);
    const copy = path.join(outDir, 'fashion_mlp', 'data', 'fashion-mnist-mini');
    for (const name of names) expect(readFileSync(path.join(copy, name)).equals(readFileSync(path.join('specs/data/fashion-mnist-mini', name))), name).toBe(true);
    expect(readFileSync(path.join(copy, 'README.md'), 'utf8')).toMatch(/^<!-- Generated by nnc .*Do not edit/);
    expect((await nnc('compile', 'specs/fashion_mlp.nn', '-o', outDir)).code).toBe(0);
    writeFileSync(path.join(copy, names[1]), 'my own labels');
    const r = await nnc('compile', 'specs/fashion_mlp.nn', '-o', outDir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`refusing to overwrite ${path.join(copy, names[1])}: nnc did not generate it`);
    expect(readFileSync(path.join(copy, names[1]), 'utf8')).toBe('my own labels');
  });

  it('writes no data folder into a trainer of another dataset', async () => {
    expect((await nnc('compile', specFile, '-o', outDir)).code).toBe(0);
    expect(existsSync(path.join(outDir, 'tiny', 'data'))).toBe(false);
  });
});
