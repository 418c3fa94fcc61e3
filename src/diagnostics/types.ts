// A diagnostic is data: a catalog code, where it points, and the values its template needs.
// Rendering (text, JSON, SARIF) happens in render.ts; checkers never format messages themselves.

export type Severity = 'error' | 'warning' | 'note';

/** A source range. Lines and columns are 1-based; offsets are 0-based, `endOffset` exclusive. */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  offset: number;
  endOffset: number;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  span: Span | null;
  help?: string;
  /** Extra lines shown as `= note: ...` (e.g. the arithmetic behind a shape error). */
  notes?: string[];
  /** Replacement texts for the span, best first (did-you-mean). */
  suggestions?: string[];
}
