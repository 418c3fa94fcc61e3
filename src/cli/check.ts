// `nnc check`: runs every check on each file and prints the diagnostics.
import { check, type CheckResult } from '../pipeline.js';
import { renderText, summaryLine, toJson, toSarif, type Format } from '../diagnostics/render.js';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { expandInputs, UsageError } from './files.js';
import { VERSION, type Io } from './main.js';

export interface CheckFlags {
  format?: string;
  quiet?: boolean;
  'max-errors'?: string;
  'deny-warnings'?: boolean;
  'no-color'?: boolean;
}

export function parseFormat(value: string | undefined, allowed: Format[]): Format {
  const format = (value ?? 'text') as Format;
  if (!allowed.includes(format)) throw new UsageError(`unknown format ${value}; expected ${allowed.join(', ')}`);
  return format;
}

/** Reads and checks one file; an unreadable file is a usage error (exit 2), not a diagnostic. */
export function checkFile(file: string, io: Io, opts: { dataFiles?: boolean } = {}): CheckResult {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return check(file, text, { readFile: io.readFile, realPath: io.realPath, dataFiles: opts.dataFiles });
}

export function checkCommand(inputs: string[], flags: CheckFlags, io: Io): number {
  const format = parseFormat(flags.format, ['text', 'json', 'sarif']);
  const maxErrors = flags['max-errors'] === undefined ? Infinity : Number(flags['max-errors']);
  if (!(maxErrors > 0) || !Number.isInteger(maxErrors) && maxErrors !== Infinity) throw new UsageError(`--max-errors expects a positive integer, found ${flags['max-errors']}`);
  if (inputs.length === 0) throw new UsageError('nnc check needs at least one file, folder or glob');
  const files = expandInputs(inputs);
  // `nnc check` also looks at the data files the specs name (where they exist); compile and summary leave that to it
  const results = files.map((f) => checkFile(f, io, { dataFiles: true }));
  const sources = new Map<string, string>();
  for (const r of results) for (const [k, v] of r.sources) sources.set(k, v);

  let all: Diagnostic[] = results.flatMap((r) => r.diagnostics);
  if (flags.quiet) all = all.filter((d) => d.severity === 'error');
  let shown = all;
  const errorCount = all.filter((d) => d.severity === 'error').length;
  if (errorCount > maxErrors) {
    let n = 0;
    shown = all.filter((d) => d.severity !== 'error' || ++n <= maxErrors);
    shown.push(diag('NN1010', null, { count: maxErrors }, { severity: 'note' }));
  }

  if (format === 'json') io.out(JSON.stringify(shown.map(toJson), null, 2));
  else if (format === 'sarif') io.out(JSON.stringify(toSarif(shown, VERSION), null, 2));
  else {
    const color = io.isTTY && !flags['no-color'] && !process.env.NO_COLOR;
    for (const d of shown) io.out(renderText(d, { color, sources }) + '\n');
    if (!flags.quiet || errorCount > 0) io.out(summaryLine(all, files.length));
  }
  const failed = all.some((d) => d.severity === 'error' || (flags['deny-warnings'] && d.severity === 'warning'));
  return failed ? 1 : 0;
}
