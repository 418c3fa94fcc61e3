// The compiler's phases, in order. Each phase is a module of its own, tested on its own output:
//   1. parse      source text -> AST (grammar/, src/syntax/)          NN1xxx
//   2. normalize  AST -> raw spec JSON + spans (src/normalize/)       NN2xxx
//   3. validate   JSON Schema with defaults (src/schema/)             NN2xxx
//   4. shapes     shape inference + contracts (src/shapes/)           NN3xxx, NN4xxx
//   5. emit       checked spec -> generated files (src/codegen/)      (no diagnostics: checks come first)
import * as path from 'node:path';
import { diag } from './diagnostics/catalog.js';
import type { Diagnostic } from './diagnostics/types.js';
import { normalize } from './normalize/normalize.js';
import { complete } from './normalize/complete.js';
import type { JsonObject } from './normalize/values.js';
import { validateSpec } from './schema/validate.js';
import type { SpanIndex } from './spec/spans.js';
import type { Spec } from './spec/types.js';
import type { FileNode } from './syntax/ast.js';
import { parseSource } from './syntax/parse.js';
import { inferAll, checkContracts, type ModelShapeInfo } from './shapes/infer.js';

export type { ModelShapeInfo };

export interface CheckResult {
  file: string;
  /** Present when parsing got far enough to normalize; complete only when there are no errors. */
  spec: Spec | null;
  spans: SpanIndex | null;
  shapes: ModelShapeInfo[];
  diagnostics: Diagnostic[];
  /** Source text of every file read, for rendering diagnostics. */
  sources: Map<string, string>;
  /** The AST of every file parsed (the checked file and its imports), for editors: symbols, folding, formatting. */
  asts: Map<string, FileNode>;
}

export interface Host {
  readFile(file: string): string;
}

/** `target.push(...items)` without spreading: 100,000+ arguments overflow the stack. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

const byPosition = (a: Diagnostic, b: Diagnostic) =>
  (a.span?.file ?? '').localeCompare(b.span?.file ?? '') || (a.span?.offset ?? 0) - (b.span?.offset ?? 0);

/** One diagnostic per source position: a later phase tripping over a value already reported adds nothing. */
function firstPerPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    if (!d.span) return true;
    const key = `${d.span.file}:${d.span.offset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Parses `file` and, transitively, the files it imports. */
function parseWithImports(file: string, text: string, host: Host, sources: Map<string, string>, diagnostics: Diagnostic[], asts: Map<string, FileNode>) {
  const main = parseSource(text, file);
  asts.set(file, main.ast);
  append(diagnostics, main.diagnostics);
  const imported: FileNode[] = [];
  const visit = (ast: FileNode, chain: string[]) => {
    for (const item of ast.items) {
      if (item.kind !== 'import') continue;
      const target = path.join(path.dirname(ast.path), item.path.value);
      if (chain.includes(target)) {
        diagnostics.push(diag('NN1009', item.path.span, { cycle: [...chain, target].join(' -> ') }));
        continue;
      }
      if (sources.has(target)) continue;
      let content: string;
      try {
        content = host.readFile(target);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        diagnostics.push(diag('NN1007', item.path.span, { path: target, reason: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message }));
        continue;
      }
      sources.set(target, content);
      const parsed = parseSource(content, target);
      append(diagnostics, parsed.diagnostics);
      asts.set(target, parsed.ast);
      imported.push(parsed.ast);
      visit(parsed.ast, [...chain, target]);
    }
  };
  visit(main.ast, [file]);
  return { main: main.ast, imported };
}

/** Runs phases 1-4 on one spec file's text. */
export function check(file: string, text: string, host: Host, opts: { specDir?: string } = {}): CheckResult {
  const sources = new Map([[file, text]]);
  const diagnostics: Diagnostic[] = [];
  const asts = new Map<string, FileNode>();
  const result = (spec: Spec | null, spans: SpanIndex | null, shapes: ModelShapeInfo[] = []): CheckResult => ({
    file, spec, spans, shapes, diagnostics: firstPerPosition(diagnostics.sort(byPosition)), sources, asts,
  });

  const { main, imported } = parseWithImports(file, text, host, sources, diagnostics, asts);
  if (main.items.length === 0 && diagnostics.length > 0) return result(null, null);

  const { raw, spans, diagnostics: normalizeDiagnostics } = normalize(main, imported);
  append(diagnostics, normalizeDiagnostics);
  append(diagnostics, validateSpec(raw as unknown as JsonObject, spans));
  const spec = raw as unknown as Spec;
  append(diagnostics, complete(spec, spans));
  // Shapes are only meaningful on a spec that parsed and validated cleanly.
  if (diagnostics.some((d) => d.severity === 'error')) return result(spec, spans);

  const { shapes, diagnostics: shapeDiagnostics } = inferAll(spec, spans);
  append(diagnostics, shapeDiagnostics);
  append(diagnostics, checkContracts(spec, spans, shapes, { specDir: opts.specDir ?? path.dirname(file) }));
  return result(spec, spans, shapes);
}
