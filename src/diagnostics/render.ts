// Diagnostic renderers: rustc-style text, JSON (one object per diagnostic), and SARIF 2.1.0.
import type { Diagnostic, Span } from './types.js';
import { catalog, describe } from './catalog.js';
import { printable } from '../codegen/runtime/printable.js';

export type Format = 'text' | 'json' | 'sarif';

export interface RenderOptions {
  color?: boolean;
  /** Source text by file, for the quoted line under each diagnostic. */
  sources: Map<string, string>;
}

const paint = (on: boolean | undefined, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
const severityColor = { error: '1;31', warning: '1;33', note: '1;36' } as const;

/** Longest stretch of a source line quoted under a diagnostic; longer lines show a window around the column. */
const MAX_QUOTED_LINE = 200;
/** Characters shown before the column when a long line is cut. */
const CONTEXT_BEFORE = 40;

/**
 * The part of the span's line to quote, and the span's column (1-based) within it. Only the window is read: on a
 * 1 MB line with thousands of diagnostics, reading the whole line for each would be quadratic.
 */
function quotedLine(sources: Map<string, string>, span: Span): { text: string; column: number; cutEnd: boolean } | null {
  const text = sources.get(span.file);
  if (text === undefined || !(span.offset >= 0 && span.offset <= text.length)) return null;
  let lineStart = span.offset - (span.column - 1);
  // Spans count columns from their line's start; if one does not, find the start the slow way.
  if (!(lineStart >= 0 && (lineStart === 0 || text[lineStart - 1] === '\n' || text[lineStart - 1] === '\r'))) lineStart = text.lastIndexOf('\n', span.offset - 1) + 1;
  const column = span.offset - lineStart + 1;
  const from = column - 1 > MAX_QUOTED_LINE - 3 ? span.offset - CONTEXT_BEFORE : lineStart;
  const head = from > lineStart ? '...' : '';
  const ahead = text.slice(from, from + MAX_QUOTED_LINE + 1);
  const newline = ahead.indexOf('\n');
  let body = newline < 0 ? ahead : ahead.slice(0, newline);
  const cutEnd = body.length > MAX_QUOTED_LINE;
  if (cutEnd) body = body.slice(0, MAX_QUOTED_LINE);
  return { text: head + body.replace(/\r$/, '') + (cutEnd ? '...' : ''), column: span.offset - from + 1 + head.length, cutEnd };
}

/**
 *   error[NN3002]: kernel 5x5 does not fit 3x3 input of conv2
 *     --> specs/cnn.nn:14:38
 *      |
 *   14 |   conv2d(64, kernel: 5)
 *      |                      ^
 *      = help: ...
 */
export function renderText(d: Diagnostic, opts: RenderOptions): string {
  const c = opts.color;
  // Messages quote names from the spec: escaped, so they cannot carry terminal control sequences.
  const out = [`${paint(c, severityColor[d.severity], `${d.severity}[${d.code}]`)}${paint(c, '1', `: ${printable(d.message, 'none')}`)}`];
  if (d.span) {
    const s = d.span;
    const quoted = quotedLine(opts.sources, s);
    const gutter = ' '.repeat(String(s.line).length);
    out.push(`${gutter}${paint(c, '1;34', '-->')} ${printable(s.file, 'none')}:${s.line}:${s.column}`);
    if (quoted !== null) {
      // Escaping lengthens the line: the column and the underline are measured on the escaped text.
      const raw = quoted.text;
      const rawWidth = s.endLine === s.line ? Math.max(1, s.endColumn - s.column) : raw.length;
      const before = printable(raw.slice(0, quoted.column - 1), 'tabs');
      const line = before + printable(raw.slice(quoted.column - 1), 'tabs');
      const column = before.length + 1;
      const spanWidth = printable(raw.slice(quoted.column - 1, quoted.column - 1 + rawWidth), 'tabs').length;
      // Tabs are shown as they are so carets stay under the right characters; a span over several lines is
      // underlined to the end of its first.
      const width = s.endLine === s.line ? spanWidth : line.length;
      const pad = line.slice(0, column - 1).replace(/[^\t]/g, ' ');
      out.push(`${gutter} ${paint(c, '1;34', '|')}`);
      out.push(`${paint(c, '1;34', `${s.line} |`)} ${line}`);
      out.push(`${gutter} ${paint(c, '1;34', '|')} ${pad}${paint(c, severityColor[d.severity], '^'.repeat(Math.max(1, Math.min(width, line.length - column + 1 - (quoted.cutEnd ? 3 : 0)))))}`);
    }
  }
  const indent = d.span ? ' '.repeat(String(d.span.line).length) + ' ' : '';
  for (const note of d.notes ?? []) out.push(`${indent}${paint(c, '1;34', '=')} note: ${printable(note, 'none')}`);
  if (d.help) out.push(`${indent}${paint(c, '1;34', '=')} help: ${printable(d.help, 'none')}`);
  return out.join('\n');
}

export function summaryLine(diagnostics: Diagnostic[], files: number): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')}`;
}

export interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  file: string | null;
  range: { start: { line: number; column: number; offset: number }; end: { line: number; column: number; offset: number } } | null;
  help: string | null;
  notes: string[];
  suggestions: string[];
}

export function toJson(d: Diagnostic): JsonDiagnostic {
  const s = d.span;
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: s?.file ?? null,
    range: s ? { start: { line: s.line, column: s.column, offset: s.offset }, end: { line: s.endLine, column: s.endColumn, offset: s.endOffset } } : null,
    help: d.help ?? null,
    notes: d.notes ?? [],
    suggestions: d.suggestions ?? [],
  };
}

const sarifLevel = { error: 'error', warning: 'warning', note: 'note' } as const;

/** One SARIF 2.1.0 log with one run; rules are the catalog entries used. */
export function toSarif(diagnostics: Diagnostic[], version: string): object {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nnc',
            version,
            informationUri: 'https://github.com/nnc-dev/nnc',
            rules: codes.map((code) => ({
              id: code,
              // A rule describes every diagnostic of its code, so the values one of them fills in are elided.
              shortDescription: { text: describe(catalog[code].template) },
              defaultConfiguration: { level: sarifLevel[catalog[code].severity] },
              ...(catalog[code].help ? { help: { text: describe(catalog[code].help!) } } : {}),
            })),
          },
        },
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          ruleIndex: codes.indexOf(d.code),
          level: sarifLevel[d.severity],
          message: { text: d.help ? `${d.message}\nhelp: ${d.help}` : d.message },
          ...(d.span
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: d.span.file.split('\\').join('/') },
                      region: { startLine: d.span.line, startColumn: d.span.column, endLine: d.span.endLine, endColumn: d.span.endColumn },
                    },
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
}
