// `nnc fmt [--check] <files...>`: rewrites files in the canonical layout (src/format/format.ts), or, under --check,
// lists the files that would change and exits 1, like `prettier --check`. A file with syntax errors is left as it
// is, its errors printed, and the run exits 2.
import { renameSync, writeFileSync } from 'node:fs';
import { renderText } from '../diagnostics/render.js';
import { format } from '../format/format.js';
import { expandInputs, UsageError } from './files.js';
import type { Io } from './main.js';

export interface FmtFlags {
  check?: boolean;
}

/** Writes through a temporary file, so an interrupted run never leaves half a spec. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.nnc-fmt.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

export function fmtCommand(inputs: string[], flags: FmtFlags, io: Io): number {
  if (inputs.length === 0) throw new UsageError('nnc fmt needs at least one file, folder or glob');
  const files = expandInputs(inputs);
  let changed = 0;
  let failed = 0;
  for (const file of files) {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    const result = format(text, file);
    if (!result.ok) {
      failed++;
      for (const d of result.diagnostics) io.err(renderText(d, { sources: new Map([[file, text]]) }) + '\n');
      io.err(`error: cannot format ${file}: it has syntax errors`);
      continue;
    }
    if (result.text === text) continue;
    changed++;
    if (flags.check) io.out(`would reformat ${file}`);
    else {
      try {
        writeAtomically(file, result.text);
      } catch (e) {
        throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
      }
      io.out(`formatted ${file}`);
    }
  }
  const plural = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  if (flags.check) io.out(changed === 0 ? `${plural(files.length - failed)} already formatted` : `${plural(changed)} would be reformatted`);
  if (failed > 0) return 2;
  return flags.check && changed > 0 ? 1 : 0;
}
