// Runs one fuzz input through the front end the way the CLI would (check, render every diagnostic as text,
// JSON and SARIF, print the summary, emit the trainer when the spec is clean) and judges the outcome.
// Shared by test/fuzz/*.test.ts and bench/fuzz.ts.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { check } from '../../src/pipeline.js';
import { catalog } from '../../src/diagnostics/catalog.js';
import { renderText, toJson, toSarif } from '../../src/diagnostics/render.js';
import { formatSummary } from '../../src/shapes/summary.js';
import { emit } from '../../src/codegen/emit.js';
import type { ModelShapeInfo } from '../../src/shapes/infer.js';

export interface FuzzInput {
  /** Path of the spec the input pretends to be (so data paths resolve against specs/). */
  file: string;
  text: string;
}

export interface FuzzOutcome {
  /** null when the input ended with diagnostics or success; otherwise what went wrong. */
  failure: string | null;
  ms: number;
  errors: number;
  /** Characters of the longest diagnostic as `nnc check` prints it. */
  longestRendered: number;
}

/** An import resolves only to these in-memory files; anything else is "no such file", never the real disk. */
export function fuzzHost(root: string) {
  const files = new Map([
    [path.join(root, 'lib.nn'), 'model Lib {\n  input x: [4]\n  dense(3, activation: softmax)\n}\n'],
    [path.join(root, 'self.nn'), 'import "self.nn"\n'],
  ]);
  return {
    readFile(file: string): string {
      const text = files.get(file);
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return text;
    },
  };
}

const placeholder = /\{[a-z_]+\}/;

/**
 * `nnc summary` prints parameter counts and sizes digit by digit: each must be an exact integer, not 1e+40 or
 * Infinity. FLOPs and bytes are printed in units (TFLOPs, TiB), so they need only be finite.
 */
function inexactCount(info: ModelShapeInfo): string | null {
  const exact: [string, number][] = [
    ['total params', info.totalParams],
    ...info.layers.flatMap((l) => [[`${l.name} params`, l.params], ...l.outputShape.map((d) => [`${l.name} output size`, d ?? 0])] as [string, number][]),
  ];
  const bad = exact.find(([, n]) => !Number.isSafeInteger(n))
    ?? ([['FLOPs', info.flops], ['weight bytes', info.weightBytes], ['activation bytes', info.activationBytes]] as [string, number][]).find(([, n]) => !(n < 1e18));
  return bad ? `summary of ${info.model} would print ${bad[0]} = ${bad[1]}` : null;
}

/** What must hold of every diagnostic: a catalog code, a filled message, a sane position. */
function badDiagnostic(d: { code: string; message: string; span: { line: number; column: number; offset: number } | null }): string | null {
  if (!(d.code in catalog)) return `diagnostic code ${d.code} is not in the catalog`;
  if (placeholder.test(d.message) || /undefined|\[object Object\]/.test(d.message)) return `${d.code} message not filled in: ${d.message.slice(0, 200)}`;
  if (d.message.length > 2000) return `${d.code} message is ${d.message.length} characters long`;
  if (d.span && !(d.span.line >= 1 && d.span.column >= 1 && d.span.offset >= 0)) return `${d.code} has a bad position ${JSON.stringify(d.span)}`;
  return null;
}

export function runInput(input: FuzzInput, host = fuzzHost(path.dirname(input.file))): FuzzOutcome {
  const start = performance.now();
  let failure: string | null = null;
  let errors = 0;
  let longestRendered = 0;
  try {
    const r = check(input.file, input.text, host);
    for (const d of r.diagnostics) {
      failure ??= badDiagnostic(d);
      longestRendered = Math.max(longestRendered, renderText(d, { sources: r.sources }).length);
      toJson(d);
    }
    JSON.stringify(toSarif(r.diagnostics, '0.0.0'));
    errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    for (const info of r.shapes) {
      formatSummary(info);
      failure ??= inexactCount(info);
    }
    if (errors === 0) {
      if (!r.spec) failure ??= 'no errors, but no spec either';
      else if (r.spec.trainings.length > 0) emit(r.spec, r.shapes, { source: input.file, specDirFromOutput: '../specs/' });
    }
  } catch (e) {
    failure = `uncaught ${(e as Error)?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)}`.slice(0, 500);
  }
  return { failure, ms: performance.now() - start, errors, longestRendered };
}

/** The spec files every mutation starts from. */
export function seedSpecs(dir = 'specs'): FuzzInput[] {
  return readdirSync(dir).filter((f) => f.endsWith('.nn')).sort().map((name) => ({ file: path.join(dir, name), text: readFileSync(path.join(dir, name), 'utf8') }));
}

/** A short, printable description of an input for reports: its length and its start. */
export function describeInput(input: FuzzInput): string {
  const head = JSON.stringify(input.text.slice(0, 160));
  return `${input.file}, ${input.text.length} chars: ${head}${input.text.length > 160 ? '...' : ''}`;
}
