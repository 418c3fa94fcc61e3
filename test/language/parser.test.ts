// The parse phase on its own: spans, units, recovery.
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/syntax/parse.js';
import { normalize } from '../../src/normalize/normalize.js';
import type { LayerNode, ModelNode } from '../../src/syntax/ast.js';

const src = `model M {
  input x: [4]
  dense(3, activation: relu)   # a comment
}
`;

describe('parser', () => {
  it('gives every node a 1-based span', () => {
    const { ast, diagnostics } = parseSource(src, 'm.nn');
    expect(diagnostics).toEqual([]);
    const model = ast.items[0] as ModelNode;
    expect(model.name.span).toMatchObject({ file: 'm.nn', line: 1, column: 7, endColumn: 8, offset: 6, endOffset: 7 });
    const layer = model.body[1] as LayerNode;
    expect(layer.type.text).toBe('dense');
    expect(layer.span).toMatchObject({ line: 3, column: 3, endLine: 3, endColumn: 29 });
    expect(layer.args[1].key!.span).toMatchObject({ line: 3, column: 12 });
  });

  it('accepts a trailing comma in lists and argument lists, not an empty item', () => {
    const text = (list: string, args: string) => `model M {\n  input x: [4]\n  labels: ${list}\n  dense(${args})\n}\n`;
    const { ast, diagnostics } = parseSource(text('["a", "b",]', '2, activation: softmax,'), 'm.nn');
    expect(diagnostics).toEqual([]);
    const model = ast.items[0] as ModelNode;
    expect((model.body[2] as LayerNode).args).toHaveLength(2);
    expect(parseSource(text('["a",, "b"]', '2'), 'm.nn').diagnostics[0]).toMatchObject({ code: 'NN1003', span: { line: 3, column: 16 } });
    expect(parseSource(text('["a"]', '2,,'), 'm.nn').diagnostics[0]).toMatchObject({ code: 'NN1003', span: { line: 4, column: 11 } });
  });

  it('resolves units: percent, fractions, negatives', () => {
    const { ast } = parseSource('dataset d = fashion_mnist { validation: 12.5%, normalize: scale(1/255), limit: -3 }', 'd.nn');
    const { raw, spans } = normalize(ast);
    expect(raw.datasets[0].validation).toBe(0.125);
    expect(raw.datasets[0].normalize).toEqual({ type: 'scale', factor: 1 / 255 });
    expect(raw.datasets[0].limit).toBe(-3);
    expect(spans.valueAt('/datasets/0/normalize/factor')).toMatchObject({ line: 1, column: 65 });
  });

  it('recovers after an error and reports the next one', () => {
    const { diagnostics } = parseSource('model A {\n  input x: [4]\n  dense(3,\n}\nmodel B { input y: [2] dense(1) ) }\n', 'r.nn');
    expect(diagnostics.map((d) => [d.code, d.span!.line])).toEqual([
      ['NN1003', 4],
      ['NN1003', 5],
    ]);
  });

  it('keeps string escapes and unicode exact', () => {
    const { ast } = parseSource('model M { input x: [1]\n labels: ["a\\"b", "\u2028\u00e9", "${x}"] dense(3) }', 'u.nn');
    const { raw } = normalize(ast);
    expect(raw.models[0].labels).toEqual(['a"b', '\u2028\u00e9', '${x}']);
  });
});
