// The language server's workspace in-process: debouncing (a burst of changes is one check; a change while idle is
// checked at once) and re-checking importers, with the diagnostics it publishes per file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { Workspace } from '../../src/lsp/workspace.js';

const spec = (units: number | string) => `model M {\n  input x: [4]\n  dense(${units})\n}\n`;

function recorder(debounceMs: number) {
  const published: { file: string; codes: string[]; at: number }[] = [];
  const ws = new Workspace((file: string, ds: Diagnostic[]) => published.push({ file, codes: ds.map((d) => d.code), at: Date.now() }), debounceMs);
  const next = (count: number) => new Promise<void>((resolve) => {
    const poll = () => (published.length >= count ? resolve() : setTimeout(poll, 2));
    poll();
  });
  return { ws, published, next };
}

describe('lsp workspace', () => {
  it('checks a change made while idle at once, and gathers a burst of changes into one check after the debounce window', async () => {
    // Bounds only from timers (which never fire early): the idle change beats the window, the burst waits for it.
    const window = 600;
    const { ws, published, next } = recorder(window);
    const t0 = Date.now();
    ws.set('file:///a.nn', '/a.nn', spec(1), 1);
    await next(1);
    expect(Date.now() - t0).toBeLessThan(window);
    expect(published[0].codes).toEqual([]);
    const burst = Date.now();
    for (let v = 2; v <= 10; v++) ws.set('file:///a.nn', '/a.nn', spec(v % 2 ? 0 : 2), v);
    ws.set('file:///a.nn', '/a.nn', spec('0.5'), 11);
    await next(2);
    await new Promise((r) => setTimeout(r, window + 100));
    expect(published).toHaveLength(2);
    expect(published[1].codes).toEqual(['NN2003']);
    expect(published[1].at - published[0].at).toBeGreaterThanOrEqual(window - 5);
    expect(published[1].at).toBeGreaterThanOrEqual(burst);
  });

  it('answers a request with the text it has, checking a pending change first', () => {
    const { ws } = recorder(10_000);
    ws.set('file:///b.nn', '/b.nn', spec(3), 1);
    expect(ws.analysis('/b.nn')?.result.diagnostics).toEqual([]);
    ws.set('file:///b.nn', '/b.nn', spec(0), 2);
    expect(ws.analysis('/b.nn')?.result.diagnostics.map((d) => d.code)).toEqual(['NN2004']);
  });

  it('re-checks an open importer when the imported file changes, and clears a closed file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nnc-ws-'));
    const lib = path.join(dir, 'lib.nn');
    const app = path.join(dir, 'app.nn');
    writeFileSync(lib, 'dataset d = fashion_mnist {}\n');
    const { ws, published } = recorder(10_000);
    const model = 'model M {\n  input image: [28, 28]\n  flatten\n  dense(10, activation: softmax)\n}\n';
    ws.set('file://' + app, app, `import "lib.nn"\n${model}train M on d { loss: sparse_categorical_crossentropy }\n`, 1);
    ws.flush();
    expect(published.filter((p) => p.file === app).at(-1)?.codes).toEqual([]);
    ws.set('file://' + lib, lib, 'dataset e = fashion_mnist {}\n', 1);
    ws.flush();
    expect(published.filter((p) => p.file === app).at(-1)?.codes).toEqual(['NN2008']);
    ws.close(app);
    ws.flush();
    expect(published.filter((p) => p.file === app).at(-1)?.codes).toEqual([]);
  });
});
