// Quick fixes from diagnostics that carry one: each did-you-mean suggestion replaces the misspelt name; a help
// that writes the corrected input line (`input image: [28, 28, 1]`) replaces the input; "add a `flatten`" inserts
// one before the layer; "set `activation: sigmoid` on `dense_2`" and "give the last layer `dense_1` `units: 10`"
// set those arguments on that layer. The fix is always the one `nnc check` prints as help.
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type Range } from 'vscode-languageserver';
import { layerPositional } from '../normalize/tables.js';
import type { FileNode, LayerNode } from '../syntax/ast.js';
import type { DiagnosticData } from './diagnostics.js';
import type { ModelEntry } from './layers-index.js';
import type { LineIndex } from './positions.js';

interface Edit {
  range: Range;
  newText: string;
}

/** Edits that give `key` the value `value` in a layer statement: its value replaced, or the argument added. */
function setArgument(stmt: LayerNode, key: string, value: string, lines: LineIndex): Edit {
  const positional = layerPositional[stmt.type.text] ?? [];
  const named = stmt.args.find((a) => a.key?.text === key);
  const index = positional.indexOf(key);
  const unnamed = stmt.args.filter((a) => !a.key);
  const arg = named ?? (index >= 0 ? unnamed[index] : undefined);
  if (arg) return { range: lines.range(arg.value.span.offset, arg.value.span.endOffset), newText: value };
  const end = stmt.span.endOffset;
  if (lines.text[end - 1] !== ')') return { range: lines.range(end, end), newText: `(${key}: ${value})` };
  return { range: lines.range(end - 1, end - 1), newText: `${stmt.args.length ? ', ' : ''}${key}: ${value}` };
}

export function codeActions(uri: string, diagnostics: LspDiagnostic[], ast: FileNode | undefined, lines: LineIndex, models: ModelEntry[]): CodeAction[] {
  const actions: CodeAction[] = [];
  const fix = (title: string, d: LspDiagnostic, edits: Edit[], preferred = false): CodeAction => ({
    title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred, edit: { changes: { [uri]: edits } },
  });
  for (const d of diagnostics) {
    if (d.source !== 'nnc') continue;
    const data = (d.data ?? {}) as DiagnosticData;
    (data.suggestions ?? []).forEach((s, i) => actions.push(fix(`change to \`${s}\``, d, [{ range: d.range, newText: s }], i === 0)));
    const help = data.help ?? '';
    const offset = lines.offset(d.range.start);
    const model = ast?.items.find((it) => it.kind === 'model' && offset >= it.span.offset && offset <= it.span.endOffset);
    const layerNamed = /^(?:set|give|use) /.test(help) ? /(?:\bon |last layer )`([A-Za-z_]\w*)`/.exec(help) : null;
    if (layerNamed) {
      const entry = models.flatMap((m) => m.layers).find((l) => l.layer.name === layerNamed[1] && l.span.file === ast?.path);
      const stmt = entry && ast?.items.flatMap((it) => (it.kind === 'model' ? it.body : [])).find((s) => s.kind === 'layer' && s.span.offset === entry.span.offset);
      // The fix is the part before an alternative ("..., or list one label per output unit").
      const cut = help.indexOf(', or ');
      const settings = [...(cut < 0 ? help : help.slice(0, cut)).matchAll(/`([a-z_]+): ([^`]+)`/g)];
      if (stmt?.kind === 'layer' && settings.length) {
        const edits = settings.map((m) => setArgument(stmt, m[1], m[2], lines));
        actions.push(fix(`set ${settings.map((m) => `\`${m[1]}: ${m[2]}\``).join(' and ')} on \`${layerNamed[1]}\``, d, edits, true));
      }
    }
    if (model?.kind !== 'model') continue;
    const input = /`(input [A-Za-z_][A-Za-z0-9_]*: \[[^\]`]*\](?: as \w+)?)`/.exec(help);
    const inputStmt = model.body.find((s) => s.kind === 'input');
    if (input && inputStmt) {
      actions.push(fix(`write \`${input[1]}\``, d, [{ range: lines.range(inputStmt.span.offset, inputStmt.span.endOffset), newText: input[1] }], true));
    }
    if (/^add a `flatten`/.test(help)) {
      const stmt = model.body.find((s) => offset >= s.span.offset && offset <= s.span.endOffset);
      if (stmt) {
        const at = lines.position(stmt.span.offset);
        actions.push(fix('add a `flatten` before this layer', d, [{ range: { start: at, end: at }, newText: `flatten\n${' '.repeat(at.character)}` }], true));
      }
    }
  }
  return actions;
}
