// Source text -> AST + syntax diagnostics (NN1xxx): lexing, parsing with recovery, CST-to-AST.
import { EOF, type IRecognitionException, type IToken } from 'chevrotain';
import { lexer, keywords, StringLiteral, UnterminatedString, LCurly, LParen, LBracket } from '../../grammar/tokens.js';
import { parser } from '../../grammar/parser.js';
import { diag } from '../diagnostics/catalog.js';
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

function endOfFileSpan(file: string, text: string): Span {
  const lines = text.split('\n');
  const line = lines.length;
  const column = lines[lines.length - 1].length + 1;
  return { file, line, column, endLine: line, endColumn: column, offset: text.length, endOffset: text.length };
}

function describeToken(t: IToken): string {
  return t.tokenType === EOF ? 'end of file' : '`' + t.image + '`';
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
      return diag('NN1005', span, { delimiter: expected, opener: '`' + opener.image + '`', line: opener.startLine, column: opener.startColumn }, {
        help: `add ${expected} before ${found}`,
      });
    }
  }
  // An unknown word where a block keyword belongs, e.g. `modle`.
  if (e.context.ruleStack.length <= 1 && t.tokenType?.name === 'Identifier') {
    const suggestions = suggest(t.image, keywords);
    return diag('NN1004', span, { found: '`' + t.image + '`' }, { suggestions });
  }
  return diag('NN1003', span, { expected, found });
}

export function parseSource(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = lexer.tokenize(text);
  for (const err of lexed.errors) {
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
  parser.input = tokens;
  const cst = parser.file();
  for (const e of parser.errors) diagnostics.push(syntaxDiagnostic(e, file, text, tokens));
  const ast = new AstBuilder(file).file(cst, file, text.length);
  return { ast, diagnostics };
}
