// Names in .nn files for go-to-definition, references and rename: models and datasets are declared by
// `model NAME` and `dataset NAME = ...` and referenced by `train MODEL on DATASET`; a file sees its own names and
// those of the files it imports (transitively). Also the outline (document symbols) and folding ranges.
import * as path from 'node:path';
import type { DocumentSymbol, FoldingRange } from 'vscode-languageserver';
import { SymbolKind } from 'vscode-languageserver';
import { lexer } from '../../grammar/tokens.js';
import type { Span } from '../diagnostics/types.js';
import type { FileNode, NameNode } from '../syntax/ast.js';
import type { ModelEntry } from './layers-index.js';
import { LineIndex, spanRange } from './positions.js';

export type NameKind = 'model' | 'dataset';

export interface Occurrence {
  kind: NameKind;
  name: NameNode;
  declaration: boolean;
}

/** Every model and dataset name written in one file. */
export function occurrences(ast: FileNode): Occurrence[] {
  const out: Occurrence[] = [];
  for (const item of ast.items) {
    if (item.kind === 'model') out.push({ kind: 'model', name: item.name, declaration: true });
    else if (item.kind === 'dataset') out.push({ kind: 'dataset', name: item.name, declaration: true });
    else if (item.kind === 'train') {
      out.push({ kind: 'model', name: item.model, declaration: false });
      out.push({ kind: 'dataset', name: item.dataset, declaration: false });
    }
  }
  return out;
}

export function occurrenceAt(ast: FileNode, offset: number): Occurrence | null {
  return occurrences(ast).find((o) => offset >= o.name.span.offset && offset <= o.name.span.endOffset) ?? null;
}

/** The files `file` sees: itself and its imports, transitively, among the ASTs known. */
export function scopeOf(file: string, asts: Map<string, FileNode>): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const item of asts.get(f)?.items ?? []) {
      if (item.kind === 'import') visit(path.join(path.dirname(f), item.path.value));
    }
  };
  visit(file);
  return [...seen];
}

/** Where `kind name`, as seen from `file`, is declared. */
export function declarationOf(kind: NameKind, name: string, file: string, asts: Map<string, FileNode>): Occurrence | null {
  for (const f of scopeOf(file, asts)) {
    const ast = asts.get(f);
    const found = ast && occurrences(ast).find((o) => o.declaration && o.kind === kind && o.name.text === name);
    if (found) return found;
  }
  return null;
}

const sameSpan = (a: Span, b: Span) => a.file === b.file && a.offset === b.offset;

/** The declaration and every reference that resolves to it, in all files known. */
export function referencesOf(decl: Occurrence, asts: Map<string, FileNode>): Occurrence[] {
  const out: Occurrence[] = [];
  for (const [file, ast] of asts) {
    for (const o of occurrences(ast)) {
      if (o.kind !== decl.kind || o.name.text !== decl.name.text) continue;
      const target = o.declaration ? o : declarationOf(o.kind, o.name.text, file, asts);
      if (target && sameSpan(target.name.span, decl.name.span)) out.push(o);
    }
  }
  return out;
}

const shapeText = (dims: (number | null)[]) => `[${dims.slice(1).join(', ')}]`;

export function documentSymbols(ast: FileNode, models: ModelEntry[]): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const item of ast.items) {
    if (item.kind === 'model') {
      const entry = models.find((m) => m.span.file === ast.path && m.span.offset === item.span.offset);
      const children: DocumentSymbol[] = [];
      for (const stmt of item.body) {
        if (stmt.kind === 'input') {
          children.push({ name: stmt.name.text, detail: 'input', kind: SymbolKind.Variable, range: spanRange(stmt.span), selectionRange: spanRange(stmt.name.span) });
        } else if (stmt.kind === 'layer') {
          const layer = entry?.layers.find((l) => l.span.offset === stmt.span.offset);
          children.push({
            name: layer?.layer.name ?? stmt.type.text,
            detail: layer?.shape ? `${stmt.type.text} -> ${shapeText(layer.shape.outputShape)}` : stmt.type.text,
            kind: SymbolKind.Function, range: spanRange(stmt.span), selectionRange: spanRange(stmt.type.span),
          });
        }
      }
      symbols.push({ name: item.name.text, detail: 'model', kind: SymbolKind.Class, range: spanRange(item.span), selectionRange: spanRange(item.name.span), children });
    } else if (item.kind === 'dataset') {
      symbols.push({ name: item.name.text, detail: `dataset = ${item.source.text}`, kind: SymbolKind.Struct, range: spanRange(item.span), selectionRange: spanRange(item.name.span) });
    } else if (item.kind === 'train') {
      const name = item.alias?.text ?? item.model.text;
      symbols.push({ name, detail: `train ${item.model.text} on ${item.dataset.text}`, kind: SymbolKind.Event, range: spanRange(item.span), selectionRange: spanRange((item.alias ?? item.model).span) });
    }
  }
  return symbols;
}

/** A fold for every bracket that spans lines, and for runs of comment lines; from the tokens, so it works on files that do not parse. */
export function foldingRanges(text: string): FoldingRange[] {
  const lines = new LineIndex(text);
  const folds: FoldingRange[] = [];
  const stack: { image: string; line: number }[] = [];
  const pairs: Record<string, string> = { '}': '{', ')': '(', ']': '[' };
  for (const t of lexer.tokenize(text).tokens) {
    if (t.image === '{' || t.image === '(' || t.image === '[') stack.push({ image: t.image, line: lines.position(t.startOffset).line });
    else if (pairs[t.image] && stack.length && stack[stack.length - 1].image === pairs[t.image]) {
      const open = stack.pop()!;
      const endLine = lines.position(t.startOffset).line - 1;
      if (endLine > open.line) folds.push({ startLine: open.line, endLine });
    }
  }
  let start = -1;
  text.split('\n').forEach((line, i, all) => {
    const comment = /^\s*(#|\/\/)/.test(line);
    if (comment && start < 0) start = i;
    if ((!comment || i === all.length - 1) && start >= 0) {
      const end = comment ? i : i - 1;
      if (end > start) folds.push({ startLine: start, endLine: end, kind: 'comment' });
      start = -1;
    }
  });
  return folds;
}
