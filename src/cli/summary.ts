// `nnc summary` (placeholder until shape inference lands).
import { UsageError } from './files.js';
import type { Io } from './main.js';
export function summaryCommand(_inputs: string[], _flags: unknown, _io: Io): number {
  throw new UsageError('nnc summary is not available yet');
}
