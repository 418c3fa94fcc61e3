// The contract of trainings with several inputs or outputs (src/shapes/contracts-multi.ts) and the one reading of
// per-output tables shared by checker and trainer (src/codegen/runtime/outputs.ts).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { check } from '../../src/pipeline.js';
import { isMultiIo, outputTrainings } from '../../src/codegen/runtime/outputs.js';
import type { TrainSpec } from '../../src/spec/types.js';

const host = { readFile: (f: string) => readFileSync(f, 'utf8') };
const HEADS = `model Heads {
  input part: [5]
  trunk = dense(16, activation: relu)
  grade = dense(3, activation: softmax)
  price = dense(PRICE_UNITS)(trunk)
  outputs: [grade, price]
}
dataset parts = csv("specs/data/parts.csv") {
  labels: { grade: "grade", price: "price" }
  task: TASK
}
`;
function diagnose(train: string, o: { units?: number; task?: string } = {}) {
  const text = HEADS.replace('PRICE_UNITS', String(o.units ?? 1)).replace('TASK', o.task ?? '{ price: regression }') + train;
  return check('x.nn', text, host, { specDir: '.' }).diagnostics;
}
const summary = (ds: ReturnType<typeof diagnose>) => ds.map((d) => `${d.code} ${d.span?.line}:${d.span?.column}`);

describe('per-output training tables', () => {
  it('a loss, weight and metrics per output, by name, check clean', () => {
    expect(diagnose('train Heads on parts { loss: { grade: sparse_categorical_crossentropy, price: mse }, loss_weights: { price: 0.5 }, metrics: { grade: [accuracy], price: [mae] } }')).toEqual([]);
  });

  it('one loss applies to every output, so it must fit each output\'s task (NN4007 names the output)', () => {
    const [e, ...rest] = diagnose('train Heads on parts { loss: sparse_categorical_crossentropy }');
    expect(rest).toEqual([]);
    expect(e.code).toBe('NN4007');
    expect(e.notes).toEqual(['output `price` of model `Heads` is a regression output in training `Heads`']);
  });

  it('NN2050: a name in loss that is no output, located at the key, with did-you-mean and the outputs listed', () => {
    const ds = diagnose('train Heads on parts {\n  loss: { grade: sparse_categorical_crossentropy, prices: mse }\n}');
    expect(summary(ds)).toEqual(['NN4060 13:9', 'NN2050 13:51']);
    expect(ds[1].message).toBe('`prices` in `loss` of training `Heads` is not an output of model `Heads`');
    expect(ds[1].help).toBe('did you mean `price`?');
    expect(ds[1].notes).toEqual(['model `Heads` has outputs `grade`, `price`']);
    expect(ds[0].message).toBe('training `Heads` gives no loss for output `price` of model `Heads`');
  });

  it('NN4013 per output: a regression output with 3 units, at its `units`', () => {
    const ds = diagnose('train Heads on parts { loss: { grade: sparse_categorical_crossentropy, price: mse } }', { units: 3 });
    expect(summary(ds)).toEqual(['NN4013 5:17']);
    expect(ds[0].message).toContain('regression target `price`');
  });

  it('NN2050 in the dataset\'s task table; a task for every output as one word', () => {
    expect(summary(diagnose('train Heads on parts { loss: { grade: sparse_categorical_crossentropy, price: mse } }', { task: '{ prize: regression }' })))
      .toEqual(expect.arrayContaining(['NN2050 10:11']));
    // `task: regression` makes grade a regression output too: its classification loss is refused
    // (and its 3 units: one regression target takes one unit); the default metrics list is not checked
    expect(summary(diagnose('train Heads on parts { loss: { grade: sparse_categorical_crossentropy, price: mse } }', { task: 'regression' })))
      .toEqual(['NN4013 4:17', 'NN4007 12:39']);
  });

  it('an unknown loss inside a table is an unknown loss (NN2005 with did-you-mean)', () => {
    const [d] = diagnose('train Heads on parts { loss: { grade: sparse_categorical_crossentropy, price: mean_sqared_error } }');
    expect(d.code).toBe('NN2005');
    expect(d.message).toBe('unknown loss `mean_sqared_error`');
    expect(d.help).toBe('did you mean `mean_squared_error`?');
  });
});

describe('outputTrainings: what each output is trained with', () => {
  const t = (o: Partial<TrainSpec>) => ({ loss: 'mean_squared_error', metrics: ['accuracy'], ...o }) as TrainSpec;
  const outputs = [{ name: 'grade', task: 'classification' as const }, { name: 'price', task: 'regression' as const }];

  it('one loss for all, weight 1 by default, a metrics list split by task', () => {
    expect(outputTrainings(t({ loss: 'huber', metrics: ['accuracy', 'mae', 'f1'], loss_weights: { price: 0.2 } }), outputs)).toEqual([
      { name: 'grade', loss: 'huber', weight: 1, metrics: ['accuracy', 'f1'] },
      { name: 'price', loss: 'huber', weight: 0.2, metrics: ['mae'] },
    ]);
  });

  it('tables by output name; an output missing from the metrics table gets none', () => {
    expect(outputTrainings(t({ loss: { grade: 'hinge', price: 'mean_absolute_error' }, metrics: { grade: ['precision'] } }), outputs)).toEqual([
      { name: 'grade', loss: 'hinge', weight: 1, metrics: ['precision'] },
      { name: 'price', loss: 'mean_absolute_error', weight: 1, metrics: [] },
    ]);
  });

  it('a single output keeps its metrics list as written', () => {
    expect(outputTrainings(t({ metrics: ['accuracy', 'r2'] }), [outputs[0]])[0].metrics).toEqual(['accuracy', 'r2']);
  });

  it('isMultiIo: several inputs or outputs, columns per name, or a per-output table', () => {
    const plain = t({});
    const csv = { source: 'csv' };
    expect(isMultiIo(1, 1, csv, plain)).toBe(false);
    expect(isMultiIo(2, 1, csv, plain)).toBe(true);
    expect(isMultiIo(1, 2, null, plain)).toBe(true);
    expect(isMultiIo(1, 1, { source: 'csv', labels: { y: 'y' } }, plain)).toBe(true);
    expect(isMultiIo(1, 1, csv, t({ loss: { y: 'huber' } }))).toBe(true);
    expect(isMultiIo(1, 1, csv, t({ loss_weights: { y: 2 } }))).toBe(true);
  });
});
