// Quick fixes from diagnostics that carry one: each did-you-mean suggestion replaces the misspelt name; a help
// that writes the corrected input line (`input image: [28, 28, 1]`) replaces the input; "add a `flatten`" inserts
// one before the layer. The fix is always the one `nnc check` prints as help.
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { FileNode } from '../syntax/ast.js';
import type { DiagnosticData } from './diagnostics.js';
import type { LineIndex } from './positions.js';

export function codeActions(uri: string, diagnostics: LspDiagnostic[], ast: FileNode | undefined, lines: LineIndex): CodeAction[] {
  const actions: CodeAction[] = [];
  const fix = (title: string, d: LspDiagnostic, range: LspDiagnostic['range'], newText: string, preferred = false): CodeAction => ({
    title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred,
    edit: { changes: { [uri]: [{ range, newText }] } },
  });
  for (const d of diagnostics) {
    if (d.source !== 'nnc') continue;
    const data = (d.data ?? {}) as DiagnosticData;
    (data.suggestions ?? []).forEach((s, i) => actions.push(fix(`change to \`${s}\``, d, d.range, s, i === 0)));
    const help = data.help ?? '';
    const offset = lines.offset(d.range.start);
    const model = ast?.items.find((it) => it.kind === 'model' && offset >= it.span.offset && offset <= it.span.endOffset);
    if (model?.kind !== 'model') continue;
    const input = /`(input [A-Za-z_][A-Za-z0-9_]*: \[[^\]`]*\](?: as \w+)?)`/.exec(help);
    const inputStmt = model.body.find((s) => s.kind === 'input');
    if (input && inputStmt) {
      actions.push(fix(`write \`${input[1]}\``, d, lines.range(inputStmt.span.offset, inputStmt.span.endOffset), input[1], true));
    }
    if (/^add a `flatten`/.test(help)) {
      const stmt = model.body.find((s) => offset >= s.span.offset && offset <= s.span.endOffset);
      if (stmt) {
        const at = lines.position(stmt.span.offset);
        actions.push(fix('add a `flatten` before this layer', d, { start: at, end: at }, `flatten\n${' '.repeat(at.character)}`, true));
      }
    }
  }
  return actions;
}
