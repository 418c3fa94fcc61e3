// `nnc lsp` as an editor meets it: a child process spoken to over stdio. The diagnostics must be those of
// `nnc check --format json` on the same text (code, message, help, range), through edits and across an import.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionRequest, CompletionRequest, DefinitionRequest, DocumentFormattingRequest, DocumentSymbolRequest, FoldingRangeRequest,
  HoverRequest, InlayHintRequest, ReferencesRequest, RenameRequest, SignatureHelpRequest, type CompletionItem, type Diagnostic,
  type TextEdit, type Position,
} from 'vscode-languageserver-protocol/node';
import { format } from '../../src/format/format.js';
import { root, startClient, uriOf, type Client } from './client.js';

const common = `# Shared by main.nn.
dataset fashion = fashion_mnist { normalize: scale(1/255), validation: 10% }

model Shared {
  input image: [28, 28, 1]
  conv2d(8, kernel: 3, activation: relu)
  flatten
  dense(10, activation: softmax)
}
`;
const main = `import "common.nn"

model Small {
  input image: [28, 28, 1]
  conv2d(32, kernel: 3, activation: relu)
  max_pool2d(2)
  flatten
  dense(10, activation: softmax)
}

train Small on fashion { loss: sparse_categorical_crossentropy }
train Shared on fashion as shared_run { loss: sparse_categorical_crossentropy }
`;

let dir: string;
let client: Client;
let mainFile: string;
let commonFile: string;

/** What `nnc check --format json` says about `text` saved as `file`. */
function cliDiagnostics(file: string, text: string) {
  writeFileSync(file, text);
  const r = spawnSync(path.join(root, 'bin', 'nnc'), ['check', '--format', 'json', file], { encoding: 'utf8' });
  return JSON.parse(r.stdout) as { code: string; message: string; help: string | null; notes: string[]; file: string; range: { start: { line: number; column: number }; end: { line: number; column: number } } }[];
}

/** LSP's view of CLI diagnostics, for comparison: 0-based positions, message with notes and help. */
function expected(cli: ReturnType<typeof cliDiagnostics>, file: string) {
  return cli.filter((d) => d.file === file).map((d) => ({
    code: d.code,
    message: [d.message, ...d.notes.map((n) => `note: ${n}`), ...(d.help ? [`help: ${d.help}`] : [])].join('\n'),
    range: { start: { line: d.range.start.line - 1, character: d.range.start.column - 1 }, end: { line: d.range.end.line - 1, character: d.range.end.column - 1 } },
  }));
}
const seen = (ds: Diagnostic[]) => ds.map((d) => ({ code: d.code, message: d.message, range: d.range }));

