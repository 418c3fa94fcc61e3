// Lexical grammar of the .nn language.
//
// Regex tokens carry `start_chars_hint` (every character a match can start with) and `line_breaks` (whether a match
// can hold one) so that building the lexer does not analyse the regexes, which is most of its start-up cost;
// test/language/grammar.test.ts checks the hints against a lexer built without them.
import { createToken, Lexer, type TokenType } from 'chevrotain';

const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'];
const digits = [...'0123456789'];

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\u00a0\ufeff]+/, start_chars_hint: [...' \t\r\n\u00a0\ufeff'], line_breaks: true, group: Lexer.SKIPPED });
export const Comment = createToken({ name: 'Comment', pattern: /(?:#|\/\/)[^\n\r]*/, start_chars_hint: ['#', '/'], line_breaks: false, group: Lexer.SKIPPED });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, start_chars_hint: letters, line_breaks: false, label: 'a name' });
const keyword = (name: string, word: string) =>
  createToken({ name, pattern: new RegExp(`${word}(?![A-Za-z0-9_])`), start_chars_hint: [word[0]!], line_breaks: false, longer_alt: Identifier, label: `\`${word}\`` });

export const Model = keyword('Model', 'model');
export const Dataset = keyword('Dataset', 'dataset');
export const Train = keyword('Train', 'train');
export const Import = keyword('Import', 'import');
export const Input = keyword('Input', 'input');
export const Block = keyword('Block', 'block');
export const On = keyword('On', 'on');
export const As = keyword('As', 'as');
export const True = keyword('True', 'true');
export const False = keyword('False', 'false');
export const Null = keyword('Null', 'null');

// A number may end in % (10% -> 0.1); the normalizer resolves units.
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?/, start_chars_hint: [...digits, '.'], line_breaks: false, label: 'a number' });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\n\r]|\\.)*"/, start_chars_hint: ['"'], line_breaks: false, label: 'a string' });
// A string that reaches the end of the line: matched so the lexer can report it as one error (NN1002).
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n\r]|\\.)*/, start_chars_hint: ['"'], line_breaks: false });

export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: '`{`' });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: '`}`' });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: '`(`' });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: '`)`' });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: '`[`' });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: '`]`' });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: '`:`' });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: '`,`' });
export const Equals = createToken({ name: 'Equals', pattern: '=', label: '`=`' });
export const Slash = createToken({ name: 'Slash', pattern: '/', label: '`/`' });
export const Minus = createToken({ name: 'Minus', pattern: '-', label: '`-`' });
export const Star = createToken({ name: 'Star', pattern: '*', label: '`*`' });

export const allTokens: TokenType[] = [
  WhiteSpace, Comment,
  Model, Dataset, Train, Import, Input, Block, On, As, True, False, Null,
  Identifier, NumberLiteral, StringLiteral, UnterminatedString,
  LCurly, RCurly, LParen, RParen, LBracket, RBracket, Colon, Comma, Equals, Slash, Minus, Star,
];

export const keywords = ['model', 'dataset', 'train', 'import', 'block'];

/** Lexer validations cost start-up time on every run; the tests run them (`validate: true`). */
export function createLexer(tokens: TokenType[] = allTokens, { validate = false } = {}): Lexer {
  return new Lexer(tokens, { positionTracking: 'full', ensureOptimizations: validate, skipValidations: !validate });
}

export const lexer = createLexer();
