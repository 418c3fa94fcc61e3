// The canonical layout of a .nn file (`nnc fmt`, the language server's formatting).
//
// The formatter rewrites only what lies between tokens: the tokens themselves, their order and every comment stay
// as written, so a formatted file parses to the same AST (and the same normalized spec). It works on the token
// stream, plus a few line breaks that the AST asks for, so it keeps working as the grammar grows:
//   - one space between tokens, none inside `(` `)` `[` `]`, before `,` `:`, around `/` or after a unary `-`, one
//     inside `{ ... }` on one line;
//   - line breaks where the author put them (blank lines collapsed to one), plus one before each top-level item and
//     before each statement of a model body and the `}` that ends it; a block opened at a line's end closes on its
//     own line;
//   - a line inside a bracket opened at a line's end is indented two spaces deeper than the opener's line; one
//     inside a bracket followed by more on its own line lines up after the bracket (like `labels: [...]` lists);
//   - comments kept where they were, a trailing comment one space after its code; no trailing spaces; one final
//     newline.
// Files with syntax errors are not formatted: there, the layout cannot be trusted to keep the meaning.
import type { IToken } from 'chevrotain';
import { lexer } from '../../grammar/tokens.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { parseSource } from '../syntax/parse.js';

const INDENT = 2;

/** The replacement of the text between two tokens (or before the first, or after the last). */
export interface GapEdit {
  /** Offsets in the original text, `end` exclusive. */
  start: number;
  end: number;
  text: string;
}

export type FormatResult =
  | { ok: true; text: string; edits: GapEdit[] }
  | { ok: false; diagnostics: Diagnostic[] };

interface GapItem {
  kind: 'comment' | 'newlines';
  text: string;
  count: number;
}

/** Comments and line breaks in the whitespace between two tokens. */
function scanGap(gap: string): GapItem[] {
  const items: GapItem[] = [];
  let i = 0;
  while (i < gap.length) {
    const c = gap[i];
    if (c === '#' || (c === '/' && gap[i + 1] === '/')) {
      let end = gap.indexOf('\n', i);
      if (end < 0) end = gap.length;
      items.push({ kind: 'comment', text: gap.slice(i, end).replace(/[\s]+$/, ''), count: 0 });
      i = end;
    } else if (c === '\n') {
      const last = items[items.length - 1];
      if (last?.kind === 'newlines') last.count++;
      else items.push({ kind: 'newlines', text: '', count: 1 });
      i++;
    } else i++;
  }
  return items;
}

const OPENERS = new Set(['{', '(', '[']);
const CLOSERS = new Set(['}', ')', ']']);

/** Offsets of tokens that must start a line, from the AST: top-level items, model statements and a model's `}`. */
function lineStarts(ast: unknown): Set<number> {
  const starts = new Set<number>();
  const file = ast as { items?: { span?: { offset: number; endOffset: number }; body?: unknown[] }[] };
  for (const item of file.items ?? []) {
    if (item.span) starts.add(item.span.offset);
    if (!Array.isArray(item.body)) continue;
    // A model (or any block with a statement body): each statement on its own line, and the closing brace too.
    for (const stmt of item.body as { span?: { offset: number } }[]) if (stmt.span) starts.add(stmt.span.offset);
    if (item.span && item.body.length > 0) starts.add(item.span.endOffset - 1);
  }
  return starts;
}

/** Space between two tokens on one line: '' or ' '. */
function spaceBetween(a: IToken, b: IToken, before: IToken | undefined): string {
  const x = a.image;
  const y = b.image;
  if (y === ',' || y === ':' || y === ')' || y === ']') return '';
  if (x === '(' || x === '[') return '';
  if (x === '{') return y === '}' ? '' : ' ';
  if (y === '(' && a.tokenType.name === 'Identifier') return '';
  // The tensors a layer takes follow its call: `dense(3)(x)`.
  if (y === '(' && x === ')') return '';
  if (x === '/' || y === '/') return '';
  // A minus that starts a value (after a separator or an opener) is unary: `-1`, not `- 1`.
  if (x === '-' && (!before || [',', ':', '(', '[', '{', '='].includes(before.image))) return '';
  return ' ';
}

