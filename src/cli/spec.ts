// `nnc spec`: the normalized spec of one file as JSON (what the compiler works from).
import { renderText } from '../diagnostics/render.js';
import { checkFile } from './check.js';
import { UsageError } from './files.js';
import type { Io } from './main.js';

export function specCommand(inputs: string[], io: Io): number {
  if (inputs.length !== 1) throw new UsageError('nnc spec takes one file');
  const r = checkFile(inputs[0], io);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) io.err(renderText(d, { sources: r.sources }) + '\n');
  if (errors.length || !r.spec) return 1;
  io.out(JSON.stringify(r.spec, null, 2));
  return 0;
}
