// The VS Code extension's TextMate grammar, run by VS Code's own tokenizer (vscode-textmate on vscode-oniguruma):
// snapshots of every spec's scopes (UPDATE_GOLDEN=1 rewrites them), and the scopes that matter checked by hand.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';
import { expectGolden } from '../golden.js';

const root = path.resolve(__dirname, '..', '..');
const grammarFile = path.join(root, 'editors', 'vscode', 'syntaxes', 'nn.tmLanguage.json');
const snapshots = path.join(root, 'test', 'fixtures', 'textmate');
let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => (scope === 'source.nn' ? vsctm.parseRawGrammar(readFileSync(grammarFile, 'utf8'), grammarFile) : null),
  });
  grammar = (await registry.loadGrammar('source.nn'))!;
});

/** Tokens of each line: text and scopes (without the root `source.nn`). */
function tokenize(text: string): { line: string; tokens: { text: string; start: number; scopes: string[] }[] }[] {
  let state = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return {
      line,
      tokens: r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, scopes: t.scopes.slice(1) })),
    };
  });
}

/** vscode-tmgrammar-snap's layout: the line after `>`, then carets under each token with its scopes. */
function snapshot(text: string): string {
  const out: string[] = [];
  for (const { line, tokens } of tokenize(text)) {
    out.push('>' + line);
    for (const t of tokens) {
      if (t.text.trim() === '') continue;
      out.push('#' + ' '.repeat(t.start) + '^'.repeat(t.text.length) + ' ' + (t.scopes.join(' ') || 'source.nn'));
    }
  }
  return out.join('\n') + '\n';
}

const scopeOf = (text: string, word: string, nth = 0) => {
  const hits = tokenize(text).flatMap((l) => l.tokens).filter((t) => t.text.trim() === word);
  return hits[nth]?.scopes.join(' ') ?? `no token ${word}`;
};

const specs = readdirSync(path.join(root, 'specs')).filter((f) => f.endsWith('.nn')).sort();

describe('TextMate grammar', () => {
  it.each(specs)('specs/%s matches its scope snapshot', (name) => {
    expectGolden(path.join(snapshots, name.replace(/\.nn$/, '.snap')), snapshot(readFileSync(path.join(root, 'specs', name), 'utf8')));
  });

  it('gives keywords, names, layers, arguments, values, numbers, strings and comments their scopes', () => {
    const text = [
      '# a comment', 'import "common.nn" // another',
      'model Net {', '  input ids: [100] as int32', '  embedding(1000, 16)', '  flatten', '  dropout(rate: 10%)',
      '  dense(1, activation: sigmoid, kernel_initializer: uniform(-0.05, 0.05), use_bias: false)', '}',
      'dataset d = csv("a\\"b.csv") { label: "y", normalize: scale(1/255) }', 'train Net on d as run1 { loss: binary_crossentropy }',
    ].join('\n');
    expect(scopeOf(text, '# a comment')).toBe('comment.line.number-sign.nn');
    expect(scopeOf(text, '// another')).toBe('comment.line.double-slash.nn');
    expect(scopeOf(text, 'import')).toBe('keyword.control.import.nn');
    expect(scopeOf(text, 'model')).toBe('keyword.declaration.model.nn');
    expect(scopeOf(text, 'Net')).toBe('entity.name.type.model.nn');
    expect(scopeOf(text, 'input')).toBe('keyword.other.input.nn');
    expect(scopeOf(text, 'ids')).toBe('variable.other.tensor.nn');
    expect(scopeOf(text, 'int32')).toBe('support.type.dtype.nn');
    expect(scopeOf(text, 'embedding')).toBe('support.function.layer.nn');
    expect(scopeOf(text, 'flatten')).toBe('support.function.layer.nn');
    expect(scopeOf('model M {\n  conv2d_transpose(8, 3)\n}', 'conv2d_transpose')).toBe('support.function.layer.nn');
    expect(scopeOf(text, 'activation')).toBe('variable.parameter.nn');
    expect(scopeOf(text, 'sigmoid')).toBe('constant.other.value.nn');
    expect(scopeOf(text, 'uniform')).toBe('entity.name.function.nn');
    expect(scopeOf(text, '10%')).toBe('constant.numeric.nn');
    expect(scopeOf(text, '0.05')).toBe('constant.numeric.nn');
    expect(scopeOf(text, 'false')).toBe('constant.language.nn');
    expect(scopeOf(text, '\\"')).toBe('string.quoted.double.nn constant.character.escape.nn');
    expect(scopeOf(text, 'csv')).toBe('support.class.dataset-source.nn');
    expect(scopeOf(text, 'run1')).toBe('entity.name.function.training.nn');
    expect(scopeOf(text, 'on')).toBe('keyword.other.on.nn');
  });

  it('scopes the graph syntax: blocks, named tensors and repeats', () => {
    const text = 'block residual(filters) {\n  input x\n  y = conv2d(filters, kernel: 3)(x) * 2\n}';
    expect(scopeOf(text, 'block')).toBe('keyword.declaration.block.nn');
    expect(scopeOf(text, 'residual')).toBe('entity.name.function.block.nn');
    expect(scopeOf(text, 'y')).toBe('variable.other.tensor.nn');
    expect(scopeOf(text, 'x')).toBe('variable.other.tensor.nn');
    expect(scopeOf(text, 'conv2d')).toBe('support.function.layer.nn');
    expect(scopeOf(text, '*')).toBe('keyword.operator.nn');
  });

  it('ends an unterminated string at the end of its line', () => {
    const lines = tokenize('dataset d = csv("open\n  dense(1)');
    expect(lines[1].tokens.find((t) => t.text === 'dense')?.scopes).toEqual(['support.function.layer.nn']);
  });
});
