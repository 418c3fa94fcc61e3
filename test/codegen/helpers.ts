// Compiling specs in-process for code generation tests.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { check } from '../../src/pipeline.js';
import { emit, emitData } from '../../src/codegen/emit.js';

export const host = { readFile: (f: string) => readFileSync(f, 'utf8') };

/** What `nnc compile <file> -o <outDir>` would write, without writing it. */
export function compileSpec(file: string, outDir: string, text = readFileSync(file, 'utf8')): Map<string, string> {
  const result = check(file, text, host);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${file}: ${errors.map((d) => `${d.span?.line}:${d.span?.column} ${d.message}`).join('; ')}`);
  const specDirFromOutput = path.relative(path.resolve(outDir), path.dirname(path.resolve(file))).split(path.sep).join('/') + '/';
  return emit(result.spec!, result.shapes, { source: file.split(path.sep).join('/'), specDirFromOutput, specText: text, spans: result.spans ?? undefined });
}

/** The binary files `nnc compile <file>` also writes (a Fashion-MNIST trainer's copy of the embedded subset). */
export function compileSpecData(file: string, text = readFileSync(file, 'utf8')): Map<string, Uint8Array> {
  return emitData(check(file, text, host).spec!);
}

/** Writes what `nnc compile <file> -o <outDir>` writes, text and data files, as it does. */
export function writeCompiled(file: string, outDir: string): void {
  for (const [rel, content] of [...compileSpec(file, outDir), ...compileSpecData(file)]) {
    mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
    writeFileSync(path.join(outDir, rel), content);
  }
}
