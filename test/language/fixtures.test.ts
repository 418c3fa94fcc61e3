// Every bad spec under test/fixtures/check and test/fixtures/shapes has its expected diagnostics in <name>.diagnostics.txt beside it:
// code, file:line:column, message, the quoted line with carets, and help, exactly as `nnc check` prints them.
// Each fixture also states its diagnostics by hand in trailing comments (as Prisma's psl tests do),
// `# expect: error[NN3002] at 14:38`, so a golden rewritten from the code under test cannot change a code or a line.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/pipeline.js';
import { renderText } from '../../src/diagnostics/render.js';
import { expectGolden, statedExpectations } from '../golden.js';

const suites = [
  { dir: 'test/fixtures/check', title: 'syntax and schema fixtures', minimum: 40 },
  { dir: 'test/fixtures/shapes', title: 'shape and contract fixtures', minimum: 30 },
  { dir: 'test/fixtures/graph', title: 'graph fixtures', minimum: 25 },
  { dir: 'test/fixtures/multiio', title: 'several inputs and outputs fixtures', minimum: 15 },
];
// as `nnc check` runs them: data files named by the fixtures are looked at (NN4050 where they are missing)
const host = { readFile: (f: string) => readFileSync(f, 'utf8'), dataFiles: true };


for (const { dir, title, minimum } of suites) describe(title, () => {
  const fixtures = readdirSync(dir).filter((f) => f.endsWith('.nn')).sort();
  it(`has at least ${minimum} fixtures`, () => expect(fixtures.length).toBeGreaterThanOrEqual(minimum));

  for (const name of fixtures) {
    it(name, () => {
      const file = path.join(dir, name);
      const result = check(file, readFileSync(file, 'utf8'), host);
      expect(result.diagnostics.length, 'a bad spec must have a diagnostic').toBeGreaterThan(0);
      const stated = statedExpectations(readFileSync(file, 'utf8'));
      expect(stated.length, 'the fixture states its expected diagnostics in `# expect:` comments').toBeGreaterThan(0);
      const found = result.diagnostics.map((d) => `${d.severity}[${d.code}] at ${d.span && d.span.file === file ? `${d.span.line}:${d.span.column}` : '-'}`);
      expect(found, 'diagnostics against the `# expect:` comments').toEqual(stated);
      const rendered = result.diagnostics.map((d) => renderText(d, { sources: result.sources })).join('\n\n') + '\n';
      expectGolden(file.replace(/\.nn$/, '.diagnostics.txt'), rendered);
    });
  }
});
