// Compiling specs in-process for code generation tests.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { check } from '../../src/pipeline.js';
import { emit } from '../../src/codegen/emit.js';

export const host = { readFile: (f: string) => readFileSync(f, 'utf8') };

/** What `nnc compile <file> -o <outDir>` would write, without writing it. */
export function compileSpec(file: string, outDir: string, text = readFileSync(file, 'utf8')): Map<string, string> {
  const result = check(file, text, host);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${file}: ${errors.map((d) => `${d.span?.line}:${d.span?.column} ${d.message}`).join('; ')}`);
  const specDirFromOutput = path.relative(path.resolve(outDir), path.dirname(path.resolve(file))).split(path.sep).join('/') + '/';
  return emit(result.spec!, result.shapes, { source: file.split(path.sep).join('/'), specDirFromOutput, specText: text });
}
