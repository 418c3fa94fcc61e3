// Where each part of the normalized spec came from. Keys are JSON pointers into the Spec
// (`/models/0/layers/3/kernel`); `value` spans the written value, `key` the argument or property name.
import type { Span } from '../diagnostics/types.js';

export interface SpanEntry {
  value: Span;
  key?: Span;
}

export class SpanIndex {
  private readonly entries = new Map<string, SpanEntry>();

  set(pointer: string, entry: SpanEntry): void {
    this.entries.set(pointer, entry);
  }

  /** The span of the value at `pointer`, or of its nearest ancestor that has one (defaults have no source). */
  valueAt(pointer: string): Span | null {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const e = this.entries.get(p);
      if (e) return e.value;
      if (p === '') return null;
    }
  }

  /** The span of the name written for `pointer` (argument or property key), else of its value. */
  keyAt(pointer: string): Span | null {
    return this.entries.get(pointer)?.key ?? this.valueAt(pointer);
  }

  has(pointer: string): boolean {
    return this.entries.has(pointer);
  }
}

export function pointer(...parts: (string | number)[]): string {
  return parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