interface Open {
  closer: string;
  /** Indent of the line holding the opener: where its closer goes when it starts a line. */
  lineIndent: number;
  /** Indent of lines inside; null until known (the column of the first token after the opener on its line). */
  inner: number | null;
  /** The opener ended its line: its closer must start one too. */
  broken: boolean;
}

/** Formats `text`, or returns its syntax errors. */
export function format(text: string, file = 'input.nn'): FormatResult {
  const parsed = parseSource(text, file);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { ok: false, diagnostics: errors };
  const tokens = lexer.tokenize(text).tokens;
  const forced = lineStarts(parsed.ast);

  const edits: GapEdit[] = [];
  const stack: Open[] = [];
  let out = '';
  let lineStart = 0;
  let lineIndent = 0;
  const column = () => out.length - lineStart;
  const newline = (count: number, indent: number) => {
    out = out.replace(/[ \t]+$/, '');
    out += '\n'.repeat(count);
    lineStart = out.length;
    lineIndent = indent;
    out += ' '.repeat(indent);
  };
  const indentFor = (next: string) => {
    const top = stack[stack.length - 1];
    if (!top) return 0;
    if (CLOSERS.has(next) && next === top.closer) return top.lineIndent;
    return top.inner ?? top.lineIndent + INDENT;
  };

  for (let i = 0; i <= tokens.length; i++) {
    const prev = tokens[i - 1];
    const tok = tokens[i];
    const gapStart = prev ? prev.endOffset! + 1 : 0;
    const gapEnd = tok ? tok.startOffset : text.length;
    const items = scanGap(text.slice(gapStart, gapEnd));
    const before = out.length;
    const next = tok?.image ?? '';
    // Line breaks since the last thing written; blank lines collapse to one.
    let breaks = 0;
    let afterComment = false;
    for (const item of items) {
      if (item.kind === 'newlines') {
        breaks = Math.min(2, breaks + item.count);
        continue;
      }
      if (out.length === 0) out += item.text; // blank lines at the top of the file go
      else if (breaks === 0) out += ' ' + item.text; // a trailing comment
      else {
        newline(breaks, indentFor(''));
        out += item.text;
      }
      breaks = 0;
      afterComment = true;
    }
    // A comment runs to the end of its line: what follows starts a new one.
    if (afterComment && breaks === 0) breaks = 1;
    const top = stack[stack.length - 1];
    if (prev && OPENERS.has(prev.image) && top && breaks > 0) top.broken = true;
    if (!tok) {
      out = out.replace(/[ \t]+$/, '');
      if (out.length > 0) out += '\n';
    } else if (!prev) {
      if (out.length > 0) newline(Math.max(1, breaks), 0);
    } else {
      if (breaks === 0 && (forced.has(tok.startOffset) || (top?.broken && next === top.closer))) breaks = 1;
      if (breaks > 0) newline(breaks, indentFor(next));
      else out += spaceBetween(prev, tok, tokens[i - 2]);
      // The first token after an opener on the opener's line fixes where the bracket's inner lines go.
      if (top && top.inner === null && OPENERS.has(prev.image) && breaks === 0 && next !== top.closer) top.inner = column();
    }
    if (tok) {
      if (CLOSERS.has(next) && stack[stack.length - 1]?.closer === next) stack.pop();
      if (OPENERS.has(next)) stack.push({ closer: next === '{' ? '}' : next === '(' ? ')' : ']', lineIndent, inner: null, broken: false });
    }
    const replacement = out.slice(before);
    if (replacement !== text.slice(gapStart, gapEnd)) edits.push({ start: gapStart, end: gapEnd, text: replacement });
    if (tok) out += tok.image;
  }
  assertSameTokens(text, out);
  return { ok: true, text: out, edits };
}

/** The formatter must never change a token: a broken rule throws here instead of saving a different spec. */
function assertSameTokens(before: string, after: string): void {
  const a = lexer.tokenize(before).tokens;
  const b = lexer.tokenize(after);
  if (b.errors.length > 0 || a.length !== b.tokens.length || a.some((t, i) => t.image !== b.tokens[i].image || t.tokenType !== b.tokens[i].tokenType)) {
    throw new Error('formatting would change the tokens of the file');
  }
}
