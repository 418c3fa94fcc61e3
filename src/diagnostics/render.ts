// Diagnostic renderers: rustc-style text, JSON (one object per diagnostic), and SARIF 2.1.0.
import type { Diagnostic, Span } from './types.js';
import { catalog } from './catalog.js';

export type Format = 'text' | 'json' | 'sarif';

export interface RenderOptions {
  color?: boolean;
  /** Source text by file, for the quoted line under each diagnostic. */
  sources: Map<string, string>;
}

const paint = (on: boolean | undefined, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
const severityColor = { error: '1;31', warning: '1;33', note: '1;36' } as const;

function sourceLine(sources: Map<string, string>, span: Span): string | null {
  const text = sources.get(span.file);
  if (text === undefined) return null;
  const line = text.split('\n')[span.line - 1];
  return line === undefined ? null : line.replace(/\r$/, '');
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
  const out = [`${paint(c, severityColor[d.severity], `${d.severity}[${d.code}]`)}${paint(c, '1', `: ${d.message}`)}`];
  if (d.span) {
    const s = d.span;
    const line = sourceLine(opts.sources, s);
    const gutter = ' '.repeat(String(s.line).length);
    out.push(`${gutter}${paint(c, '1;34', '-->')} ${s.file}:${s.line}:${s.column}`);
    if (line !== null) {
      // Tabs are shown as they are so carets stay under the right characters.
      const width = s.endLine === s.line ? Math.max(1, s.endColumn - s.column) : Math.max(1, line.length - s.column + 1);
      const pad = line.slice(0, s.column - 1).replace(/[^\t]/g, ' ');
      out.push(`${gutter} ${paint(c, '1;34', '|')}`);
      out.push(`${paint(c, '1;34', `${s.line} |`)} ${line}`);
      out.push(`${gutter} ${paint(c, '1;34', '|')} ${pad}${paint(c, severityColor[d.severity], '^'.repeat(Math.min(width, 200)))}`);
    }
  }
  const indent = d.span ? ' '.repeat(String(d.span.line).length) + ' ' : '';
  for (const note of d.notes ?? []) out.push(`${indent}${paint(c, '1;34', '=')} note: ${note}`);
  if (d.help) out.push(`${indent}${paint(c, '1;34', '=')} help: ${d.help}`);
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
              shortDescription: { text: catalog[code].template },
              defaultConfiguration: { level: sarifLevel[catalog[code].severity] },
              ...(catalog[code].help ? { help: { text: catalog[code].help } } : {}),
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
