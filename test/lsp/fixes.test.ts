// `nnc lsp` over stdio: quick fixes from the help of shape and contract errors, related locations, diagnostics of an
// imported file published on that file, and range formatting.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeActionRequest, DocumentRangeFormattingRequest, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type Client } from './client.js';

let client: Client;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nnc-lsp-fixes-'));
  client = await startClient();
});
afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

async function diagnosticsOf(name: string, text: string): Promise<{ file: string; diagnostics: Diagnostic[] }> {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  client.open(file, text);
  const p = await client.diagnostics(uriOf(file));
  return { file, diagnostics: p.diagnostics };
}

async function fixesFor(file: string, d: Diagnostic): Promise<CodeAction[]> {
  const r = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: uriOf(file) }, range: d.range, context: { diagnostics: [d] } });
  return (r ?? []).filter((a): a is CodeAction => 'edit' in a);
}

const train = 'dataset fashion = fashion_mnist { normalize: scale(1/255) }\ntrain M on fashion { loss: sparse_categorical_crossentropy }\n';

describe('quick fixes and related locations', () => {
  it('adds a channel axis to the input of a conv2d model', async () => {
    const text = `model M {\n  input image: [28, 28]\n  conv2d(8, kernel: 3)\n  flatten\n  dense(10, activation: softmax)\n}\n${train}`;
    const { file, diagnostics } = await diagnosticsOf('channels.nn', text);
    const d = diagnostics.find((x) => x.code === 'NN3001')!;
    expect(d.message).toContain('help: add a channel axis to the input, e.g. `input image: [28, 28, 1]`');
    const [fix] = await fixesFor(file, d);
    expect(fix.title).toBe('write `input image: [28, 28, 1]`');
    expect(fix.edit?.changes?.[uriOf(file)]).toEqual([{ range: { start: { line: 1, character: 2 }, end: { line: 1, character: 23 } }, newText: 'input image: [28, 28, 1]' }]);
  });

  it('adds a flatten before a dense layer that gets a spatial input', async () => {
    const text = `model M {\n  input image: [28, 28, 1]\n  conv2d(8, kernel: 3)\n  dense(10, activation: softmax)\n}\n${train}`;
    const { file, diagnostics } = await diagnosticsOf('flatten.nn', text);
    const d = diagnostics.find((x) => x.code === 'NN4016')!;
    const [fix] = await fixesFor(file, d);
    expect(fix.title).toBe('add a `flatten` before this layer');
    expect(fix.edit?.changes?.[uriOf(file)]).toEqual([{ range: { start: { line: 3, character: 2 }, end: { line: 3, character: 2 } }, newText: 'flatten\n  ' }]);
  });

  it('sets the arguments that help names on the layer it names, replacing or adding them', async () => {
    const net = (last: string, loss = 'sparse_categorical_crossentropy') =>
      `model Net {\n  input image: [28, 28]\n  flatten\n  ${last}\n}\ndataset fashion = fashion_mnist { normalize: scale(1/255) }\ntrain Net on fashion { loss: ${loss} }\n`;
    const units = await diagnosticsOf('units.nn', net('dense(12, activation: softmax)'));
    const [setUnits] = await fixesFor(units.file, units.diagnostics.find((x) => x.code === 'NN4001')!);
    expect(setUnits.title).toBe('set `units: 10` on `dense_1`');
    expect(setUnits.edit?.changes?.[uriOf(units.file)]).toEqual([{ range: { start: { line: 3, character: 8 }, end: { line: 3, character: 10 } }, newText: '10' }]);
    const act = await diagnosticsOf('activation.nn', net('dense(10, activation: sigmoid)'));
    const [setAct] = await fixesFor(act.file, act.diagnostics.find((x) => x.code === 'NN4004')!);
    expect(setAct.edit?.changes?.[uriOf(act.file)]).toEqual([{ range: { start: { line: 3, character: 24 }, end: { line: 3, character: 31 } }, newText: 'softmax' }]);
    const added = await diagnosticsOf('added.nn', net('dense(10)'));
    const [addAct] = await fixesFor(added.file, added.diagnostics.find((x) => x.code === 'NN4004')!);
    expect(addAct.edit?.changes?.[uriOf(added.file)]).toEqual([{ range: { start: { line: 3, character: 10 }, end: { line: 3, character: 10 } }, newText: ', activation: softmax' }]);
  });

  it('points a duplicate name at the first declaration', async () => {
    const text = 'model M {\n  input x: [4]\n  dense(1)\n}\nmodel M {\n  input x: [4]\n  dense(1)\n}\n';
    const { file, diagnostics } = await diagnosticsOf('duplicate.nn', text);
    const d = diagnostics.find((x) => x.code === 'NN2007')!;
    expect(d.range.start).toEqual({ line: 4, character: 6 });
    expect(d.relatedInformation).toEqual([{ location: { uri: uriOf(file), range: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } } }, message: 'first declared here' }]);
  });

  it('publishes the syntax errors of an imported file, not open, on that file', async () => {
    const bad = path.join(dir, 'bad_common.nn');
    writeFileSync(bad, 'dataset fashion = fashion_mnist { normalize: scale(1/255)\n');
    const { diagnostics } = await diagnosticsOf('imports_bad.nn', `import "bad_common.nn"\nmodel M {\n  input image: [28, 28]\n  flatten\n  dense(10, activation: softmax)\n}\n`);
    const imported = await client.diagnostics(uriOf(bad), (p) => p.diagnostics.length > 0);
    expect(imported.diagnostics[0]).toMatchObject({ code: 'NN1005', range: { start: { line: 1, character: 0 } } });
    expect(diagnostics.every((d) => d.code !== 'NN1005')).toBe(true);
  });

  it('formats only the lines of a range', async () => {
    const text = 'model M {\n  input x:[4]\n  dense( 1 )\n}\n';
    const file = path.join(dir, 'range.nn');
    client.open(file, text);
    await client.diagnostics(uriOf(file));
    const edits = await client.connection.sendRequest(DocumentRangeFormattingRequest.type, {
      textDocument: { uri: uriOf(file) }, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 12 } }, options: { tabSize: 2, insertSpaces: true },
    });
    expect(edits).toEqual([
      { range: { start: { line: 2, character: 8 }, end: { line: 2, character: 9 } }, newText: '' },
      { range: { start: { line: 2, character: 10 }, end: { line: 2, character: 11 } }, newText: '' },
    ]);
  });
});

describe('nnc lsp without the startup snapshot', () => {
  it('runs from the bundle when NODE_OPTIONS is set, and serves diagnostics', async () => {
    const other = await startClient({ NODE_OPTIONS: '--no-warnings', NNC_DEBUG: '1' });
    const file = path.join(dir, 'fallback.nn');
    const text = 'model M {\n  input x: [4]\n  dense(0)\n}\n';
    writeFileSync(file, text);
    other.open(file, text);
    const p = await other.diagnostics(uriOf(file));
    expect(p.diagnostics.map((d) => d.code)).toEqual(['NN2004']);
    expect(await other.stop()).toBe(0);
    expect(other.stderr()).toContain('nnc: started from the bundle');
  });
});