/** Position of the `nth` occurrence of `needle` in `text`, plus `shift` characters. */
function pos(text: string, needle: string, shift = 0, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, at + shift);
  return { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nnc-lsp-'));
  mainFile = path.join(dir, 'main.nn');
  commonFile = path.join(dir, 'common.nn');
  writeFileSync(commonFile, common);
  writeFileSync(mainFile, main);
  client = await startClient();
  client.open(mainFile, main);
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

describe('nnc lsp over stdio', () => {
  it('publishes the clean check of a spec with an import, then the same errors as nnc check through an edit and back', async () => {
    const clean = await client.diagnostics(uriOf(mainFile));
    expect(seen(clean.diagnostics)).toEqual(expected(cliDiagnostics(mainFile, main), mainFile));
    expect(clean.diagnostics).toEqual([]);

    const broken = main.replace('kernel: 3', 'kernel: 30').replace('activation: softmax', 'actvation: softmax');
    client.change(mainFile, broken);
    const errors = await client.diagnostics(uriOf(mainFile), (p) => p.diagnostics.length > 0);
    const cli = expected(cliDiagnostics(path.join(dir, 'broken.nn'), broken), path.join(dir, 'broken.nn'));
    expect(seen(errors.diagnostics)).toEqual(cli);
    expect(errors.diagnostics.map((d) => d.code)).toContain('NN2002');
    const typo = errors.diagnostics.find((d) => d.code === 'NN2002')!;
    expect(typo.range).toEqual({ start: pos(broken, 'actvation'), end: pos(broken, 'actvation', 'actvation'.length) });
    expect(typo.message).toContain('help: did you mean `activation`?');

    const actions = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: uriOf(mainFile) }, range: typo.range, context: { diagnostics: [typo] },
    });
    const change = actions?.find((a) => 'title' in a && a.title === 'change to `activation`');
    expect(change && 'edit' in change && change.edit?.changes?.[uriOf(mainFile)]).toEqual([{ range: typo.range, newText: 'activation' }]);

    client.change(mainFile, broken.replace('kernel: 30', 'kernel: 3'));
    const shape = await client.diagnostics(uriOf(mainFile), (p) => p.diagnostics.length === 1);
    expect(shape.diagnostics[0].code).toBe('NN2002');

    client.change(mainFile, main);
    expect((await client.diagnostics(uriOf(mainFile), (p) => p.diagnostics.length === 0)).diagnostics).toEqual([]);
  });

  it('reports a shape error with the arithmetic notes of nnc check', async () => {
    const broken = main.replace('kernel: 3', 'kernel: 30');
    client.change(mainFile, broken);
    const p = await client.diagnostics(uriOf(mainFile), (q) => q.diagnostics.length > 0);
    expect(p.diagnostics.map((d) => d.code)).toEqual(['NN3002']);
    expect(p.diagnostics[0].message).toContain('note: height: floor((28 - 30) / 1) + 1 = -1');
    expect(p.diagnostics[0].range.start).toEqual(pos(broken, '30'));
    client.change(mainFile, main);
    await client.diagnostics(uriOf(mainFile), (q) => q.diagnostics.length === 0);
  });

  it('shows each layer output shape as an inlay hint at the end of its line', async () => {
    const hints = await client.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri: uriOf(mainFile) }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
    });
    expect(hints?.map((h) => [h.position, h.label])).toEqual([
      [pos(main, 'conv2d(32, kernel: 3, activation: relu)', 'conv2d(32, kernel: 3, activation: relu)'.length), '-> [26, 26, 32]'],
      [pos(main, 'max_pool2d(2)', 'max_pool2d(2)'.length), '-> [13, 13, 32]'],
      [pos(main, 'flatten', 'flatten'.length), '-> [5408]'],
      [pos(main, 'dense(10, activation: softmax)', 'dense(10, activation: softmax)'.length), '-> [10]'],
    ]);
  });

  it('hovers a layer with its shape, parameters, FLOPs and the arithmetic behind them', async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, 'conv2d(32', 2) });
    const text = (hover?.contents as { value: string }).value;
    expect(text).toContain('`[28, 28, 1]` -> `[26, 26, 32]`');
    expect(text).toContain('params: 320 (trainable 320, non-trainable 0)');
    expect(text).toContain('height: floor((28 - 3) / 1) + 1 = 26');
    expect(text).toContain('params: 3 * 3 * 1 * 32 + 32 = 320');
    expect(text).toMatch(/FLOPs: [\d.]+ [KM]FLOPs per sample/);
    const pool = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, 'max_pool2d') });
    expect((pool?.contents as { value: string }).value).toContain('height: floor((26 - 2) / 2) + 1 = 13');
  });

  it('hovers the newer layer types and merges with the arithmetic their modules give', async () => {
    const text = main.replace('  max_pool2d(2)\n', '  max_pool2d(2)\n  conv2d_transpose(8, 3, strides: 2)\n  separable_conv2d(4, 3)\n')
      + '\nmodel Merged {\n  input a: [4, 4, 3]\n  b = conv2d(5, 1)\n  concatenate(a, b)\n  flatten\n  dense(2)\n}\n';
    client.change(mainFile, text);
    const hover = async (needle: string) => {
      const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(text, needle, 2) });
      return (h?.contents as { value: string }).value;
    };
    const transpose = await hover('conv2d_transpose');
    expect(transpose).toContain('`[13, 13, 32]` -> `[27, 27, 8]`');
    expect(transpose).toContain('height: 13 * 2 + max(3 - 2, 0) = 27');
    expect(transpose).toContain('params: 3 * 3 * 8 * 32 + 8 = 2,312');
    const separable = await hover('separable_conv2d');
    expect(separable).toContain('depthwise channels: 8 * 1 = 8 (depth_multiplier 1)');
    expect(separable).toContain('params: 3 * 3 * 8 + 8 * 4 + 4 = 108');
    expect(await hover('concatenate')).toContain('axis 3: 3 + 5 = 8');
    client.change(mainFile, main);
  });

  it('hovers an argument or a train property with its allowed values and default', async () => {
    const hover = async (needle: string) => {
      const r = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, needle, 1) });
      return (r?.contents as { value: string } | undefined)?.value ?? '';
    };
    const activation = await hover('activation: relu');
    expect(activation).toContain('**activation** (argument of `conv2d`)');
    expect(activation).toContain('`relu`');
    expect(activation).toContain('- default `linear`');
    expect(await hover('kernel: 3')).toContain('- required');
    const loss = await hover('loss: sparse');
    expect(loss).toContain('**loss** (training)');
    expect(loss).toContain('`mean_squared_error`');
  });

  it('completes keywords, layer types, argument names, allowed values and names in scope', async () => {
    const complete = async (text: string, at: Position) => {
      client.change(mainFile, text);
      const r = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: at });
      return ((Array.isArray(r) ? r : r?.items) ?? []).map((i: CompletionItem) => i.label);
    };
    const inBody = main.replace('  flatten\n', '  flatten\n  \n');
    const body = await complete(inBody, pos(inBody, '  \n', 2));
    expect(body).toEqual(expect.arrayContaining(['input', 'conv2d', 'dense', 'lstm', 'batch_norm']));
    expect(body).not.toContain('model');
    const args = await complete(main, pos(main, 'dense(10, ', 'dense(10, '.length));
    expect(args).toEqual(expect.arrayContaining(['activation', 'use_bias', 'kernel_initializer']));
    expect(args).not.toContain('filters');
    const values = await complete(main, pos(main, 'activation: softmax', 'activation: '.length));
    expect(values).toEqual(expect.arrayContaining(['relu', 'softmax', 'sigmoid']));
    const padded = main.replace('conv2d(32, kernel: 3,', 'conv2d(32, kernel: 3, padding: ,');
    expect(await complete(padded, pos(padded, 'padding: ', 'padding: '.length))).toEqual(['valid', 'same']);
    const models = await complete(main, pos(main, 'train ', 'train '.length));
    expect(models.sort()).toEqual(['Shared', 'Small']);
    expect(await complete(main, pos(main, ' on ', ' on '.length))).toEqual(['fashion']);
    expect(await complete(main, pos(main, '{ loss: ', '{ loss: '.length))).toContain('sparse_categorical_crossentropy');
    expect(await complete(main, pos(main, '{ loss', 2))).toEqual(expect.arrayContaining(['optimizer', 'epochs', 'early_stopping']));
    expect(await complete(main + '\n', { line: main.split('\n').length, character: 0 })).toEqual(['model', 'dataset', 'train', 'import']);
    const optimizer = main.replace('{ loss: sparse_categorical_crossentropy }', '{ loss: sparse_categorical_crossentropy, optimizer: adam() }');
    expect(await complete(optimizer, pos(optimizer, 'adam(', 'adam('.length))).toEqual(expect.arrayContaining(['learning_rate', 'beta_1', 'epsilon']));
    expect(await complete(optimizer, pos(optimizer, 'optimizer: ', 'optimizer: '.length))).toEqual(expect.arrayContaining(['adam', 'sgd', 'rmsprop']));
    client.change(mainFile, main);
  });

  it('completes the tensors named above the cursor, block names where a layer goes, and block parameters', async () => {
    const text = main.replace('model Small {', 'block residual(filters, kernel: 3) {\n  input x\n  y = conv2d(filters, kernel, padding: same)\n'
      + '  y = batch_norm\n  sum = add(y, x)\n  activation(relu)\n}\n\nmodel Small {')
      .replace('  conv2d(32, kernel: 3, activation: relu)\n', '  stem = conv2d(32, kernel: 3, activation: relu, padding: same)\n  residual(32)\n  z = residual(32, kernel: 5)\n');
    const labels = async (needle: string, shift: number) => {
      client.change(mainFile, text);
      const r = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(text, needle, shift) });
      return ((Array.isArray(r) ? r : r?.items) ?? []).map((i: CompletionItem) => ({ label: i.label, kind: i.kind, detail: i.detail }));
    };
    const names = (items: { label: string }[]) => items.map((i) => i.label);
    // In a block's merge: the tensors defined above (not `sum`, bound by this very line), and the block's parameters.
    const merge = await labels('add(', 4);
    expect(merge.filter((i) => i.detail === 'tensor').map((i) => i.label)).toEqual(['x', 'y']);
    expect(merge.filter((i) => i.detail === 'parameter of block residual').map((i) => i.label)).toEqual(['filters', 'kernel']);
    // Above the first `y =`, only the block's input is defined.
    const first = await labels('y = conv2d(', 'y = conv2d('.length);
    expect(first.filter((i) => i.detail === 'tensor').map((i) => i.label)).toEqual(['x']);
    expect(names(first)).toEqual(expect.arrayContaining(['filters', 'kernel', 'strides', 'padding']));
    // In the model: its own tensors, none of the block's.
    const dense = names(await labels('dense(10, ', 'dense(10, '.length));
    expect(dense).toEqual(expect.arrayContaining(['image', 'stem', 'z', 'activation']));
    expect(dense).not.toContain('x');
    expect(dense).not.toContain('filters');
    // Where a layer goes, the blocks too; a block call completes its parameters.
    const line = await labels('  flatten', 2);
    expect(line.find((i) => i.label === 'residual')).toMatchObject({ detail: 'block residual(filters, kernel)' });
    expect(names(line)).toEqual(expect.arrayContaining(['input', 'conv2d', 'dense']));
    const bound = names(await labels('z = ', 'z = '.length));
    expect(bound).toEqual(expect.arrayContaining(['residual', 'conv2d']));
    expect(bound).not.toContain('input');
    expect(names(await labels('residual(32, ', 'residual(32, '.length))).toEqual(expect.arrayContaining(['filters', 'kernel', 'image', 'stem']));
    // In a block, a value may be one of its parameters.
    expect(names(await labels('padding: same)\n  y = batch', 'padding: '.length))).toEqual(['valid', 'same', 'filters', 'kernel']);
    client.change(mainFile, main);
  });

  it('gives signature help for layer arguments with their defaults', async () => {
    const help = await client.connection.sendRequest(SignatureHelpRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, 'conv2d(32, ', 'conv2d(32, '.length) });
    expect(help?.signatures[0].label).toMatch(/^conv2d\(filters, kernel, .*strides: \[1, 1\].*padding: valid/);
    expect(help?.activeParameter).toBe(1);
  });

  it('goes to a definition and finds references across the import', async () => {
    const def = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, 'on fashion', 4) });
    expect(def).toEqual({ uri: uriOf(commonFile), range: { start: pos(common, 'fashion'), end: pos(common, 'fashion', 7) } });
    const file = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, 'common.nn') });
    expect(file).toEqual({ uri: uriOf(commonFile), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    const refs = await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, 'on fashion', 4), context: { includeDeclaration: true } });
    expect(refs?.map((r) => [r.uri, r.range.start.line]).sort()).toEqual([[uriOf(commonFile), 1], [uriOf(mainFile), 10], [uriOf(mainFile), 11]]);
  });

  it('renames a dataset in both files, and refuses a name that is not one', async () => {
    const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, 'on fashion', 4), newName: 'fmnist' });
    const changes = edit?.changes ?? {};
    expect(Object.keys(changes).sort()).toEqual([uriOf(commonFile), uriOf(mainFile)].sort());
    expect(changes[uriOf(mainFile)].map((e) => [e.range.start, e.newText])).toEqual([[pos(main, 'on fashion', 3), 'fmnist'], [pos(main, 'on fashion', 3, 1), 'fmnist']]);
    expect(changes[uriOf(commonFile)]).toEqual([{ range: { start: pos(common, 'fashion'), end: pos(common, 'fashion', 7) }, newText: 'fmnist' }]);
    await expect(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: uriOf(mainFile) }, position: pos(main, 'on fashion', 4), newName: '9lives' })).rejects.toThrow(/not a name/);
  });

  it('re-checks an importer when the imported file changes in the editor', async () => {
    client.open(commonFile, common);
    await client.diagnostics(uriOf(commonFile));
    client.change(commonFile, common.replace('dataset fashion', 'dataset fashion2'));
    const p = await client.diagnostics(uriOf(mainFile), (q) => q.diagnostics.length > 0);
    expect(p.diagnostics.map((d) => [d.code, String(d.message).split('\n')[0]])).toEqual([
      ['NN2008', 'dataset `fashion` is not defined'], ['NN2008', 'dataset `fashion` is not defined'],
    ]);
    expect(p.diagnostics[0].message).toContain('help: did you mean `fashion2`?');
    client.change(commonFile, common);
    await client.diagnostics(uriOf(mainFile), (q) => q.diagnostics.length === 0);
  });

  it('publishes syntax errors of an imported file on that file, and keeps hints for the layers before an error', async () => {
    const half = main.replace('max_pool2d(2)', 'max_pool2d(2))');
    client.change(mainFile, half);
    const p = await client.diagnostics(uriOf(mainFile), (q) => q.diagnostics.length > 0);
    expect(p.diagnostics[0].code).toMatch(/^NN1/);
    const hints = await client.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri: uriOf(mainFile) }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
    });
    expect(hints?.map((h) => h.label)).toEqual(['-> [26, 26, 32]', '-> [13, 13, 32]']);
    const symbols = await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: uriOf(mainFile) } });
    expect(symbols?.map((s) => s.name)).toEqual(expect.arrayContaining(['Small']));
    client.change(mainFile, main);
    await client.diagnostics(uriOf(mainFile), (q) => q.diagnostics.length === 0);
  });

  it('lists document symbols with layer shapes, and folds blocks', async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: uriOf(mainFile) } })) as { name: string; detail?: string; children?: { name: string; detail?: string }[] }[];
    expect(symbols.map((s) => s.name)).toEqual(['Small', 'Small', 'shared_run']);
    expect(symbols[0].children?.map((c) => `${c.name} ${c.detail}`)).toEqual([
      'image input', 'conv2d_1 conv2d -> [26, 26, 32]', 'max_pool2d_1 max_pool2d -> [13, 13, 32]', 'flatten_1 flatten -> [5408]', 'dense_1 dense -> [10]',
    ]);
    const folds = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: uriOf(mainFile) } });
    expect(folds).toContainEqual({ startLine: 2, endLine: 7 });
  });

  it('formats a document into the layout of nnc fmt', async () => {
    const ugly = main.replace('  conv2d(32, kernel: 3, activation: relu)', 'conv2d( 32,kernel:3 ,activation : relu)').replace('max_pool2d(2)\n  flatten', 'max_pool2d(2)   flatten');
    client.change(mainFile, ugly);
    const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: uriOf(mainFile) }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    expect(edits.length).toBeGreaterThan(0);
    const formatted = applyEdits(ugly, edits);
    const want = format(ugly);
    expect(want.ok && formatted).toBe(want.ok && want.text);
    expect(formatted).toBe(main);
    client.change(mainFile, main);
  });
});

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}
