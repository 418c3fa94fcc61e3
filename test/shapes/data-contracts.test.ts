// `nnc check` against the data files a spec names, as users run it: bin/nnc on a spec in a folder outside the
// repository, next to real CSV files and image folders (issue 13 item 9). Relative paths resolve against the spec's
// folder whatever the working folder, as the trainer resolves them, or against $NNC_DATA_DIR when it is set.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { READ_BYTES } from '../../src/shapes/data-contracts.js';

const NNC = resolve('bin/nnc');
const root = mkdtempSync(join(tmpdir(), 'nnc-data-contracts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A folder holding `spec.nn` and the given files; returns the folder. */
function project(spec: string, files: Record<string, string | Uint8Array> = {}): string {
  const dir = join(root, `p${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'spec.nn'), spec);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    if (name.endsWith('/')) mkdirSync(join(dir, name), { recursive: true });
    else writeFileSync(join(dir, name), text as string | Uint8Array);
  }
  return dir;
}

/** A path as nnc check shows it when run from tmpdir. */
const shown = (path: string) => relative(tmpdir(), path);

/** Runs bin/nnc check from another folder (tmpdir), so relative paths can only resolve against the spec's folder. */
function check(dir: string, env: NodeJS.ProcessEnv = {}, ...flags: string[]) {
  const r = spawnSync(NNC, ['check', join(dir, 'spec.nn'), ...flags], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, NNC_DATA_DIR: '', ...env } });
  const found = [...r.stdout.matchAll(/^(error|warning)\[(NN\d+)\]: (.*)\n\s*--> .*?:(\d+):(\d+)/gm)].map((m) => `${m[1]}[${m[2]}] at ${m[4]}:${m[5]}: ${m[3]}`);
  return { code: r.status, out: r.stdout + r.stderr, found };
}

const csvSpec = (o: { input?: string; label?: string; units?: number; loss?: string; labels?: string; path?: string; extra?: string; train?: string } = {}) => `model Net {
  input x: ${o.input ?? '[4]'}
${o.labels ? `  labels: ${o.labels}\n` : ''}  dense(8, activation: relu)
  dense(${o.units ?? 3}, activation: ${o.units === 1 ? 'sigmoid' : 'softmax'})
}
dataset iris = csv("${o.path ?? 'data/iris.csv'}") {
  label: ${o.label ?? '"species"'}${o.extra ?? ''}
}
train Net on iris { loss: ${o.loss ?? 'sparse_categorical_crossentropy'}${o.train ?? ''} }
`;
const iris = 'sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n6.3,3.3,6.0,2.5,virginica\n';

describe('CSV files: header, columns and classes', () => {
  it('a spec that fits its file is clean', () => {
    const r = check(project(csvSpec(), { 'data/iris.csv': iris }));
    expect(r.found).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('a label column the file does not have is an error at the label, with did-you-mean', () => {
    const r = check(project(csvSpec({ label: '"specis"' }), { 'data/iris.csv': iris }));
    expect(r.found).toEqual(['error[NN4051] at 7:10: no column `specis` for the label of dataset `iris` in `data/iris.csv`']);
    expect(r.out).toContain('= help: did you mean `species`?');
    expect(r.code).toBe(1);
  });

  it('a label index past the last column, and a feature name the file lacks', () => {
    const r = check(project(csvSpec({ label: '9', extra: ', features: ["sepal_length", "petal_width", "petal_size", "sepal_width"]' }), { 'data/iris.csv': iris }));
    expect(r.found).toEqual([
      'error[NN4051] at 7:10: no column index 9 for the label of dataset `iris` in `data/iris.csv`',
      'error[NN4051] at 7:55: no column `petal_size` for the feature of dataset `iris` in `data/iris.csv`',
    ]);
  });

  it('the feature count (every column but the label) must equal the input size', () => {
    const r = check(project(csvSpec({ input: '[3]' }), { 'data/iris.csv': iris }));
    expect(r.found).toEqual(['error[NN4052] at 2:12: expected a model input of 4 elements for the 4 feature columns of `data/iris.csv`, found `[3]` (3 elements)']);
    expect(r.out).toContain('= note: data/iris.csv has 5 columns: the label `species` and 4 features');
  });

  it('the class count in the file must equal the output units', () => {
    const r = check(project(csvSpec({ units: 4 }), { 'data/iris.csv': iris }));
    expect(r.found).toEqual(['error[NN4001] at 4:9: expected 3 output units for the 3 classes of dataset `iris`, found 4']);
    expect(r.out).toContain('rows of data/iris.csv hold 3 classes: `setosa`, `versicolor`, `virginica`');
  });

  it('a label the model\'s labels do not list is an error at the labels', () => {
    const r = check(project(csvSpec({ labels: '["setosa", "versicolor", "virginca"]' }), { 'data/iris.csv': iris }));
    expect(r.found).toEqual(['error[NN4055] at 3:11: label `virginica` in `data/iris.csv` is not one of the labels of model `Net`']);
    expect(r.out).toContain('first found in row 3 (line 4) of data/iris.csv');
    expect(r.out).toContain('did you mean `virginca`?');
  });

  it('class_weights name the file\'s classes exactly, as the trainer looks them up', () => {
    const r = check(project(csvSpec({ train: ', class_weights: { "setosa": 2, "Virginica": 3, "2": 1.5 }' }), { 'data/iris.csv': iris }));
    expect(r.found).toEqual(['error[NN4011] at 9:90: unknown class `Virginica` in class_weights']);
    expect(r.out).toContain('did you mean `virginica`?');
  });

  it('reads only the head of a large file: classes past it are not counted, classes in it are', () => {
    const row = '5.1,3.5,1.4,0.2,';
    const lines = ['a', 'b', 'c'].flatMap((c) => Array(Math.ceil(READ_BYTES / row.length / 3) + 10).fill(row + c));
    const big = iris.split('\n')[0] + '\n' + lines.join('\n') + '\n' + row + 'd\n';
    // three classes in the first MiB, a fourth at the end: a 3-unit model passes, a 2-unit one is short of classes
    const three = project(csvSpec({ units: 3 }), { 'data/iris.csv': big });
    expect(check(three).found).toEqual([]);
    const two = check(project(csvSpec({ units: 2 }), { 'data/iris.csv': big }));
    expect(two.found).toEqual(['error[NN4001] at 4:9: expected 3 output units for the 3 classes of dataset `iris`, found 2']);
    expect(two.out).toMatch(/the first \d+ rows of data\/iris\.csv hold at least 3 classes/);
  });
});

describe('losses that cannot fit class indices', () => {
  it('binary_crossentropy on a 3-unit output', () => {
    expect(check(project(csvSpec({ loss: 'binary_crossentropy' }), { 'data/iris.csv': iris })).found)
      .toEqual(['error[NN4053] at 9:27: binary_crossentropy on 3 output units cannot fit the labels of dataset `iris`: each sample has one class index, not 3 targets']);
  });
  it('mse on a 3-unit output is an error, on one unit (class numbers) a warning', () => {
    expect(check(project(csvSpec({ loss: 'mse' }), { 'data/iris.csv': iris })).found.map((f) => f.slice(0, 22))).toEqual(['error[NN4053] at 9:27:']);
    const one = check(project(csvSpec({ loss: 'mse', units: 1 }), { 'data/iris.csv': iris }));
    expect(one.found.map((f) => f.slice(0, 24))).toEqual(['error[NN4001] at 4:9: ex', 'warning[NN4054] at 9:27:']);
  });
  it('sparse_categorical_crossentropy on a 1-unit output', () => {
    expect(check(project(csvSpec({ units: 1 }), { 'data/iris.csv': iris.replace(/virginica/g, 'setosa') })).found.map((f) => f.slice(0, 22)))
      .toEqual(['error[NN4003] at 9:27:']);
  });
});

describe('image folders', () => {
  const imageSpec = (units: number) => `model Net {
  input image: [8, 8, 3]
  flatten
  dense(${units}, activation: softmax)
}
dataset pets = image_folder("data/train") { image_size: 8 }
train Net on pets { loss: sparse_categorical_crossentropy }
`;
  it('the class count is the number of class folders', () => {
    const dir = project(imageSpec(2), { 'data/train/cat/': '', 'data/train/dog/': '', 'data/train/fish/': '' });
    expect(check(dir).found).toEqual(['error[NN4001] at 4:9: expected 3 output units for the 3 classes of dataset `pets`, found 2']);
    expect(check(project(imageSpec(3), { 'data/train/cat/': '', 'data/train/dog/': '', 'data/train/fish/': '' })).found).toEqual([]);
  });
  it('a training folder that is a file is a warning at its path', () => {
    expect(check(project(imageSpec(3), { 'data/train': 'not a folder' })).found)
      .toEqual([`warning[NN4050] at 6:29: the training folder of dataset \`pets\` is not a folder: ${shown(join(root, `p${n - 1}`, 'data/train'))}`]);
  });
});

