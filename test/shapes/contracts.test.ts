// NN4xxx: the contract between a training's model and dataset.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkContracts, idxSampleShape, type ContractEnv } from '../../src/shapes/contracts.js';
import { inferModel } from '../../src/shapes/infer.js';
import type { DatasetSpec, ModelSpec, TrainSpec, Spec } from '../../src/spec/types.js';
import { D, L, model, spansFor, spec, training } from './helpers.js';
import { check as checkSource } from '../../src/pipeline.js';
import type { SpanIndex } from '../../src/spec/spans.js';

const mlp = (units: number, activation: 'softmax' | 'sigmoid' | 'linear' = 'softmax', shape = [28, 28], labels: string[] | null = null) =>
  model('net', shape, [...(shape.length > 1 ? [L.flatten()] : []), L.dense(16, 'relu'), L.dense(units, activation)], { labels });

function check(m: ModelSpec, d: DatasetSpec, t: Partial<TrainSpec> = {}, spans: SpanIndex = spansFor(), env: ContractEnv = { specDir: '/nowhere', listDir: () => null }) {
  const s: Spec = spec([m], [d], [training(m.name, d.name, t)]);
  const shapes = s.models.map((_, i) => inferModel(s, i, spans).info);
  return checkContracts(s, spans, shapes, env);
}
const codes = (ds: { code: string }[]) => ds.map((d) => d.code);

describe('output units vs classes and labels', () => {
  it('a matching fashion_mnist model has no diagnostics', () => {
    expect(check(mlp(10), D.fashion())).toEqual([]);
  });

  it('NN4001: units differ from the dataset classes, pointing at `units`', () => {
    const spans = spansFor('/models/0/layers/2/units');
    const [d, ...rest] = check(mlp(8), D.fashion(), {}, spans);
    expect(rest).toEqual([]);
    expect(d.code).toBe('NN4001');
    expect(d.message).toBe('expected 10 output units for the 10 classes of dataset `fashion`, found 8');
    expect(d.help).toMatch(/`units: 10`/);
    expect(d.span?.line).toBe(1);
  });

  it('NN4001: image_folder counts its class folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'nnc-shapes-'));
    for (const c of ['apple', 'banana', 'cherry']) mkdirSync(join(root, 'train', c), { recursive: true });
    writeFileSync(join(root, 'train', 'README.txt'), 'not a class');
    const m = model('net', [32, 32, 3], [L.flatten(), L.dense(4, 'softmax')]);
    const ds = check(m, D.images('fruit', 'train', [32, 32], 'rgb'), {}, spansFor(), { specDir: root });
    expect(codes(ds)).toEqual(['NN4001']);
    expect(ds[0].message).toBe('expected 3 output units for the 3 classes of dataset `fruit`, found 4');
  });

  it('NN4002: units vs the model labels when the data has no class list', () => {
    const m = mlp(3, 'softmax', [4], ['a', 'b']);
    const ds = check(m, D.csv('iris', 'classification', ['p', 'q', 'r', 's']));
    expect(codes(ds)).toEqual(['NN4002']);
    expect(ds[0].message).toBe('expected 2 output units for the 2 labels of model `net`, found 3');
  });

  it('binary_crossentropy with one sigmoid unit fits two classes', () => {
    const m = mlp(1, 'sigmoid', [4], ['no', 'yes']);
    expect(check(m, D.csv('c', 'classification', ['a', 'b', 'c', 'd']), { loss: 'binary_crossentropy' })).toEqual([]);
  });

  it('NN4016: an unflattened output cannot meet class labels', () => {
    const m = model('net', [8, 8, 1], [L.conv2d(4, 3), L.dense(10, 'softmax')]);
    const ds = check(m, D.images('imgs', 'train', [8, 8], 'grayscale'));
    expect(codes(ds)).toEqual(['NN4016']);
    expect(ds[0].message).toMatch(/found `\[6, 6, 10\]`/);
  });
});

