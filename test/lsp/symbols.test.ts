// Names for definition, references and rename, in-process on parsed files: models and datasets across an import
// now, and blocks and named tensors where the grammar has the graph syntax (the test runs once it does).
import { describe, expect, it } from 'vitest';
import type { FileNode } from '../../src/syntax/ast.js';
import { parseSource } from '../../src/syntax/parse.js';
import { occurrenceAt, referencesOf, resolve } from '../../src/lsp/symbols.js';

const files = (entries: Record<string, string>) => new Map<string, FileNode>(Object.entries(entries).map(([f, t]) => [f, parseSource(t, f).ast]));
const entries = new Map<string, string>();
const load = (e: Record<string, string>) => {
  for (const [k, v] of Object.entries(e)) entries.set(k, v);
  return files(e);
};
const where = (os: { name: { span: { file: string; line: number; column: number } } }[]) => os.map((o) => `${o.name.span.file}:${o.name.span.line}:${o.name.span.column}`);

describe('symbols', () => {
  it('resolves a dataset used in a train line to its declaration in the imported file, and finds every use', () => {
    const asts = load({
      '/w/lib.nn': 'dataset d = fashion_mnist {}\n',
      '/w/app.nn': 'import "lib.nn"\nmodel M {\n  input x: [4]\n  dense(1)\n}\ntrain M on d { loss: mse }\ntrain M on d as again { loss: mse }\n',
    });
    expect(occurrenceAt(asts.get('/w/app.nn')!, entries.get('/w/app.nn')!.indexOf('on d'))).toBeNull();
    const ref = occurrenceAt(asts.get('/w/app.nn')!, entries.get('/w/app.nn')!.indexOf('on d') + 3)!;
    const decl = resolve(ref, asts)!;
    expect(where([decl])).toEqual(['/w/lib.nn:1:9']);
    expect(where(referencesOf(decl, asts))).toEqual(['/w/lib.nn:1:9', '/w/app.nn:6:12', '/w/app.nn:7:12']);
    const layer = occurrenceAt(asts.get('/w/app.nn')!, entries.get('/w/app.nn')!.indexOf('dense') + 1)!;
    expect(resolve(layer, asts)).toBeNull();
  });

  const graph = parseSource('block b {\n  input x\n  dense(1)\n}\n', '/t.nn').diagnostics.length === 0;
  it.skipIf(!graph)('resolves blocks used as layers, and named tensors within their model or block', () => {
    const text = 'block residual(filters) {\n  input x\n  y = conv2d(filters, 3, padding: same)\n  y = batch_norm\n  sum = add(y, x)\n  activation(relu)\n}\n'
      + 'model Net {\n  input image: [28, 28, 1]\n  x = conv2d(8, 3, padding: same)\n  residual(8) * 2\n  flatten\n  dense(10, activation: softmax)\n}\n';
    const asts = load({ '/g.nn': text });
    const use = occurrenceAt(asts.get('/g.nn')!, text.indexOf('residual(8)') + 1)!;
    const block = resolve(use, asts)!;
    expect(where([block])).toEqual(['/g.nn:1:7']);
    expect(where(referencesOf(block, asts))).toEqual(['/g.nn:1:7', '/g.nn:11:3']);
    // `y` in add(y, x) is the batch_norm's binding, the one just before it; `x` is the block's input, not the model's.
    const y = occurrenceAt(asts.get('/g.nn')!, text.indexOf('add(y') + 4)!;
    expect(where([resolve(y, asts)!])).toEqual(['/g.nn:4:3']);
    expect(where(referencesOf(resolve(y, asts)!, asts))).toEqual(['/g.nn:3:3', '/g.nn:4:3', '/g.nn:5:13']);
    const x = occurrenceAt(asts.get('/g.nn')!, text.indexOf('y, x)') + 3)!;
    expect(where(referencesOf(resolve(x, asts)!, asts))).toEqual(['/g.nn:2:9', '/g.nn:5:16']);
    expect(resolve(occurrenceAt(asts.get('/g.nn')!, text.indexOf('relu') + 1)!, asts)).toBeNull();
  });

  it.skipIf(!graph)('resolves recurrent states named before the `=` and passed by keyword in a call', () => {
    const text = 'model S {\n  input a: [5, 3]\n  input b: [4, 3]\n  _, h, c = lstm(8, return_state: true)(a)\n'
      + '  y = lstm(8)(b, initial_state: [h, c])\n  multi_head_attention(2, 4)(b, a, key: a)\n}\n';
    const asts = load({ '/s.nn': text });
    const c = occurrenceAt(asts.get('/s.nn')!, text.indexOf('h, c]') + 3)!;
    expect(where([resolve(c, asts)!])).toEqual(['/s.nn:4:9']);
    expect(where(referencesOf(resolve(c, asts)!, asts))).toEqual(['/s.nn:4:9', '/s.nn:5:37']);
    const key = occurrenceAt(asts.get('/s.nn')!, text.indexOf('key: a') + 5)!;
    expect(where(referencesOf(resolve(key, asts)!, asts))).toEqual(['/s.nn:2:9', '/s.nn:4:41', '/s.nn:6:33', '/s.nn:6:41']);
  });
});