describe('missing data files', () => {
  it('are a warning at the path argument, resolved against the spec\'s folder; --deny-warnings makes it fail', () => {
    const dir = project(csvSpec({ extra: ', test: "data/test.csv"' }), { 'data/iris.csv': iris });
    const r = check(dir);
    expect(r.found).toEqual([`warning[NN4050] at 7:27: the test file of dataset \`iris\` does not exist: ${shown(join(dir, 'data/test.csv'))}`]);
    expect(r.code).toBe(0);
    expect(check(dir, {}, '--deny-warnings').code).toBe(1);
  });
  it('NNC_DATA_DIR is where relative paths resolve when it is set, as in the trainer', () => {
    const data = project('', { 'data/iris.csv': iris.replace('species', 'kind') });
    const dir = project(csvSpec(), { 'data/iris.csv': iris });
    expect(check(dir).found).toEqual([]);
    expect(check(dir, { NNC_DATA_DIR: data }).found.map((f) => f.slice(0, 22))).toEqual(['error[NN4051] at 7:10:']);
  });
  it('a FIFO or a folder where a file should be is a warning too, and nnc check does not block on the FIFO', () => {
    const dir = project(csvSpec(), { 'data/iris.csv/': '' });
    expect(check(dir).found.map((f) => f.replace(/: [^:]*$/, ''))).toEqual(['warning[NN4050] at 6:20: the training file of dataset `iris` is a folder, expected a file']);
    const fifoDir = project(csvSpec(), {});
    mkdirSync(join(fifoDir, 'data'));
    spawnSync('mkfifo', [join(fifoDir, 'data/iris.csv')]);
    expect(check(fifoDir).found.map((f) => f.replace(/: [^:]*$/, ''))).toEqual(['warning[NN4050] at 6:20: the training file of dataset `iris` is a FIFO (named pipe), expected a regular file']);
  });
});

describe('IDX label files', () => {
  const idxSpec = `model Net {
  input image: [2, 2]
  flatten
  dense(10, activation: softmax)
}
dataset digits = idx("data/images.idx", "data/labels.idx")
train Net on digits { loss: sparse_categorical_crossentropy }
`;
  const images = (n: number) => Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 2, 0, 0, 0, 2]), Buffer.alloc(4 * n)]);
  const labels = (values: number[]) => Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, values.length]), Buffer.from(values)]);
  it('every label must be one of the output\'s classes: a label of 12 on a 10-unit output is an error at the units', () => {
    const bad = labels([0, 1, 2, 3, 4, 12, 6]);
    for (const file of [bad, gzipSync(bad)]) {
      const r = check(project(idxSpec, { 'data/images.idx': images(7), 'data/labels.idx': file }));
      expect(r.found).toEqual(['error[NN4056] at 4:9: record 5 of `data/labels.idx` has label 12, outside the 10 classes of the output of `dense_1`']);
    }
    expect(check(project(idxSpec, { 'data/images.idx': images(7), 'data/labels.idx': labels([0, 1, 2, 3, 4, 9, 6]) })).found).toEqual([]);
  });
});
