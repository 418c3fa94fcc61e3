// The formatter: its layout on examples, every spec and fixture already in it, and properties over perturbed
// layouts of every spec: fmt is idempotent, and check(fmt(x)) finds what check(x) finds in the same normalized spec.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lexer } from '../../grammar/tokens.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { format } from '../../src/format/format.js';
import { check } from '../../src/pipeline.js';

const root = path.resolve(__dirname, '..', '..');
function specFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? specFiles(path.join(dir, e.name)) : e.name.endsWith('.nn') ? [path.join(dir, e.name)] : []);
}
const all = [...specFiles('specs'), ...specFiles('bench/specs'), ...specFiles('test/fixtures')];
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');
const host = { readFile: (f: string) => readFileSync(path.resolve(root, f), 'utf8') };
const formatted = (text: string) => {
  const r = format(text);
  if (!r.ok) throw new Error(`cannot format: ${r.diagnostics[0].message}`);
  return r.text;
};

describe('fmt layout', () => {
  it('spaces, breaks and indents a messy spec, keeping every comment where it was', () => {
    const messy = [
      '', '', '# header', 'import   "common.nn"',
      'model   M{input x:[28,28,1]   conv2d( 32 , kernel : 3 ,activation:relu) max_pool2d(2)   # pool',
      '  flatten', '', '', '', '\tdense(10,activation:softmax,kernel_initializer:uniform( - 0.05,0.05))}',
      'dataset d=fashion_mnist{normalize:scale(1 / 255),validation:10%}',
      'train M on d {', '  loss: sparse_categorical_crossentropy, optimizer: sgd(', '      learning_rate: 0.1,', '    momentum: 0.9)',
      '  metrics: [accuracy,', '     f1]   // trailing', '    # inner comment', '}   ',
    ].join('\n');
    expect(formatted(messy)).toBe([
      '# header', 'import "common.nn"', 'model M {', '  input x: [28, 28, 1]', '  conv2d(32, kernel: 3, activation: relu)',
      '  max_pool2d(2) # pool', '  flatten', '', '  dense(10, activation: softmax, kernel_initializer: uniform(-0.05, 0.05))', '}',
      'dataset d = fashion_mnist { normalize: scale(1/255), validation: 10% }',
      'train M on d {', '  loss: sparse_categorical_crossentropy, optimizer: sgd(', '    learning_rate: 0.1,', '    momentum: 0.9', '  )',
      '  metrics: [accuracy,', '            f1] // trailing', '  # inner comment', '}', '',
    ].join('\n'));
  });

  it('leaves a file with syntax errors alone and says why', () => {
    const r = format('model M {\n  input x: [1]\n  dense(1\n}\n');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostics[0].code).toMatch(/^NN1/);
  });

  it('reports the edits it makes as replacements of the text between tokens', () => {
    const text = 'model M{input x:[4] dense(1)}\n';
    const r = format(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    let rebuilt = text;
    for (const e of [...r.edits].reverse()) rebuilt = rebuilt.slice(0, e.start) + e.text + rebuilt.slice(e.end);
    expect(rebuilt).toBe(r.text);
    for (const e of r.edits) expect(text.slice(e.start, e.end)).toMatch(/^\s*$/);
  });
});

describe('every spec and fixture', () => {
  it.each(all)('%s is formatted (or has syntax errors fmt refuses)', (file) => {
    const text = read(file);
    const r = format(text, file);
    if (r.ok) expect(r.text).toBe(text);
    else expect(r.diagnostics.every((d) => d.code.startsWith('NN1'))).toBe(true);
  });

  it('has syntax errors only in the syntax fixtures', () => {
    const refused = all.filter((f) => !format(read(f), f).ok);
    expect(refused.every((f) => f.startsWith('test/fixtures/check/'))).toBe(true);
    expect(all.length - refused.length).toBeGreaterThan(80);
  });
});

/** Diagnostics without positions: code, severity and text with `line:column` references blanked. */
const modPositions = (ds: Diagnostic[]) => ds.map((d) => {
  const blank = (s: string | undefined) => s?.replace(/\d+:\d+/g, 'L:C').replace(/\bline \d+/g, 'line L');
  return { code: d.code, severity: d.severity, message: blank(d.message), help: blank(d.help), notes: d.notes?.map(blank), suggestions: d.suggestions };
});

/** The spec's layout perturbed: whitespace, blank lines and comments added between tokens, tokens and comments kept. */
function perturbed(text: string) {
  const tokens = lexer.tokenize(text).tokens;
  const filler = fc.constantFrom('', ' ', '   ', '\t', '\n', '\n\n\n', ' \n  ', ' # note\n', '\n// note\n    ');
  return fc.array(fc.tuple(filler, filler), { minLength: tokens.length, maxLength: tokens.length }).map((fills) => {
    let out = '';
    let at = 0;
    tokens.forEach((t, i) => {
      const gap = text.slice(at, t.startOffset);
      const [a, b] = fills[i];
      // Fillers only add to the gap, so words stay apart; each comment filler ends its line.
      out += a + gap + b + t.image;
      at = t.endOffset! + 1;
    });
    return out + text.slice(at) + (fills.length ? '\n' : '');
  });
}

describe('fmt properties', () => {
  const specs = all.filter((f) => format(read(f), f).ok);
  it.each(specs)('%s: fmt is idempotent and keeps the checked spec and its diagnostics', (file) => {
    const original = read(file);
    fc.assert(fc.property(perturbed(original), (messy) => {
      const once = format(messy, file);
      expect(once.ok).toBe(true);
      if (!once.ok) return;
      expect(formatted(once.text)).toBe(once.text);
      expect(once.text).not.toMatch(/[ \t]+\n|\n\n\n/);
      const before = check(file, messy, host);
      const after = check(file, once.text, host);
      expect(modPositions(after.diagnostics)).toEqual(modPositions(before.diagnostics));
      expect(JSON.stringify(after.spec)).toBe(JSON.stringify(before.spec));
      const comments = (s: string) => s.match(/(#|\/\/)[^\n]*/g)?.map((c) => c.trimEnd()) ?? [];
      expect(comments(once.text)).toEqual(comments(messy));
    }), { numRuns: 8, seed: 16 });
  });
});
