// `nnc lsp`: the language server, over stdio. It wires LSP requests to the workspace (checks, debouncing) and to the
// feature modules; everything it knows comes from the pipeline's `check` and the AST, with no parser of its own.
import * as path from 'node:path';
import { createConnection, ProposedFeatures, ResponseError, ErrorCodes, TextDocumentSyncKind, FileChangeType, type InlayHint, type Location, type TextEdit } from 'vscode-languageserver/node';
import { format } from '../format/format.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { FileNode } from '../syntax/ast.js';
import { codeActions } from './actions.js';
import { blockSignatures, completions, propertyHover, signatureHelp } from './complete.js';
import { toLsp } from './diagnostics.js';
import { inlayLabel, layerHover, modelHover } from './explain.js';
import { pathToUri, spanRange, uriToPath, within } from './positions.js';
import { declarationOf, documentSymbols, foldingRanges, occurrenceAt, occurrences, referencesOf, resolve, scopeOf } from './symbols.js';
import { Workspace } from './workspace.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function startServer(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<number> {
  const connection = createConnection(ProposedFeatures.all, input, output);
  const uris = new Map<string, string>();
  const uriOf = (file: string) => uris.get(file) ?? pathToUri(file);
  const debounce = Number(process.env.NNC_LSP_DEBOUNCE_MS ?? 100);
  const workspace = new Workspace((file: string, diagnostics: Diagnostic[]) => {
    const open = workspace.open.get(file);
    void connection.sendDiagnostics({ uri: uriOf(file), version: open?.version, diagnostics: diagnostics.map(toLsp) });
  }, Number.isFinite(debounce) && debounce >= 0 ? debounce : 100, (message) => connection.console.error(message));
  let shutdown = false;

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Full, save: false },
      hoverProvider: true,
      inlayHintProvider: true,
      completionProvider: { triggerCharacters: [':', '(', ' ', ','] },
      signatureHelpProvider: { triggerCharacters: ['(', ','] },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
    },
    serverInfo: { name: 'nnc', version: '0.1.0' },
  }));

  const file = (uri: string) => {
    const path = uriToPath(uri);
    uris.set(path, uri);
    return path;
  };
  connection.onDidOpenTextDocument(({ textDocument: d }) => workspace.set(d.uri, file(d.uri), d.text, d.version));
  connection.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => {
    const last = contentChanges[contentChanges.length - 1];
    if (last && !('range' in last && last.range)) workspace.set(d.uri, file(d.uri), last.text, d.version);
  });
  connection.onDidCloseTextDocument(({ textDocument: d }) => workspace.close(file(d.uri)));
  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const c of changes) if (c.type !== FileChangeType.Deleted || !workspace.open.has(uriToPath(c.uri))) workspace.invalidate(uriToPath(c.uri));
  });

  /** The open file, its analysis and the offset of a position in it. */
  const at = (uri: string, position?: { line: number; character: number }) => {
    const path = uriToPath(uri);
    const open = workspace.open.get(path);
    const analysis = workspace.analysis(path);
    if (!open || !analysis) return null;
    return { path, open, analysis, offset: position ? open.lines.offset(position) : 0 };
  };

  connection.languages.inlayHint.on(({ textDocument, range }) => {
    const ctx = at(textDocument.uri);
    if (!ctx) return [];
    const from = ctx.open.lines.offset(range.start);
    const to = ctx.open.lines.offset(range.end);
    const hints: InlayHint[] = [];
    for (const model of ctx.analysis.models) {
      for (const layer of model.layers) {
        const label = inlayLabel(layer);
        if (!label || layer.span.file !== ctx.path || layer.span.endOffset < from || layer.span.endOffset > to) continue;
        hints.push({ position: ctx.open.lines.position(layer.span.endOffset), label, paddingLeft: true });
      }
    }
    return hints;
  });

  connection.onHover(({ textDocument, position }) => {
    const ctx = at(textDocument.uri, position);
    if (!ctx) return null;
    const keyHover = argumentKeyAt(ctx.analysis.result.asts.get(ctx.path), ctx.offset);
    if (keyHover) return { contents: { kind: 'markdown', value: keyHover.text }, range: spanRange(keyHover.span) };
    for (const model of ctx.analysis.models) {
      if (model.span.file !== ctx.path || !within(ctx.offset, model.span)) continue;
      const layer = model.layers.find((l) => within(ctx.offset, l.span));
      if (layer) return { contents: { kind: 'markdown', value: layerHover(layer) }, range: spanRange(layer.span) };
      return { contents: { kind: 'markdown', value: modelHover(model) }, range: spanRange(model.nameSpan) };
    }
    // A model named in a `train` line: its summary.
    const ast = ctx.analysis.result.asts.get(ctx.path);
    const o = ast && occurrenceAt(ast, ctx.offset);
    if (o?.kind === 'model') {
      const decl = declarationOf('model', o.name.text, ctx.path, ctx.analysis.result.asts);
      const model = decl && ctx.analysis.models.find((m) => m.nameSpan.file === decl.name.span.file && m.nameSpan.offset === decl.name.span.offset);
      if (model) return { contents: { kind: 'markdown', value: modelHover(model) }, range: spanRange(o.name.span) };
    }
    return null;
  });

  connection.onCompletion(({ textDocument, position }) => {
    const ctx = at(textDocument.uri, position);
    if (!ctx) return [];
    const asts = ctx.analysis.result.asts;
    const names = { models: [] as string[], datasets: [] as string[], blocks: [] as { name: string; params: string[] }[] };
    for (const f of scopeOf(ctx.path, asts)) {
      for (const o of occurrences(asts.get(f)!)) {
        if (o.declaration && (o.kind === 'model' || o.kind === 'dataset')) (o.kind === 'model' ? names.models : names.datasets).push(o.name.text);
      }
      names.blocks.push(...blockSignatures(asts.get(f)!));
    }
    return completions(ctx.open.text, ctx.offset, names);
  });

  connection.onSignatureHelp(({ textDocument, position }) => {
    const ctx = at(textDocument.uri, position);
    return ctx ? signatureHelp(ctx.open.text, ctx.offset) : null;
  });

  /** The name under the cursor and its declaration, seen from the file it is in. */
  const symbolAt = (uri: string, position: { line: number; character: number }) => {
    const ctx = at(uri, position);
    const ast = ctx?.analysis.result.asts.get(ctx.path);
    const o = ctx && ast ? occurrenceAt(ast, ctx.offset) : null;
    if (!ctx || !o) return null;
    const decl = resolve(o, ctx.analysis.result.asts);
    return decl ? { ctx, occurrence: o, decl } : null;
  };
  const location = (span: { file: string } & Parameters<typeof spanRange>[0]): Location => ({ uri: uriOf(span.file), range: spanRange(span) });

  connection.onDefinition(({ textDocument, position }) => {
    const s = symbolAt(textDocument.uri, position);
    if (s) return location(s.decl.name.span);
    // On an import's path: the imported file.
    const ctx = at(textDocument.uri, position);
    const item = ctx?.analysis.result.asts.get(ctx.path)?.items.find((it) => it.kind === 'import' && within(ctx.offset, it.path.span));
    if (!ctx || item?.kind !== 'import') return null;
    const target = path.join(path.dirname(ctx.path), item.path.value);
    return ctx.analysis.result.sources.has(target) ? { uri: uriOf(target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } : null;
  });

  connection.onReferences(({ textDocument, position, context }) => {
    const s = symbolAt(textDocument.uri, position);
    if (!s) return [];
    return referencesOf(s.decl, workspace.allAsts()).filter((o) => context.includeDeclaration || !o.declaration).map((o) => location(o.name.span));
  });

  connection.onPrepareRename(({ textDocument, position }) => {
    const s = symbolAt(textDocument.uri, position);
    return s ? { range: spanRange(s.occurrence.name.span), placeholder: s.occurrence.name.text } : null;
  });

  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const s = symbolAt(textDocument.uri, position);
    if (!s) return null;
    if (!NAME.test(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `${newName} is not a name: use letters, digits and _, not starting with a digit`);
    const changes: Record<string, TextEdit[]> = {};
    for (const o of referencesOf(s.decl, workspace.allAsts())) {
      (changes[uriOf(o.name.span.file)] ??= []).push({ range: spanRange(o.name.span), newText: newName });
    }
    return { changes };
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const ctx = at(textDocument.uri);
    const ast = ctx?.analysis.result.asts.get(ctx.path);
    return ctx && ast ? documentSymbols(ast, ctx.analysis.models) : [];
  });

  connection.onFoldingRanges(({ textDocument }) => {
    const open = workspace.open.get(uriToPath(textDocument.uri));
    return open ? foldingRanges(open.text) : [];
  });

  connection.onCodeAction(({ textDocument, context }) => {
    const ctx = at(textDocument.uri);
    return ctx ? codeActions(textDocument.uri, context.diagnostics, ctx.analysis.result.asts.get(ctx.path), ctx.open.lines, ctx.analysis.models) : [];
  });

  const formatEdits = (uri: string, range?: { start: { line: number; character: number }; end: { line: number; character: number } }): TextEdit[] => {
    const open = workspace.open.get(uriToPath(uri));
    if (!open) return [];
    const result = format(open.text, open.path);
    if (!result.ok) return [];
    const from = range ? open.lines.offset(range.start) : 0;
    const to = range ? open.lines.offset(range.end) : open.text.length;
    return result.edits
      .filter((e) => e.end >= from && e.start <= to)
      .map((e) => ({ range: open.lines.range(e.start, e.end), newText: e.text }));
  };
  connection.onDocumentFormatting(({ textDocument }) => formatEdits(textDocument.uri));
  connection.onDocumentRangeFormatting(({ textDocument, range }) => formatEdits(textDocument.uri, range));

  connection.onShutdown(() => {
    shutdown = true;
  });
  return new Promise((resolve) => {
    connection.onExit(() => resolve(shutdown ? 0 : 1));
    connection.listen();
  });
}

/** The argument or train property name under the cursor, with its schema facts. */
function argumentKeyAt(ast: FileNode | undefined, offset: number): { text: string; span: Span } | null {
  for (const item of ast?.items ?? []) {
    if (!within(offset, item.span)) continue;
    if (item.kind === 'model') {
      for (const stmt of item.body) {
        if (stmt.kind !== 'layer') continue;
        const arg = stmt.args.find((a) => a.key && within(offset, a.key.span));
        const text = arg?.key && propertyHover({ layer: stmt.type.text }, arg.key.text);
        if (text) return { text, span: arg.key!.span };
      }
    } else if (item.kind === 'train') {
      const prop = item.props.find((p) => within(offset, p.key.span));
      const text = prop && propertyHover({ train: true }, prop.key.text);
      if (text) return { text, span: prop.key.span };
    }
  }
  return null;
}

/** `nnc lsp [--stdio]`: serves until the client says exit; exit code 0 after a shutdown request, 1 without. */
export async function lspCommand(): Promise<number> {
  const code = await startServer();
  return code;
}
