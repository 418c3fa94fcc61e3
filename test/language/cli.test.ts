// `nnc check` as users and CI run it: exit codes, formats, flags. JSON and SARIF output are validated
// against their schemas (SARIF 2.1.0's official schema ships in test/schemas).
import { readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { nnc } from './run-cli.js';

// ajv-draft-04 is CommonJS whose module.exports is the class itself.
const AjvDraft04: typeof import('ajv-draft-04').default = createRequire(import.meta.url)('ajv-draft-04');


const bad = 'test/fixtures/check/argument_typo.nn';
const twoErrors = 'test/fixtures/check/missing_brace_then_error.nn';

describe('nnc check', () => {
  it('exits 0 on every spec in specs/', async () => {
    const r = await nnc('check', 'specs/');
    expect(r.out).toMatch(/^0 errors, \d+ warnings in \d+ files$/m);
    // the only warnings: data folders a fresh clone does not have (downloaded or made by the tests)
    expect([...r.out.matchAll(/^warning\[(NN\d+)\]/gm)].map((m) => m[1]).filter((c) => c !== 'NN4050')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('exits 1 with the error, its location, the source line and help', async () => {
    const r = await nnc('check', bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error[NN2002]: unknown argument `actvation` for layer `dense`');
    expect(r.out).toContain(`--> ${bad}:4:13`);
    expect(r.out).toContain('4 |   dense(10, actvation: softmax)');
    expect(r.out).toContain('= help: did you mean `activation`?');
  });

  it('reports every error of a file in one run', async () => {
    const r = await nnc('check', twoErrors, '--format', 'json');
    const codes = JSON.parse(r.out).map((d: { code: string }) => d.code);
    expect(codes).toEqual(['NN1005', 'NN1003']);
  });

  it('exits 2 with one line on a missing file', async () => {
    const r = await nnc('check', 'specs/no_such_file.nn');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('error: cannot read specs/no_such_file.nn: no such file or directory');
  });

  it('exits 2 on a bad flag or format', async () => {
    expect((await nnc('check', '--format', 'xml', bad)).code).toBe(2);
    expect((await nnc('check', '--bogus', bad)).code).toBe(2);
    expect((await nnc('check')).code).toBe(2);
  });

  it('expands globs', async () => {
    const r = await nnc('check', 'test/fixtures/check/unknown_*.nn', '--quiet');
    expect(r.out).toMatch(/in \d+ files/);
    const files = Number(/in (\d+) files/.exec(r.out)![1]);
    expect(files).toBeGreaterThanOrEqual(5);
  });

  it('--max-errors stops reporting after N errors', async () => {
    const r = await nnc('check', 'test/fixtures/check/', '--format', 'json', '--max-errors', '3');
    const diags = JSON.parse(r.out);
    expect(diags.filter((d: { severity: string }) => d.severity === 'error')).toHaveLength(3);
    expect(diags.at(-1).code).toBe('NN1010');
    expect(r.code).toBe(1);
  });

  it('writes JSON valid against its schema', async () => {
    const r = await nnc('check', 'test/fixtures/check/', '--format', 'json');
    const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync('test/schemas/nnc-diagnostics.schema.json', 'utf8')));
    const data = JSON.parse(r.out);
    expect(data.length).toBeGreaterThan(40);
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  });

  it('writes SARIF 2.1.0 valid against the official schema', async () => {
    const r = await nnc('check', 'test/fixtures/check/', '--format', 'sarif');
    const schema = JSON.parse(readFileSync('test/schemas/sarif-2.1.0.json', 'utf8'));
    const validate = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);
    const log = JSON.parse(r.out);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.runs[0].results.length).toBeGreaterThan(40);
    const first = log.runs[0].results[0];
    expect(first.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    // An invalid log must fail the same validator, or this test proves nothing.
    expect(validate({ version: '2.1.0', runs: [{ tool: {} }] })).toBe(false);
  });

  it('runs as a process with no stack trace on bad input', () => {
    const r = spawnSync('node', ['bin/nnc.js', 'check', 'nope.nn'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/at .*\.(ts|js):\d+/);
    const ok = execFileSync('node', ['bin/nnc.js', 'check', 'specs/fashion_mlp.nn'], { encoding: 'utf8' });
    expect(ok).toContain('0 errors');
  });
});
