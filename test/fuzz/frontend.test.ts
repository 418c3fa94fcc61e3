// The front end never crashes: random token streams, mutated specs, deep nesting, huge numbers, long lines, NUL
// bytes and invalid UTF-8 all end in diagnostics or success, within a time bound. bench/fuzz.ts runs 10,000+ cases;
// this runs a fixed-seed few hundred plus the hostile inputs that once crashed or hung it.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/pipeline.js';
import { renderText } from '../../src/diagnostics/render.js';
import { formatSummary } from '../../src/shapes/summary.js';
import { MAX_NESTING } from '../../src/syntax/parse.js';
import { MAX_SCHEMA_ERRORS } from '../../src/schema/validate.js';
import { anyInput } from './arbitraries.js';
import { runInput, seedSpecs, describeInput, fuzzHost } from './harness.js';

const seeds = seedSpecs();
const host = fuzzHost('specs');
const layer = (units: string) => `model M {\n  input x: [4]\n  dense(units: ${units})\n}\n`;
const codes = (text: string) => check('specs/t.nn', text, host).diagnostics.map((d) => d.code);

describe('fuzzing the front end', () => {
  it('ends every generated input in diagnostics or success, each within 2 s', () => {
    let cases = 0;
    fc.assert(
      fc.property(anyInput(seeds, { large: false }), (input) => {
        cases++;
        const outcome = runInput(input, host);
        if (outcome.failure) throw new Error(`${outcome.failure}\n  input: ${describeInput(input)}`);
        if (outcome.ms > 2000) throw new Error(`took ${outcome.ms.toFixed(0)} ms: ${describeInput(input)}`);
      }),
      { numRuns: 300, seed: 20240601, endOnFailure: true },
    );
    expect(cases).toBe(300);
  });

  it('handles 1 MB lines (a number, a name, a string, a list, quotes) with short diagnostics', () => {
    // No time assertion (speed belongs in bench/): the test's own timeout below catches a quadratic scan, which
    // on a megabyte line would run for hours.
    const mb = 1 << 20;
    const base = seeds.find((s) => s.file.endsWith('iris_csv.nn'))!;
    const lines = ['1'.repeat(mb), 'a'.repeat(mb), `"${'x'.repeat(mb)}"`, `[${'1, '.repeat(mb / 4)}1]`, '""'.repeat(mb / 2)];
    for (const line of lines) {
      const text = base.text.replace('  dense(8,', `  dense(8,\n${line}\n`);
      const outcome = runInput({ file: base.file, text }, host);
      expect(outcome.failure, describeInput({ file: base.file, text: line })).toBeNull();
      expect(outcome.errors).toBeGreaterThan(0);
      // What the CLI prints stays short: the quoted line is a window, not the whole megabyte.
      expect(outcome.longestRendered).toBeLessThan(2000);
    }
  });
});

describe('deep nesting', () => {
  for (const [open, close] of [['[', ']'], ['{a: ', '}'], ['f(', ')'], ['[{a: f(', ')}]']]) {
    it(`reports 10,000 levels of ${open} as NN1011 instead of overflowing the stack`, () => {
      expect(codes(layer(open.repeat(10_000) + '1' + close.repeat(10_000)))).toEqual(['NN1011']);
      expect(codes(layer(open.repeat(10_000)))).toEqual(['NN1011']);
    });
  }

  it(`accepts ${MAX_NESTING} levels in all and rejects ${MAX_NESTING + 1}`, () => {
    // `model M {` and `dense(` are two of the levels.
    const inner = MAX_NESTING - 2;
    expect(codes(layer('['.repeat(inner) + '1' + ']'.repeat(inner)))).not.toContain('NN1011');
    expect(codes(layer('['.repeat(inner + 1) + '1' + ']'.repeat(inner + 1)))).toEqual(['NN1011']);
  });
});

