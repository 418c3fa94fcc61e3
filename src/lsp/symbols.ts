// Names in .nn files for go-to-definition, references and rename: models and datasets are declared by
// `model NAME` and `dataset NAME = ...` and referenced by `train MODEL on DATASET`; a file sees its own names and
// those of the files it imports (transitively). Also the outline (document symbols) and folding ranges.
import * as path from 'node:path';
import type { DocumentSymbol, FoldingRange } from 'vscode-languageserver';
import { SymbolKind } from 'vscode-languageserver';
import { lexer } from '../../grammar/tokens.js';
import type { Span } from '../diagnostics/types.js';
import type { ArgNode, FileNode, NameNode, TrainNode } from '../syntax/ast.js';
import type { ModelEntry } from './layers-index.js';
import { LineIndex, spanRange } from './positions.js';

export type NameKind = 'model' | 'dataset' | 'block' | 'tensor';

export interface Occurrence {
  kind: NameKind;
  name: NameNode;
  declaration: boolean;
  /** For a tensor: the model or block it belongs to (tensor names are local to it). */
  scope?: Span;
}

// The graph syntax (blocks, named tensors) is read structurally, so these work on whichever AST the grammar has.
interface BodyStmt { kind: string; name?: NameNode; binding?: NameNode | null; stateBindings?: NameNode[]; type?: NameNode; args?: ArgNode[]; inputs?: ArgNode[] | null; span: Span }
interface AnyItem { kind: string; name?: NameNode; body?: BodyStmt[]; span: Span }

/** Bare names among a layer's arguments and inputs: `add(y, x)`, `conv2d(8)(x)`; tensors when one has that name. */
function tensorNames(stmt: BodyStmt): NameNode[] {
  const out: NameNode[] = [];
  for (const a of [...(stmt.inputs ?? []), ...(stmt.args ?? [])]) {
    if (!a.key && a.value.kind === 'call' && a.value.args === null) out.push(a.value.name);
  }
  // tensors a call passes by keyword: `(q, v, key: k)`, `(x, initial_state: [h, c])`
  for (const a of stmt.inputs ?? []) {
    if (!a.key) continue;
    for (const v of a.value.kind === 'list' ? a.value.items : [a.value]) if (v.kind === 'call' && v.args === null) out.push(v.name);
  }
  return out;
}

/** Every model, dataset, block and tensor name written in one file. */
export function occurrences(ast: FileNode): Occurrence[] {
  const out: Occurrence[] = [];
  for (const item of ast.items as unknown as AnyItem[]) {
    if ((item.kind === 'model' || item.kind === 'dataset' || item.kind === 'block') && item.name) {
      out.push({ kind: item.kind, name: item.name, declaration: true });
    } else if (item.kind === 'train') {
      const t = item as unknown as TrainNode;
      out.push({ kind: 'model', name: t.model, declaration: false });
      out.push({ kind: 'dataset', name: t.dataset, declaration: false });
    }
    for (const stmt of item.body ?? []) {
      if (stmt.kind === 'input' && stmt.name) out.push({ kind: 'tensor', name: stmt.name, declaration: true, scope: item.span });
      if (stmt.kind !== 'layer') continue;
      if (stmt.binding) out.push({ kind: 'tensor', name: stmt.binding, declaration: true, scope: item.span });
      for (const b of stmt.stateBindings ?? []) out.push({ kind: 'tensor', name: b, declaration: true, scope: item.span });
      if (stmt.type) out.push({ kind: 'block', name: stmt.type, declaration: false });
      for (const name of tensorNames(stmt)) out.push({ kind: 'tensor', name, declaration: false, scope: item.span });
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

/** Where `kind name`, as seen from `file`, is declared (models, datasets, blocks). */
export function declarationOf(kind: NameKind, name: string, file: string, asts: Map<string, FileNode>): Occurrence | null {
  for (const f of scopeOf(file, asts)) {
    const ast = asts.get(f);
    const found = ast && occurrences(ast).find((o) => o.declaration && o.kind === kind && o.name.text === name);
    if (found) return found;
  }
  return null;
}

const sameSpan = (a: Span, b: Span) => a.file === b.file && a.offset === b.offset;

/** The tensors of one name in one model or block: each binding and each use. */
function tensorsNamed(o: Occurrence, asts: Map<string, FileNode>): Occurrence[] {
  const ast = asts.get(o.name.span.file);
  return ast ? occurrences(ast).filter((x) => x.kind === 'tensor' && x.name.text === o.name.text && x.scope && o.scope && sameSpan(x.scope, o.scope)) : [];
}

/** What an occurrence refers to: its declaration (for a tensor, the binding before it), or null for no symbol. */
export function resolve(o: Occurrence, asts: Map<string, FileNode>): Occurrence | null {
  if (o.kind === 'tensor') {
    const decls = tensorsNamed(o, asts).filter((x) => x.declaration);
    if (o.declaration) return o;
    return decls.filter((d) => d.name.span.offset < o.name.span.offset).pop() ?? decls[0] ?? null;
  }
  return o.declaration ? o : declarationOf(o.kind, o.name.text, o.name.span.file, asts);
}

/** The declaration and every reference that resolves to it, in all files known; for a tensor, its name throughout its model or block. */
export function referencesOf(decl: Occurrence, asts: Map<string, FileNode>): Occurrence[] {
  if (decl.kind === 'tensor') return tensorsNamed(decl, asts);
  const out: Occurrence[] = [];
  for (const ast of asts.values()) {
    for (const o of occurrences(ast)) {
      if (o.kind !== decl.kind || o.name.text !== decl.name.text) continue;
      const target = resolve(o, asts);
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
