// The shipped lexer and parser skip chevrotain's grammar validations to start faster; these tests run them, and
// check that the lexer's start-character and line-break hints change nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createToken, type TokenType } from 'chevrotain';
import { allTokens, createLexer, lexer } from '../../grammar/tokens.js';
import { NnParser } from '../../grammar/parser.js';

/** The same token types without `start_chars_hint` and `line_breaks`, so chevrotain derives both from the regexes. */
function withoutHints(tokens: TokenType[]): TokenType[] {
  const copies = new Map<TokenType, TokenType>();
  for (const t of tokens) {
    const longerAlt = t.LONGER_ALT as TokenType | undefined;
    copies.set(t, createToken({
      name: t.name, pattern: t.PATTERN as RegExp | string,
      ...(t.GROUP !== undefined && { group: t.GROUP as string }),
      ...(longerAlt && { longer_alt: copies.get(longerAlt) }),
    }));
  }
  return tokens.map((t) => copies.get(t)!);
}

function sources(): string[] {
  const files = [
    ...readdirSync('specs').filter((f) => f.endsWith('.nn')).map((f) => join('specs', f)),
    ...readdirSync('test/fixtures/check').filter((f) => f.endsWith('.nn')).map((f) => join('test/fixtures/check', f)),
  ];
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  // Every start character the hints name, and some they do not.
  texts.push('\u00a0\ufeff model m { x: .5e3% -2/3 "a\\"b" "open\n #c\n //d\n [1,2]=: } @ $ \u2028 é modelx input_ on as');
  return texts;
}

const shape = (text: string, l = lexer) => {
  const r = l.tokenize(text);
  return {
    tokens: r.tokens.map((t) => [t.tokenType.name, t.image, t.startOffset, t.startLine, t.startColumn, t.endLine, t.endColumn]),
    errors: r.errors.map((e) => [e.offset, e.length, e.line, e.column]),
  };
};

describe('grammar', () => {
  it('passes chevrotain lexer validations, every token optimizable', () => {
    const validated = createLexer(allTokens, { validate: true });
    expect(validated.lexerDefinitionErrors).toEqual([]);
  });

  it('start-character and line-break hints tokenize exactly like the regexes they stand for, positions included', () => {
    const derived = createLexer(withoutHints(allTokens), { validate: true });
    expect(derived.lexerDefinitionErrors).toEqual([]);
    for (const text of sources()) expect(shape(text)).toEqual(shape(text, derived));
  });

  it('passes chevrotain parser validations (no ambiguity, left recursion or missing rule)', () => {
    expect(() => new NnParser({ validate: true })).not.toThrow();
  });
});
