// The files the editor has open, their check results, and when to check them. Every open file is checked as a spec
// of its own with the pipeline's `check`, reading imported files from the editor's buffers where open and from disk
// otherwise. A change re-checks the file and every open file that imports it. Checks are debounced: a change made
// while the server is idle is checked at once; changes arriving within `debounceMs` of the last check are gathered
// into one more check when that time is up.
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/types.js';
import { check, type CheckResult } from '../pipeline.js';
import { indexModels, type ModelEntry } from './layers-index.js';
import { LineIndex } from './positions.js';

export interface OpenFile {
  uri: string;
  path: string;
  text: string;
  version: number;
  lines: LineIndex;
}

export interface Analysis {
  result: CheckResult;
  models: ModelEntry[];
}

export class Workspace {
  readonly open = new Map<string, OpenFile>();
  private readonly analyses = new Map<string, Analysis>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private lastRun = 0;
  /** Files whose diagnostics were last published, with their text: to clear them, and to skip repeats for files no check touched. */
  private published = new Map<string, string>();

  constructor(
    private readonly publish: (path: string, diagnostics: Diagnostic[]) => void,
    private readonly debounceMs = 100,
    private readonly onError: (message: string) => void = (m) => process.stderr.write(m + '\n'),
  ) {}

  private readFile = (file: string): string => this.open.get(file)?.text ?? readFileSync(file, 'utf8');

  set(uri: string, path: string, text: string, version: number): void {
    this.open.set(path, { uri, path, text, version, lines: new LineIndex(text) });
    this.invalidate(path);
  }

  close(path: string): void {
    this.open.delete(path);
    this.analyses.delete(path);
    this.invalidate(path);
  }

  /** A file changed (in the editor or on disk): it and every open file that reads it are checked again. */
  invalidate(path: string): void {
    if (this.open.has(path)) this.pending.add(path);
    for (const [root, a] of this.analyses) if (a.result.sources.has(path)) this.pending.add(root);
    if (this.pending.size === 0 && !this.published.has(path)) return;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastRun + this.debounceMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Checks whatever is pending now and publishes the diagnostics that changed. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const roots = [...this.pending];
    this.pending.clear();
    for (const root of roots) {
      const file = this.open.get(root);
      if (!file) continue;
      try {
        const result = check(root, file.text, { readFile: this.readFile });
        this.analyses.set(root, { result, models: indexModels(result) });
      } catch (e) {
        // A bug in a checker must not take the server down with every open file: say so, keep the last analysis.
        this.onError(`nnc: internal error checking ${root}: ${(e as Error)?.stack ?? e}`);
      }
    }
    this.lastRun = Date.now();
    this.publishAll(new Set(roots));
  }

  /** The analysis of an open file, checked first if a change is pending. */
  analysis(path: string): Analysis | null {
    if (this.pending.has(path)) this.flush();
    return this.analyses.get(path) ?? null;
  }

  /** Every file's AST among all analyses, the editor's version where open. */
  allAsts(): Map<string, import('../syntax/ast.js').FileNode> {
    const asts = new Map<string, import('../syntax/ast.js').FileNode>();
    for (const [root, a] of this.analyses) {
      for (const [file, ast] of a.result.asts) if (!asts.has(file) || file === root) asts.set(file, ast);
    }
    return asts;
  }

  /** Diagnostics by file: each open file's own, and those its check found in the files it imports. */
  private publishAll(checked: Set<string>): void {
    const byFile = new Map<string, Map<string, Diagnostic>>();
    const touched = new Set<string>();
    for (const [root, a] of this.analyses) {
      if (checked.has(root)) for (const file of a.result.sources.keys()) touched.add(file);
      for (const d of a.result.diagnostics) {
        const file = d.span?.file ?? root;
        const key = `${d.code}:${d.span?.offset ?? -1}:${d.message}`;
        if (!byFile.has(file)) byFile.set(file, new Map());
        byFile.get(file)!.set(key, d);
      }
      for (const file of a.result.sources.keys()) if (!byFile.has(file)) byFile.set(file, new Map());
    }
    const next = new Map<string, string>();
    for (const [file, diagnostics] of byFile) {
      const list = [...diagnostics.values()];
      const text = JSON.stringify(list);
      next.set(file, text);
      if (touched.has(file) || this.published.get(file) !== text) this.publish(file, list);
    }
    for (const file of this.published.keys()) if (!next.has(file)) this.publish(file, []);
    this.published = next;
  }
}
