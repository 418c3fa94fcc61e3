// `nnc summary`: a Keras-style table of every model in a spec, with parameter counts, FLOPs and memory.
// When a shape error stops inference, the table still shows the layers before it.
import { printable } from '../codegen/runtime/printable.js';
import { renderText } from '../diagnostics/render.js';
import { formatSummary, summaryJson } from '../shapes/summary.js';
import { checkFile, parseFormat } from './check.js';
import { UsageError } from './files.js';
import type { Io } from './main.js';

export function summaryCommand(inputs: string[], flags: { format?: string }, io: Io): number {
  const format = parseFormat(flags.format, ['text', 'json']);
  if (inputs.length !== 1) throw new UsageError('nnc summary takes one spec file');
  const r = checkFile(inputs[0], io);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (format === 'json') io.out(JSON.stringify(r.shapes.map(summaryJson), null, 2));
  else io.out(printable(r.shapes.map(formatSummary).join('\n\n')));
  for (const d of r.diagnostics) io.err(renderText(d, { sources: r.sources }) + '\n');
  return errors.length ? 1 : 0;
}
