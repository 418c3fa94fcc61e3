// The catalog's arguments are typed from its templates: a missing or misspelt argument does not compile
// (`npm run typecheck` checks the @ts-expect-error lines below), and no text nnc prints shows a raw `{placeholder}`.
import { describe as suite, expect, it } from 'vitest';
import { catalog, describe, diag, type Code } from '../../src/diagnostics/catalog.js';
import { toSarif } from '../../src/diagnostics/render.js';

const span = { file: 'a.nn', line: 1, column: 1, endLine: 1, endColumn: 2, offset: 0, endOffset: 1 };

/** Values for every placeholder of a code's template and help, as a checker would pass them. */
function argsFor(code: string): Record<string, string> {
  const names = [...`${catalog[code].template} ${catalog[code].help ?? ''}`.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return Object.fromEntries(names.map((n) => [n, `<${n}>`]));
}

suite('diagnostics catalog', () => {
  it('types each code\'s arguments from its template', () => {
    // @ts-expect-error a missing argument (`found`) is a type error
    diag('NN1001', span, {});
    // @ts-expect-error a misspelt one too
    diag('NN2001', span, { fonud: '`x`' });
    // @ts-expect-error help placeholders count: NN2007's help needs line and column
    diag('NN2007', span, { kind: 'model', name: '`m`' });
    // codes without placeholders take no arguments
    expect(diag('NN1006', span).message).toBe('file is empty');
    expect(diag('NN2001', span, { found: '`densse`' }).message).toBe('unknown layer `densse`');
  });

  it('fills every placeholder of every code when given the arguments its type asks for', () => {
    for (const code of Object.keys(catalog)) {
      const d = diag(code as Code, span, argsFor(code) as never);
      expect(d.message, code).not.toMatch(/\{\w+\}/);
      if (d.help) expect(d.help, code).not.toMatch(/\{\w+\}/);
    }
  });

  it('writes SARIF rule texts without raw placeholders', () => {
    const all = Object.keys(catalog).map((code) => diag(code as Code, span, argsFor(code) as never));
    const sarif = toSarif(all, '0.0.0') as { runs: { tool: { driver: { rules: { id: string; shortDescription: { text: string }; help?: { text: string } }[] } } }[] };
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules.length).toBe(Object.keys(catalog).length);
    for (const r of rules) {
      expect(r.shortDescription.text, r.id).not.toMatch(/\{\w*\}/);
      if (r.help) expect(r.help.text, r.id).not.toMatch(/\{\w*\}/);
    }
    expect(rules.find((r) => r.id === 'NN3002')!.shortDescription.text).toBe(describe(catalog.NN3002.template));
    expect(describe('kernel {kernel} of {layer}')).toBe('kernel … of …');
  });
});
