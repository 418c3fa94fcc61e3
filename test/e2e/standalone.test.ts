// Generated trainer folders stand alone, as README promises: each dataset kind's folder is copied to a temporary
// directory outside the repository, the spec's folder it was compiled from is deleted, the copy is installed from its
// own package.json with npm, and `npx tsx train.ts` trains one short epoch there on data given by flag.
//
// Installs are the slow part (tens of seconds each). Folders whose package.json declares exactly the same
// dependencies get the same `npm install` result, so each distinct dependency set is installed once, with npm, in
// the first folder that has it, and the others get a hard-linked copy of that node_modules.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCompiled } from '../codegen/helpers.js';
import { drawShapePng, FASHION_MINI, REPO, SHAPES, SPECS, seededRandom } from './helpers.js';

const INSTALL_TIMEOUT = 480_000;

interface Kind {
  name: string;
  /** The spec, and the trainer folder it compiles to. */
  spec: string;
  folder: string;
  /** train.ts flags that say where the data is (the copy has no spec folder to resolve against). */
  dataFlags: (data: string) => string[];
}

const IDX_SPEC = `
model FashionIdx {
  input image: [28, 28]
  flatten
  dense(32, activation: relu)
  dense(10, activation: softmax)
}
dataset clothes = idx("data/train-images-idx3-ubyte.gz", "data/train-labels-idx1-ubyte.gz") {
  test_images: "data/t10k-images-idx3-ubyte.gz"
  test_labels: "data/t10k-labels-idx1-ubyte.gz"
  normalize: scale(1/255)
}
train FashionIdx on clothes { loss: sparse_categorical_crossentropy, optimizer: adam(0.001), epochs: 3, batch_size: 32 }
`;

const KINDS: Kind[] = [
  { name: 'built-in fashion_mnist', spec: 'fashion_mlp.nn', folder: 'fashion_mlp', dataFlags: (d) => ['--data-dir', path.join(d, 'fashion')] },
  {
    name: 'IDX files', spec: 'fashion_idx.nn', folder: 'fashion_idx',
    dataFlags: (d) => ['--train-images', path.join(d, 'fashion', 'train-images-idx3-ubyte.gz'), '--train-labels', path.join(d, 'fashion', 'train-labels-idx1-ubyte.gz'),
      '--test-images', path.join(d, 'fashion', 't10k-images-idx3-ubyte.gz'), '--test-labels', path.join(d, 'fashion', 't10k-labels-idx1-ubyte.gz')],
  },
  { name: 'CSV', spec: 'iris_csv.nn', folder: 'iris_net', dataFlags: (d) => ['--train-file', path.join(d, 'flowers.csv')] },
  // bn_cnn.nn reads data/shapes/{train,test}: --data-dir names the folder those paths resolve against.
  { name: 'image folders', spec: 'bn_cnn.nn', folder: 'tiny_vgg', dataFlags: (d) => ['--data-dir', path.join(d, 'images')] },
];

const hasNpm = spawnSync('npm', ['--version']).status === 0;

