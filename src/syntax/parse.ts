// Source text -> AST + syntax diagnostics (NN1xxx): lexing, parsing with recovery, CST-to-AST.
import { EOF, type CstNode, type IRecognitionException, type IToken } from 'chevrotain';
import { lexer, keywords, StringLiteral, UnterminatedString, LCurly, LParen, LBracket, RCurly, RParen, RBracket } from '../../grammar/tokens.js';
import { parser, MAX_SYNTAX_ERRORS, TooManySyntaxErrors } from '../../grammar/parser.js';
import { diag, q } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { FileNode } from './ast.js';
import { AstBuilder, tokenSpan } from './cst-to-ast.js';

export interface ParseResult {
  ast: FileNode;
  diagnostics: Diagnostic[];
}

const closerOf: Record<string, string> = { '{': '}', '(': ')', '[': ']' };

/** The innermost bracket still open just before `offset`, for "missing closing `}`" messages. */
function unclosedOpener(tokens: IToken[], offset: number): IToken | null {
  const stack: IToken[] = [];
  for (const t of tokens) {
    if (t.startOffset >= offset) break;
    if (t.tokenType === LCurly || t.tokenType === LParen || t.tokenType === LBracket) stack.push(t);
    else if (stack.length && closerOf[stack[stack.length - 1].image] === t.image) stack.pop();
  }
  return stack.pop() ?? null;
}

/** Deeper nesting than any spec needs; the recursive-descent parser and later phases would overflow the stack long before nesting got near 500 levels. */
export const MAX_NESTING = 64;

/** The first opener nested deeper than MAX_NESTING, if any. */
function tooDeep(tokens: IToken[]): IToken | null {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === LCurly || t.tokenType === LParen || t.tokenType === LBracket) {
      if (++depth > MAX_NESTING) return t;
    } else if ((t.tokenType === RCurly || t.tokenType === RParen || t.tokenType === RBracket) && depth > 0) depth--;
  }
  return null;
}

function endOfFileSpan(file: string, text: string): Span {
  const lines = text.split('\n');
  const line = lines.length;
  const column = lines[lines.length - 1].length + 1;
  return { file, line, column, endLine: line, endColumn: column, offset: text.length, endOffset: text.length };
}

function describeToken(t: IToken): string {
  return t.tokenType === EOF ? 'end of file' : q(t.image);
}

function syntaxDiagnostic(e: IRecognitionException, file: string, text: string, tokens: IToken[]): Diagnostic {
  const t = e.token;
  const atEof = t.tokenType === EOF || isNaN(t.startOffset);
  const span = atEof ? endOfFileSpan(file, text) : tokenSpan(file, t);
  const body = e.message.replace(/^expected /, '');
  const cut = body.lastIndexOf(', found ');
  const [expected, found] = cut < 0 ? [body, describeToken(t)] : [body.slice(0, cut), body.slice(cut + ', found '.length)];
  const expectsCloser = /^`[})\]]`$/.test(expected ?? '');
  // A closer expected but a new block (or the end) found: the real mistake is the bracket left open.
  if (expectsCloser && (atEof || keywords.includes(t.image))) {
    const opener = unclosedOpener(tokens, atEof ? text.length : t.startOffset);
    if (opener) {
      return diag('NN1005', span, { delimiter: expected, opener: '`' + opener.image + '`', line: opener.startLine ?? '?', column: opener.startColumn ?? '?' }, {
        help: `add ${expected} before ${found}`,
      });
    }
  }
  // An unknown word where a block keyword belongs, e.g. `modle`.
  if (e.context.ruleStack.length <= 1 && t.tokenType?.name === 'Identifier') {
    const suggestions = suggest(t.image, keywords);
    return diag('NN1004', span, { found: q(t.image) }, { suggestions });
  }
  return diag('NN1003', span, { expected, found });
}

export function parseSource(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = lexer.tokenize(text);
  for (const err of lexed.errors.slice(0, MAX_SYNTAX_ERRORS)) {
    const span: Span = {
      file, line: err.line ?? 1, column: err.column ?? 1, endLine: err.line ?? 1, endColumn: (err.column ?? 1) + err.length,
      offset: err.offset, endOffset: err.offset + err.length,
    };
    diagnostics.push(diag('NN1001', span, { found: '`' + text.substr(err.offset, err.length).slice(0, 20) + '`' }));
  }
  const tokens: IToken[] = [];
  for (const t of lexed.tokens) {
    if (t.tokenType === UnterminatedString) {
      diagnostics.push(diag('NN1002', tokenSpan(file, t)));
      // Parse on as if the string ended at the line's end, so one mistake gives one error.
      tokens.push({ ...t, tokenType: StringLiteral, tokenTypeIdx: StringLiteral.tokenTypeIdx!, image: t.image + '"' });
    } else tokens.push(t);
  }
  if (tokens.length === 0) {
    const ast: FileNode = { kind: 'file', path: file, items: [], span: endOfFileSpan(file, text) };
    if (diagnostics.length === 0) diagnostics.push(diag('NN1006', { ...ast.span, line: 1, column: 1, offset: 0 }));
    return { ast, diagnostics };
  }
  const deep = tooDeep(tokens);
  if (deep) {
    diagnostics.push(diag('NN1011', tokenSpan(file, deep), { limit: MAX_NESTING }));
    return { ast: { kind: 'file', path: file, items: [], span: endOfFileSpan(file, text) }, diagnostics };
  }
  const tooManyLexErrors = lexed.errors.length > MAX_SYNTAX_ERRORS;
  parser.input = tokens;
  let cst: CstNode | null = null;
  try {
    if (!tooManyLexErrors) cst = parser.file();
  } catch (e) {
    if (!(e instanceof TooManySyntaxErrors)) throw e;
  }
  for (const e of parser.errors) diagnostics.push(syntaxDiagnostic(e, file, text, tokens));
  if (!cst) {
    // Past MAX_SYNTAX_ERRORS the file is not worth reading on: report what was found and build nothing.
    diagnostics.push(diag('NN1010', null, { count: MAX_SYNTAX_ERRORS }, { severity: 'note' }));
    return { ast: { kind: 'file', path: file, items: [], span: endOfFileSpan(file, text) }, diagnostics };
  }
  const builder = new AstBuilder(file);
  const ast = builder.file(cst, file, text.length);
  for (const d of builder.diagnostics) diagnostics.push(d);
  return { ast, diagnostics };
}
