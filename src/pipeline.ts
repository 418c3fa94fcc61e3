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
import { checkRuntimeLimits } from './shapes/runtime-limits.js';
import { checkDataContracts } from './shapes/data-contracts.js';

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
  /** Canonical path (symlinks resolved); import cycles are found by it. Default: the path as written. */
  realPath?(file: string): string;
  /** Check the data files that datasets name, where they exist (`nnc check`); off for in-memory checks and editors. */
  dataFiles?: boolean;
}

/** `target.push(...items)` without spreading: 100,000+ arguments overflow the stack. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

const byPosition = (a: Diagnostic, b: Diagnostic) =>
  (a.span?.file ?? '').localeCompare(b.span?.file ?? '') || (a.span?.offset ?? 0) - (b.span?.offset ?? 0);

/**
 * One diagnostic per source position: a later phase tripping over a value already reported adds nothing. The first
 * error wins over a warning at the same place: a layer that reaches no output (a warning) and cannot take its input
 * (an error) must show the error (the differential test on graphs found it hidden).
 */
function firstPerPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  const kept = new Map<string, Diagnostic>();
  for (const d of diagnostics) {
    if (!d.span) continue;
    const key = `${d.span.file}:${d.span.offset}`;
    const first = kept.get(key);
    if (!first || (first.severity !== 'error' && d.severity === 'error')) kept.set(key, d);
  }
  return diagnostics.filter((d) => !d.span || kept.get(`${d.span.file}:${d.span.offset}`) === d);
}

/** A cycle as the message shows it: a 10,000-file chain is cut to its ends. */
function cycleText(chain: string[]): string {
  const shown = chain.length > 12 ? [...chain.slice(0, 5), `... (${chain.length - 10} more)`, ...chain.slice(-5)] : chain;
  return shown.join(' -> ');
}

/**
 * Parses `file` and, transitively, the files it imports, depth first with an explicit stack (a chain 10,000
 * imports deep must not overflow the call stack). Import paths resolve against the importing file's folder, absolute
 * ones as written; a file is known by its real path, so a cycle through a symlinked folder is still a cycle.
 */
function parseWithImports(file: string, text: string, host: Host, sources: Map<string, string>, diagnostics: Diagnostic[], asts: Map<string, FileNode>) {
  const main = parseSource(text, file);
  asts.set(file, main.ast);
  append(diagnostics, main.diagnostics);
  const imported: FileNode[] = [];
  const real = (f: string) => host.realPath?.(f) ?? f;
  const frames: { ast: FileNode; key: string; next: number }[] = [{ ast: main.ast, key: real(file), next: 0 }];
  const chain: string[] = [file];
  const onChain = new Set<string>([frames[0].key]);
  const read = new Set<string>([frames[0].key]);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    const items = frame.ast.items;
    while (frame.next < items.length && items[frame.next].kind !== 'import') frame.next++;
    if (frame.next >= items.length) {
      frames.pop();
      chain.pop();
      onChain.delete(frame.key);
      continue;
    }
    const item = items[frame.next++];
    if (item.kind !== 'import') continue;
    const written = item.path.value;
    const target = path.isAbsolute(written) ? path.normalize(written) : path.join(path.dirname(frame.ast.path), written);
    const key = real(target);
    if (onChain.has(key)) {
      diagnostics.push(diag('NN1009', item.path.span, { cycle: cycleText([...chain, target]) }));
      continue;
    }
    if (read.has(key) || sources.has(target)) continue;
    let content: string;
    try {
      content = host.readFile(target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      diagnostics.push(diag('NN1007', item.path.span, { path: target, reason: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message }));
      continue;
    }
    read.add(key);
    sources.set(target, content);
    const parsed = parseSource(content, target);
    append(diagnostics, parsed.diagnostics);
    asts.set(target, parsed.ast);
    imported.push(parsed.ast);
    frames.push({ ast: parsed.ast, key, next: 0 });
    chain.push(target);
    onChain.add(key);
  }
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

  const { raw, layerNames, spans, diagnostics: normalizeDiagnostics } = normalize(main, imported);
  append(diagnostics, normalizeDiagnostics);
  append(diagnostics, validateSpec(raw as unknown as JsonObject, spans));
  const spec = raw as unknown as Spec;
  append(diagnostics, complete(spec, spans, layerNames));
  // Shapes are only meaningful on a spec that parsed and validated cleanly.
  if (diagnostics.some((d) => d.severity === 'error')) return result(spec, spans);

  const { shapes, diagnostics: shapeDiagnostics } = inferAll(spec, spans);
  append(diagnostics, shapeDiagnostics);
  append(diagnostics, checkRuntimeLimits(spec, spans, shapes));
  const specDir = opts.specDir ?? path.dirname(file);
  append(diagnostics, checkContracts(spec, spans, shapes, { specDir }));
  if (host.dataFiles) append(diagnostics, checkDataContracts(spec, spans, shapes, { specDir }));
  return result(spec, spans, shapes);
}