async function writeData(data: string): Promise<void> {
  mkdirSync(path.join(data, 'fashion'), { recursive: true });
  for (const file of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
    copyFileSync(path.join(FASHION_MINI, file), path.join(data, 'fashion', file));
  }
  copyFileSync(path.join(SPECS, 'data', 'iris.csv'), path.join(data, 'flowers.csv'));
  const random = seededRandom(5);
  for (const [split, count] of [['train', 6], ['test', 2]] as const) {
    for (const shape of SHAPES) {
      const dir = path.join(data, 'images', 'data', 'shapes', split, shape);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < count; i++) await drawShapePng(path.join(dir, `${i}.png`), 32, shape, [200, 180, 40], random);
    }
  }
}

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('npx', ['tsx', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NNC_DATA_DIR: '', ...env }, timeout: 240_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!hasNpm)('a generated folder copied outside the repository', () => {
  let root: string;
  const copies = new Map<string, string>();

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nnc-standalone-'));
    expect(path.relative(REPO, root).startsWith('..')).toBe(true);
    const project = path.join(root, 'project');
    mkdirSync(path.join(project, 'out'), { recursive: true });
    writeFileSync(path.join(project, 'fashion_idx.nn'), IDX_SPEC);
    for (const kind of KINDS) {
      const specFile = path.join(project, kind.spec);
      if (!existsSync(specFile)) copyFileSync(path.join(SPECS, kind.spec), specFile);
      writeCompiled(specFile, path.join(project, 'out'));
      const copy = path.join(root, 'elsewhere', kind.folder);
      cpSync(path.join(project, 'out', kind.folder), copy, { recursive: true });
      copies.set(kind.folder, copy);
    }
    // Nothing may point back at the spec's folder.
    rmSync(project, { recursive: true, force: true });
    await writeData(path.join(root, 'data'));

    const installed = new Map<string, string>();
    for (const copy of copies.values()) {
      const pkg = JSON.parse(readFileSync(path.join(copy, 'package.json'), 'utf8'));
      const key = JSON.stringify([pkg.dependencies, pkg.optionalDependencies]);
      const first = installed.get(key);
      if (first) {
        execFileSync('cp', ['-al', path.join(first, 'node_modules'), path.join(copy, 'node_modules')]);
        continue;
      }
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: copy, stdio: 'pipe', timeout: INSTALL_TIMEOUT });
      installed.set(key, copy);
    }
  }, INSTALL_TIMEOUT * 2);
  afterAll(() => root && rmSync(root, { recursive: true, force: true }));

  for (const kind of KINDS) {
    it(`${kind.name}: installs from its own package.json and trains one short epoch on data given by flag`, () => {
      const copy = copies.get(kind.folder)!;
      const data = path.join(root, 'data');
      const { code, out } = run(copy, ['train.ts', '--epochs', '1', '--limit', '48', '--batch-size', '16', '--out', 'run', ...kind.dataFlags(data)]);
      expect(code, out).toBe(0);
      expect(out).toMatch(/done: 1 epoch in .* - model: .*run[/\\]model - report: .*report\.md/);
      expect(existsSync(path.join(copy, 'run', 'model', 'model.json'))).toBe(true);
      expect(existsSync(path.join(copy, 'run', 'report', 'report.md'))).toBe(true);
      // --limit caps every split: 48 training samples and at most 48 evaluated.
      const evaluation = JSON.parse(readFileSync(path.join(copy, 'run', 'report', 'evaluation.json'), 'utf8'));
      const support = evaluation.perClass.reduce((n: number, c: { support: number }) => n + c.support, 0);
      expect(support).toBeLessThanOrEqual(48);
      expect(support).toBeGreaterThan(0);
    }, 300_000);
  }

  it('a Fashion-MNIST folder with no full dataset anywhere (none installed, cached or downloadable) trains on the subset it carries', () => {
    const copy = copies.get('fashion_mlp')!;
    const subset = path.join(copy, 'data', 'fashion-mnist-mini');
    // As a machine without Debian's dataset-fashion-mnist or the Keras cache, offline, and no spec folder to look in.
    const { code, out } = run(copy, ['train.ts', '--epochs', '1', '--limit', '64', '--batch-size', '32', '--out', 'run-subset'], {
      NNC_FASHION_MNIST_DIRS: '', NNC_CACHE_DIR: path.join(root, 'empty-cache'), NNC_FASHION_MNIST_URL: 'http://127.0.0.1:9/', NNC_EMBEDDED_DATA: '',
    });
    expect(code, out).toBe(0);
    expect(out).toContain(`WARNING: using the EMBEDDED Fashion-MNIST SUBSET from ${subset}`);
    const report = readFileSync(path.join(copy, 'run-subset', 'report', 'report.md'), 'utf8');
    expect(report.split('\n').slice(0, 4).join('\n')).toContain(`64 training and 64 test samples from the EMBEDDED SUBSET in ${subset}`);
  });

  it('without the data flag, says which flag or environment variable sets the location', () => {
    const { code, out } = run(copies.get('iris_net')!, ['train.ts', '--epochs', '1', '--out', 'run-nodata']);
    expect(code).toBe(1);
    expect(out).toMatch(/error: dataset 'iris': .*data[/\\]iris\.csv not found \(the spec's "data\/iris\.csv" resolved against the spec's folder .*\); give its location with --train-file, or the folder the spec's relative paths resolve against with --data-dir or NNC_DATA_DIR/);
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('NNC_DATA_DIR naming a missing or an empty folder is an error, as --data-dir is', () => {
    const copy = copies.get('tiny_vgg')!;
    const missing = path.join(root, 'no-such-folder');
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    for (const [env, flags, message] of [
      [{ NNC_DATA_DIR: missing }, [], `${missing}: NNC_DATA_DIR names a folder that does not exist`],
      [{ NNC_DATA_DIR: empty }, [], `${empty}: NNC_DATA_DIR names an empty folder`],
      [{}, ['--data-dir', empty], `${empty}: --data-dir names an empty folder`],
    ] as const) {
      const { code, out } = run(copy, ['train.ts', '--epochs', '1', '--out', 'run-bad', ...flags], env);
      expect(code, out).toBe(1);
      expect(out).toContain(`error: ${message}`);
    }
    // The built-in dataset too: NNC_DATA_DIR must hold the files when it is set.
    const fashion = run(copies.get('fashion_mlp')!, ['train.ts', '--epochs', '1', '--out', 'run-bad'], { NNC_DATA_DIR: empty });
    expect(fashion.code, fashion.out).toBe(1);
    expect(fashion.out).toContain(`error: ${empty}: NNC_DATA_DIR names an empty folder`);
  }, 300_000); // four trainer starts: each tsx start-up takes ~35 s on a loaded 2-core machine

  it("train.ts --help lists the dataset's own flags", () => {
    const { code, out } = run(copies.get('iris_net')!, ['train.ts', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/--train-file <file>\s+training CSV file/);
    expect(out).toMatch(/--backend <name>/);
    expect(out).not.toMatch(/--train-dir/);
  });
});
