import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MetricsError,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  formatRegressionReport,
  regressionReport,
} from '../../src/codegen/runtime/metrics.js';

const close = (actual: number | null, expected: number) => {
  expect(actual).not.toBeNull();
  expect(actual as number).toBeCloseTo(expected, 10);
};

describe('confusionMatrix', () => {
  it('counts rows by expected and columns by predicted', () => {
    // pairs (e,p): (0,1) (0,1) (1,0) (2,2)
    expect(confusionMatrix([0, 0, 1, 2], [1, 1, 0, 2], 3)).toEqual([
      [0, 2, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
  });

  it('rejects mismatched, empty and out-of-range input with a MetricsError naming the sample', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 expected values but 1 predictions/);
    expect(() => confusionMatrix([], [], 2)).toThrow(MetricsError);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/expected label at sample 1 is 3/);
    expect(() => confusionMatrix([0, 1], [0, 0.5], 3)).toThrow(/predicted label at sample 1 is 0.5/);
    expect(() => confusionMatrix([0], [0], 0)).toThrow(MetricsError);
  });
});

describe('classificationReport', () => {
  it('matches a hand-worked 3-class case', () => {
    // expected [cat cat dog dog bird bird bird], predicted [cat dog dog dog bird cat cat]
    // confusion (rows expected): cat [1 1 0], dog [0 2 0], bird [2 0 1]
    // cat:  TP 1, predicted 3, support 2 -> P 1/3, R 1/2, F1 2*1/(2+2+1) = 0.4
    // dog:  TP 2, predicted 3, support 2 -> P 2/3, R 1,   F1 4/(4+1+0)   = 0.8
    // bird: TP 1, predicted 1, support 3 -> P 1,   R 1/3, F1 2/(2+0+2)   = 0.5
    // accuracy 4/7; macro P 2/3, R 11/18, F1 1.7/3
    // weighted P (2/3 + 4/3 + 3)/7 = 5/7, R (1 + 2 + 1)/7 = 4/7, F1 (0.8 + 1.6 + 1.5)/7 = 3.9/7
    const r = classificationReport([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 0], ['cat', 'dog', 'bird']);
    expect(r.task).toBe('classification');
    expect(r.confusion).toEqual([[1, 1, 0], [0, 2, 0], [2, 0, 1]]);
    close(r.accuracy, 4 / 7);
    const [cat, dog, bird] = r.perClass;
    expect([cat.label, dog.label, bird.label]).toEqual(['cat', 'dog', 'bird']);
    expect([cat.support, dog.support, bird.support]).toEqual([2, 2, 3]);
    close(cat.precision, 1 / 3); close(cat.recall, 1 / 2); close(cat.f1, 0.4);
    close(dog.precision, 2 / 3); close(dog.recall, 1); close(dog.f1, 0.8);
    close(bird.precision, 1); close(bird.recall, 1 / 3); close(bird.f1, 0.5);
    close(r.macro.precision, 2 / 3); close(r.macro.recall, 11 / 18); close(r.macro.f1, 1.7 / 3);
    close(r.weighted.precision, 5 / 7); close(r.weighted.recall, 4 / 7); close(r.weighted.f1, 3.9 / 7);
    expect(r.binary).toBeUndefined();
  });

  it('gives precision n/a (null, never NaN) for a class that is never predicted, and leaves it out of averages', () => {
    // expected [a a b c], predicted [b b b c]
    // a: never predicted -> P null; R 0/2 = 0; F1 2*0/(0+0+2) = 0
    // b: TP 1, predicted 3, support 1 -> P 1/3, R 1, F1 2/(2+2+0) = 0.5
    // c: P 1, R 1, F1 1
    // macro P over defined classes (b, c): (1/3 + 1)/2 = 2/3 (sklearn zero_division=nan; zero_division=0 gives 4/9)
    // weighted P: b and c have support 1 each -> 2/3; weighted R = accuracy = 2/4
    const r = classificationReport([0, 0, 1, 2], [1, 1, 1, 2], ['a', 'b', 'c']);
    const [a, b, c] = r.perClass;
    expect(a.precision).toBeNull();
    expect(a.recall).toBe(0);
    expect(a.f1).toBe(0);
    close(b.precision, 1 / 3); close(b.f1, 0.5);
    expect([c.precision, c.recall, c.f1]).toEqual([1, 1, 1]);
    close(r.macro.precision, 2 / 3);
    close(r.macro.recall, (0 + 1 + 1) / 3);
    close(r.macro.f1, 1.5 / 3);
    close(r.weighted.precision, 2 / 3);
    close(r.weighted.recall, 0.5);
    expect(JSON.stringify(r)).not.toMatch(/NaN/);
    expect(formatClassificationReport(r)).toMatch(/^\s*a\s+n\/a\s+0\.00\s+0\.00\s+2$/m);
  });

  it('leaves every metric of a class absent from both labels and predictions null', () => {
    // expected [a b a b], predicted [a b b b]; c appears nowhere
    // a: P 1/1, R 1/2, F1 2/(2+0+1) = 2/3;  b: P 2/3, R 1, F1 4/(4+1+0) = 0.8
    const r = classificationReport([0, 1, 0, 1], [0, 1, 1, 1], ['a', 'b', 'c']);
    const c = r.perClass[2];
    expect(c).toEqual({ label: 'c', precision: null, recall: null, f1: null, support: 0 });
    close(r.macro.precision, (1 + 2 / 3) / 2);
    close(r.macro.recall, (0.5 + 1) / 2);
    close(r.macro.f1, (2 / 3 + 0.8) / 2);
    expect(formatClassificationReport(r)).toMatch(/^\s*c\s+n\/a\s+n\/a\s+n\/a\s+0$/m);
  });

  it('scores perfect predictions 1 everywhere and all-wrong predictions 0', () => {
    const perfect = classificationReport([0, 1, 2, 1], [0, 1, 2, 1], ['x', 'y', 'z']);
    expect(perfect.accuracy).toBe(1);
    for (const c of perfect.perClass) expect([c.precision, c.recall, c.f1]).toEqual([1, 1, 1]);
    expect(perfect.macro).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(perfect.confusion).toEqual([[1, 0, 0], [0, 2, 0], [0, 0, 1]]);

    const wrong = classificationReport([0, 1, 0, 1], [1, 0, 1, 0], ['x', 'y']);
    expect(wrong.accuracy).toBe(0);
    for (const c of wrong.perClass) expect([c.precision, c.recall, c.f1]).toEqual([0, 0, 0]);
    expect(wrong.weighted).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('reports the positive class (index 1) for binary tasks', () => {
    // expected [1 1 1 1 0 0], predicted [1 0 0 0 1 0]: positive TP 1, FP 1, FN 3
    // -> P 1/2, R 1/4, F1 2/(2+1+3) = 1/3 (= 2PR/(P+R) = 0.25/0.75)
    const r = classificationReport([1, 1, 1, 1, 0, 0], [1, 0, 0, 0, 1, 0], ['negative', 'positive']);
    expect(r.binary?.positive).toBe('positive');
    close(r.binary!.precision, 0.5);
    close(r.binary!.recall, 0.25);
    close(r.binary!.f1, 1 / 3);
    expect(formatClassificationReport(r)).toMatch(/binary \(positive = positive\)\s+0\.50\s+0\.25\s+0\.33\s+4/);
  });

  it('gives positive precision 0 and recall n/a when positives are predicted but none exist', () => {
    // expected [0 0], predicted [0 1]: positive TP 0, FP 1, FN 0 -> P 0, R null, F1 0/(0+1+0) = 0
    const r = classificationReport([0, 0], [0, 1], ['no', 'yes']);
    expect(r.binary).toEqual({ positive: 'yes', precision: 0, recall: null, f1: 0 });
    // weighted: class "yes" has support 0, so only "no" counts: P 1, R 1/2
    close(r.weighted.precision, 1);
    close(r.weighted.recall, 0.5);
  });

  it('keeps general identities on random inputs', () => {
    const labelled = fc.integer({ min: 1, max: 5 }).chain((k) =>
      fc.array(fc.tuple(fc.integer({ min: 0, max: k - 1 }), fc.integer({ min: 0, max: k - 1 })), { minLength: 1, maxLength: 60 })
        .map((pairs) => ({ k, pairs })));
    fc.assert(fc.property(labelled, ({ k, pairs }) => {
      const expected = pairs.map((p) => p[0]);
      const predicted = pairs.map((p) => p[1]);
      const r = classificationReport(expected, predicted, Array.from({ length: k }, (_, i) => `c${i}`));
      const correct = pairs.filter(([e, p]) => e === p).length;
      expect(r.accuracy).toBeCloseTo(correct / pairs.length, 12);
      // recall weighted by support is the accuracy
      expect(r.weighted.recall!).toBeCloseTo(r.accuracy, 12);
      expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(pairs.length);
      for (const c of r.perClass) {
        expect(c.support).toBe(expected.filter((e) => `c${e}` === c.label).length);
        for (const v of [c.precision, c.recall, c.f1]) if (v !== null) expect(v >= 0 && v <= 1).toBe(true);
        // F1 is the harmonic mean wherever both precision and recall are defined
        if (c.precision !== null && c.recall !== null) {
          const harmonic = c.precision + c.recall === 0 ? 0 : (2 * c.precision * c.recall) / (c.precision + c.recall);
          expect(c.f1!).toBeCloseTo(harmonic, 12);
        }
      }
    }), { numRuns: 200 });
  });

  it('rejects an empty class list', () => {
    expect(() => classificationReport([0], [0], [])).toThrow(MetricsError);
  });
});

describe('regressionReport', () => {
  it('computes MSE, MAE and R² by hand', () => {
    // expected mean 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5
    // off by one on the last sample: SS_res 1 -> mse 0.25, mae 0.25, r2 = 1 - 1/5 = 0.8
    const r = regressionReport([1, 2, 3, 4], [1, 2, 3, 5]);
    expect(r).toEqual({ task: 'regression', mse: 0.25, mae: 0.25, r2: expect.closeTo(0.8, 12), count: 4 });
    // all off by +1: SS_res 4 -> mse 1, r2 = 1 - 4/5 = 0.2; errors -2, +2, 0, 0 -> mse 8/4 = 2, mae 4/4 = 1
    close(regressionReport([1, 2, 3, 4], [2, 3, 4, 5]).r2, 0.2);
    expect(regressionReport([0, 0, 1, 1], [-2, 2, 1, 1])).toMatchObject({ mse: 2, mae: 1 });
    // predicting the mean scores 0, worse than the mean scores below 0
    close(regressionReport([1, 2, 3, 4], [2.5, 2.5, 2.5, 2.5]).r2, 0);
    close(regressionReport([1, 2, 3, 4], [4, 3, 2, 1]).r2, 1 - 20 / 5);
  });

  it('gives R² null for a constant target, shown as n/a', () => {
    const r = regressionReport([3, 3, 3], [3, 2, 4]);
    expect(r.r2).toBeNull();
    close(r.mse, 2 / 3);
    expect(formatRegressionReport(r)).toMatch(/r2\s+n\/a/);
    expect(formatRegressionReport(r)).toMatch(/mse\s+0\.6667/);
  });

  it('rejects non-finite values naming the sample', () => {
    expect(() => regressionReport([1, 2], [1, NaN])).toThrow(/prediction at sample 1 is NaN/);
    expect(() => regressionReport([Infinity], [1])).toThrow(MetricsError);
    expect(() => regressionReport([1], [1, 2])).toThrow(MetricsError);
  });
});

describe('formatClassificationReport', () => {
  it('prints per-class rows, averages and the confusion matrix', () => {
    const text = formatClassificationReport(classificationReport([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 0], ['cat', 'dog', 'bird']));
    expect(text).toMatch(/precision\s+recall\s+f1-score\s+support/);
    expect(text).toMatch(/^\s*cat\s+0\.33\s+0\.50\s+0\.40\s+2$/m);
    expect(text).toMatch(/^\s*accuracy\s+0\.57\s+7$/m);
    expect(text).toMatch(/^\s*macro avg\s+0\.67\s+0\.61\s+0\.57\s+7$/m);
    expect(text).toMatch(/^\s*weighted avg\s+0\.71\s+0\.57\s+0\.56\s+7$/m);
    expect(text).toContain('rows = expected, columns = predicted');
    expect(text).toMatch(/^\s*bird\s+2\s+0\s+1$/m);
  });
});
