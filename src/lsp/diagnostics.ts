// nnc diagnostics as LSP diagnostics: the same code, message, notes and help as `nnc check`, the did-you-mean
// suggestions kept in `data` for code actions, and the place a message refers to (`opened at 3:12`, `is at 2:7`)
// as related information.
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Diagnostic } from '../diagnostics/types.js';
import { pathToUri, spanRange } from './positions.js';

const severities = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, note: DiagnosticSeverity.Information } as const;

export interface DiagnosticData {
  help?: string;
  suggestions?: string[];
  notes?: string[];
}

/** The text `nnc check` prints besides the source lines: the message, then `note:` and `help:` lines. */
export function messageText(d: Diagnostic): string {
  return [d.message, ...(d.notes ?? []).map((n) => `note: ${n}`), ...(d.help ? [`help: ${d.help}`] : [])].join('\n');
}

function related(d: Diagnostic): DiagnosticRelatedInformation[] {
  if (!d.span) return [];
  const m = /(?:opened|is) at (\d+):(\d+)/.exec(`${d.message} ${d.help ?? ''}`);
  if (!m) return [];
  const line = Number(m[1]) - 1;
  const character = Number(m[2]) - 1;
  const what = d.code === 'NN1005' ? 'opened here' : 'first declared here';
  return [{ location: { uri: pathToUri(d.span.file), range: { start: { line, character }, end: { line, character: character + 1 } } }, message: what }];
}

export function toLsp(d: Diagnostic): LspDiagnostic {
  const data: DiagnosticData = {};
  if (d.help) data.help = d.help;
  if (d.suggestions?.length) data.suggestions = d.suggestions;
  if (d.notes?.length) data.notes = d.notes;
  const out: LspDiagnostic = {
    range: d.span ? spanRange(d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: severities[d.severity],
    code: d.code,
    source: 'nnc',
    message: messageText(d),
    data,
  };
  const rel = related(d);
  if (rel.length) out.relatedInformation = rel;
  return out;
}
