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
  /** Set on spans inside an expanded block: the use that expanded it (and, for a block inside a block, its use). */
  via?: Via;
}

export interface Via { block: string; line: number; column: number; via?: Via }

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