describe('huge numbers', () => {
  const spec = (input: string, ...layers: string[]) => `model M {\n  input x: ${input}\n${layers.map((l) => `  ${l}\n`).join('')}}\n`;

  it('reports parameter counts past 2^53 - 1 instead of summarizing them', () => {
    const r = check('specs/t.nn', spec('[100000, 100000, 100000]', 'flatten', 'dense(10)'), host);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['NN3013']);
    expect(r.diagnostics[0].message).toContain('parameter count of `dense_1`');
    expect(r.diagnostics[0].message).toContain('about 1.0e16');
    expect(formatSummary(r.shapes[0])).not.toMatch(/e\+|Infinity|NaN/);
  });

  it('reports sizes of 99999999999999999999 and 1e300, and infinite products', () => {
    expect(codes(spec('[4]', 'dense(99999999999999999999)'))).toEqual(['NN3013']);
    const r = check('specs/t.nn', spec('[1e300, 1e300]', 'flatten', 'dense(2)'), host);
    expect(r.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('over 1e308')]);
    for (const info of r.shapes) expect(formatSummary(info)).not.toMatch(/e\+|Infinity|NaN/);
  });

  it('counts a model just under the limit exactly, and refuses it as too large for a float32 array', () => {
    // 67,108,863 x 67,108,864 inputs to one unit: 4.5e15 parameters and 2 FLOPs each, just under 2^53 - 1.
    const r = check('specs/t.nn', spec('[67108863, 67108864]', 'flatten', 'dense(1, use_bias: false)'), host);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['NN3060']);
    expect(errors[0].message).toContain('4,503,599,560,261,632 parameters');
  });

  it('reports 1e400 as an invalid number', () => {
    expect(codes(layer('1e400'))).toEqual(['NN1008']);
  });
});

describe('bytes the CLI may read', () => {
  it('reports NUL bytes and invalid UTF-8 (decoded as readFileSync(f, "utf8") does) as unexpected characters', () => {
    const text = readFileSync('specs/fashion_mlp.nn', 'utf8').replace('flatten', 'flatten\0');
    expect(codes(text)).toEqual(['NN1001']);
    const bytes = Buffer.concat([Buffer.from('model M {\n  input x: [4]\n  '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\n  dense(3)\n}\n')]);
    expect(codes(bytes.toString('utf8'))).toEqual(['NN1001']);
  });

  it('keeps raw tabs in strings and reports unknown escapes (JSON.parse used to throw on both)', () => {
    const labels = (s: string) => `model M {\n  input x: [4]\n  labels: [${s}, "b"]\n  dense(2, activation: softmax)\n}\n`;
    const r = check('specs/t.nn', labels('"a\tb"'), host);
    expect(r.diagnostics).toEqual([]);
    expect(r.spec!.models[0].labels).toEqual(['a\tb', 'b']);
    expect(check('specs/t.nn', labels('"\\u00e9\\n\\\'"'), host).spec!.models[0].labels).toEqual(["é\n'", 'b']);
    for (const bad of ['"\\x"', '"\\u12"', '"a\\']) expect(codes(labels(bad))).toContain('NN1012');
  });

  it('stops after 100 syntax errors with a note', () => {
    const diagnostics = check('specs/t.nn', `model M {\n  input x: [4]\n  dense(8, activation: ${'"" '.repeat(5000)})\n}\n`, host).diagnostics;
    expect(diagnostics.filter((d) => d.code === 'NN1003')).toHaveLength(100);
    expect(diagnostics.filter((d) => d.code === 'NN1010')).toHaveLength(1);
  });

  it('stops after 100 schema errors with a note (262,144 bad list items took 34 s to report one by one)', () => {
    const spec = readFileSync('specs/fashion_mlp.nn', 'utf8').replace(/metrics: \[[^\]]*\]/, `metrics: [${'acuracy, '.repeat(50_000)}]`);
    const diagnostics = check('specs/t.nn', spec, host).diagnostics;
    expect(diagnostics.filter((d) => d.severity === 'error')).toHaveLength(MAX_SCHEMA_ERRORS);
    expect(diagnostics.filter((d) => d.code === 'NN1010')).toEqual([expect.objectContaining({ severity: 'note', message: 'too many errors, stopping after 100' })]);
  });
});

describe('no quadratic blow-ups', () => {
  // Each of these took from 13 s to minutes on a 1 MB input before. No time assertions (speed belongs in bench/):
  // vitest's test timeout (vitest.config.ts) is what catches a blow-up coming back.
  it('checks 20,000 layers with an error each without concatenating the ajv errors', () => {
    const r = check('specs/t.nn', `model M {\n  input x: [4]\n${'  dense\n'.repeat(20_000)}}\n`, host);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(MAX_SCHEMA_ERRORS);
    for (const d of r.diagnostics) renderText(d, { sources: r.sources });
  });

  it('reports one NN2009 for 20,000 extra positional arguments', () => {
    expect(codes(`model M {\n  input x: [4]\n  dense(3, ${'1, '.repeat(20_000)}1)\n}\n`)).toEqual(['NN2009']);
  });

  it('suggests names for a 1 MB misspelt name without comparing it letter by letter', () => {
    expect(codes(`model M {\n  input x: [4]\n  ${'d'.repeat(1 << 20)}\n}\n`)).toContain('NN2001');
  });
});