describe('loss vs output activation', () => {
  it('NN4003: sparse categorical crossentropy on one unit', () => {
    const ds = check(mlp(1, 'sigmoid'), D.fashion(), {}, spansFor('/trainings/0/loss'));
    expect(codes(ds)).toEqual(['NN4003']);
    expect(ds[0].message).toBe('sparse_categorical_crossentropy needs a softmax over more than one unit, found 1 output unit');
    expect(ds[0].span?.line).toBe(1);
  });

  it('NN4004: categorical crossentropy without softmax', () => {
    const ds = check(mlp(10, 'sigmoid'), D.fashion(), { loss: 'categorical_crossentropy' });
    expect(codes(ds)).toEqual(['NN4004']);
    expect(ds[0].severity).toBe('warning');
    expect(ds[0].message).toMatch(/^categorical_crossentropy expects a softmax output, found activation sigmoid on `dense_\d+`$/);
  });

  it('NN4004: an activation layer at the output is that activation, a softmax layer a softmax along the last axis', () => {
    const warned = (head: string) => checkSource('head.nn', `model Net {
  input image: [28, 28, 1]
  flatten
  dense(10)
${head}
}
dataset fashion = fashion_mnist { validation: 10% }
train Net on fashion { loss: sparse_categorical_crossentropy }
`, { readFile: () => '' }).diagnostics.filter((d) => d.code === 'NN4004').map((d) => d.message.replace(/ on `.*`$/, ''));
    // it said "found activation linear" for each of these
    expect(warned('  softmax')).toEqual([]);
    expect(warned('  softmax(axis: 1)')).toEqual([]);
    expect(warned('  relu')).toEqual(['sparse_categorical_crossentropy expects a softmax output, found activation relu']);
    expect(warned('  reshape([2, 5])\n  softmax(axis: 1)\n  flatten')).toEqual(['sparse_categorical_crossentropy expects a softmax output, found activation softmax over axis 1']);
  });

  // The trainer feeds class indices ([N, 1]); a loss that takes them as they are cannot fit several output units.
  it('NN4053: binary crossentropy over many units cannot fit class indices (softmax or sigmoid)', () => {
    for (const act of ['softmax', 'sigmoid'] as const) {
      const ds = check(mlp(10, act), D.fashion(), { loss: 'binary_crossentropy' });
      expect(codes(ds)).toEqual(['NN4053']);
      expect(ds[0].severity).toBe('error');
      expect(ds[0].message).toBe('binary_crossentropy on 10 output units cannot fit the labels of dataset `fashion`: each sample has one class index, not 10 targets');
    }
  });

  it('binary crossentropy on one sigmoid unit for two classes is fine', () => {
    expect(check(mlp(1, 'sigmoid', [2]), D.images('pets', 'train', [1, 2], 'grayscale'), { loss: 'binary_crossentropy' }, spansFor(), { specDir: '/x', listDir: () => ['cat', 'dog'] })
      .filter((d) => d.code !== 'NN4009')).toEqual([]);
  });
  it('the output activation is found through a trailing dropout', () => {
    const m = model('net', [784], [L.dense(10, 'softmax'), L.dropout(0.1)]);
    expect(check(m, D.fashion())).toEqual([]);
  });

  it('NN4053: mean squared error over 10 units compares each unit with the class index (nothing one-hot encodes it)', () => {
    expect(codes(check(mlp(10, 'sigmoid'), D.fashion(), { loss: 'mean_squared_error' }))).toEqual(['NN4053']);
    expect(codes(check(mlp(10, 'sigmoid'), D.fashion(), { loss: 'hinge' }))).toEqual(['NN4053']);
  });

  it('NN4054: a regression loss on one unit predicts class numbers (a warning)', () => {
    const ds = check(mlp(1, 'linear'), D.fashion(), { loss: 'mean_absolute_error' });
    expect(codes(ds)).toContain('NN4054');
    expect(ds.find((d) => d.code === 'NN4054')!.severity).toBe('warning');
  });
});

describe('regression datasets', () => {
  const reg = () => D.csv('houses', 'regression', ['rooms', 'area']);
  it('a linear single unit is fine', () => {
    expect(check(mlp(1, 'linear', [2]), reg(), { loss: 'mean_squared_error', metrics: ['mae', 'r2'] })).toEqual([]);
  });
  it('NN4007, NN4013, NN4006, NN4010, NN4012 together', () => {
    const ds = check(mlp(3, 'softmax', [2]), reg(), { loss: 'categorical_crossentropy', metrics: ['accuracy'], class_weights: { '0': 2 } });
    expect(codes(ds).sort()).toEqual(['NN4006', 'NN4007', 'NN4010', 'NN4012', 'NN4013']);
    expect(ds.find((d) => d.code === 'NN4013')!.message).toBe('expected 1 output unit for the regression target `y` of dataset `houses`, found 3');
    expect(ds.find((d) => d.code === 'NN4010')!.message).toBe('metric accuracy does not apply to regression');
  });
  it('NN4010: r2 on classification', () => {
    expect(codes(check(mlp(10), D.fashion(), { metrics: ['accuracy', 'r2'] }))).toEqual(['NN4010']);
  });
});

