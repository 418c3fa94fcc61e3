// The formatter and the language server's analyses on the fuzzer's inputs (random token streams, mutated specs,
// random bytes): format either refuses with syntax errors or returns an idempotent layout with the same tokens;
// the editor features built on check never throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lexer } from '../../grammar/tokens.js';
import { format } from '../../src/format/format.js';
import { completions, signatureHelp } from '../../src/lsp/complete.js';
import { indexModels } from '../../src/lsp/layers-index.js';
import { documentSymbols, foldingRanges } from '../../src/lsp/symbols.js';
import { check } from '../../src/pipeline.js';
import { anyInput } from '../fuzz/arbitraries.js';
import { fuzzHost, seedSpecs } from '../fuzz/harness.js';

const host = fuzzHost('specs');
const images = (text: string) => lexer.tokenize(text).tokens.map((t) => t.image);

describe('fuzzing the formatter and the editor features', () => {
  it('formats or refuses every input, never changing a token, idempotently', () => {
    fc.assert(fc.property(anyInput(seedSpecs(), { large: false }), (input) => {
      const r = format(input.text, input.file);
      if (!r.ok) {
        expect(r.diagnostics.length).toBeGreaterThan(0);
        return;
      }
      expect(images(r.text)).toEqual(images(input.text));
      const again = format(r.text, 'specs/t.nn');
      expect(again.ok && again.text).toBe(r.text);
    }), { numRuns: 200, seed: 16 });
  });

  it('builds hints, symbols, folds, completions and signature help on every input without throwing', () => {
    fc.assert(fc.property(anyInput(seedSpecs(), { large: false }), fc.nat(), (input, at) => {
      const result = check(input.file, input.text, host);
      const models = indexModels(result);
      const ast = result.asts.get(input.file);
      if (ast) documentSymbols(ast, models);
      foldingRanges(input.text);
      const offset = input.text.length ? at % (input.text.length + 1) : 0;
      completions(input.text, offset, { models: [], datasets: [] });
      signatureHelp(input.text, offset);
    }), { numRuns: 150, seed: 16 });
  });
});
