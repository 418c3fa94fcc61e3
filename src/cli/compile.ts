// `nnc compile` (placeholder until code generation lands).
import { UsageError } from './files.js';
import type { Io } from './main.js';
export function compileCommand(_inputs: string[], _flags: unknown, _io: Io): number {
  throw new UsageError('nnc compile is not available yet');
}