describe('model input vs dataset samples', () => {
  it('fashion_mnist accepts any shape of 784 elements', () => {
    for (const shape of [[28, 28], [784], [28, 28, 1]]) {
      const m = model('net', shape, [...(shape.length > 1 ? [L.flatten()] : []), L.dense(10, 'softmax')]);
      expect(check(m, D.fashion())).toEqual([]);
    }
  });

  it('NN4008: wrong element count, with the arithmetic', () => {
    const ds = check(mlp(10, 'softmax', [32, 32]), D.fashion(), {}, spansFor('/models/0/input'));
    expect(codes(ds)).toEqual(['NN4008']);
    expect(ds[0].message).toBe('expected a model input of 784 elements for the `[28, 28]` samples of dataset `fashion`, found `[32, 32]` (1024 elements)');
    expect(ds[0].notes).toEqual(['28 * 28 = 784', '32 * 32 = 1024']);
    expect(ds[0].span?.line).toBe(1);
  });

  it('NN4009: image_folder wants [h, w, channels]', () => {
    const m = model('net', [64, 64, 3], [L.flatten(), L.dense(2, 'softmax')]);
    const ds = check(m, D.images('pets', 'train', [64, 64], 'grayscale'), {}, spansFor(), { specDir: '/x', listDir: () => ['cat', 'dog'] });
    expect(codes(ds)).toEqual(['NN4009']);
    expect(ds[0].message).toBe('expected model input [64, 64, 1] for the images of dataset `pets`, found `[64, 64, 3]`');
  });

  it('NN4014: csv feature count', () => {
    const ds = check(mlp(3, 'softmax', [5], ['a', 'b', 'c']), D.csv('iris', 'classification', ['a', 'b', 'c', 'd']));
    expect(codes(ds)).toEqual(['NN4014']);
  });

  it('NN4015: int32 input on image data', () => {
    const m = model('net', [784], [L.dense(10, 'softmax')], { dtype: 'int32' });
    expect(codes(check(m, D.fashion()))).toEqual(['NN4015']);
  });

  it('idx headers give the sample shape, gzipped or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nnc-idx-'));
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 12, 0, 0, 0, 7]);
    const file = Buffer.concat([header, Buffer.alloc(5 * 12 * 7)]);
    writeFileSync(join(dir, 'raw-idx3-ubyte'), file);
    writeFileSync(join(dir, 'gz-idx3-ubyte.gz'), gzipSync(file));
    const read = (p: string, n: number) => readFileSync(p).subarray(0, n);
    expect(idxSampleShape(join(dir, 'raw-idx3-ubyte'), read)).toEqual([12, 7]);
    expect(idxSampleShape(join(dir, 'gz-idx3-ubyte.gz'), read)).toEqual([12, 7]);
  });
});

describe('class weights and references', () => {
  it('NN4011: an unknown class name, with a suggestion', () => {
    const spans = spansFor('/trainings/0/class_weights/Trowser');
    const ds = check(mlp(10), D.fashion(), { class_weights: { Trowser: 2, Sandal: 1, '9': 3 } }, spans);
    expect(codes(ds)).toEqual(['NN4011']);
    expect(ds[0].message).toBe('unknown class `Trowser` in class_weights');
    expect(ds[0].help).toBe('did you mean `Trouser`?');
    expect(ds[0].span?.line).toBe(1001); // the key, not the value
  });

  it('NN4011: an index out of range', () => {
    expect(codes(check(mlp(10), D.fashion(), { class_weights: { '10': 1 } }))).toEqual(['NN4011']);
  });

  it('NN2008: a training naming a model that does not exist', () => {
    const s = spec([mlp(10)], [D.fashion()], [training('nte', 'fashion')]);
    const ds = checkContracts(s, spansFor(), [inferModel(s, 0, spansFor()).info], { specDir: '.' });
    expect(codes(ds)).toEqual(['NN2008']);
    expect(ds[0].message).toBe('model `nte` is not defined');
    expect(ds[0].help).toBe('did you mean `net`?');
  });
});
