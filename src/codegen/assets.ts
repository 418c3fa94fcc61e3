// The templates and runtime sources code generation reads: loaded once, from the package's own files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

/** src/codegen, whether running from the sources (tsx) or from the bundle in dist/. */
function codegenDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [here, path.join(here, '../src/codegen'), path.join(here, '../../src/codegen')]) {
    if (existsSync(path.join(candidate, 'templates'))) return candidate;
  }
  throw new Error(`cannot find nnc's code generation templates near ${here}`);
}

function listFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(root, path.posix.join(dir, e.name)) : [path.posix.join(dir, e.name)]))
    .sort();
}

export interface Assets {
  /** Template name (file name without .hbs) -> source. */
  templates: Map<string, string>;
  partials: Map<string, string>;
  /** Runtime file path (relative, POSIX) -> source, copied into every generated folder under lib/. */
  runtime: Map<string, string>;
}

let cached: Assets | null = null;
let subset: Map<string, Uint8Array> | null = null;

/** Folder of nnc's small Fashion-MNIST subset (specs/data/fashion-mnist-mini): file name -> bytes of its four IDX files. */
export function embeddedFashionSubset(): Map<string, Uint8Array> {
  if (subset) return subset;
  const dir = path.join(codegenDir(), '..', '..', 'specs', 'data', 'fashion-mnist-mini');
  subset = new Map(readdirSync(dir).filter((f) => f.endsWith('.gz')).sort().map((f) => [f, new Uint8Array(readFileSync(path.join(dir, f)))]));
  if (subset.size !== 4) throw new Error(`${dir}: expected the four Fashion-MNIST IDX files of nnc's embedded subset, found ${subset.size}`);
  return subset;
}

export function loadAssets(): Assets {
  if (cached) return cached;
  const dir = codegenDir();
  const read = (root: string, filter: (f: string) => boolean) =>
    new Map(listFiles(root).filter(filter).map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
  const templates = read(path.join(dir, 'templates'), (f) => !f.startsWith('partials/') && f.endsWith('.hbs'));
  const partials = read(path.join(dir, 'templates/partials'), (f) => f.endsWith('.hbs'));
  const runtime = read(path.join(dir, 'runtime'), (f) => f.endsWith('.ts'));
  cached = {
    templates: new Map([...templates].map(([k, v]) => [k.replace(/\.hbs$/, ''), v])),
    partials: new Map([...partials].map(([k, v]) => [k.replace(/\.hbs$/, ''), v])),
    runtime,
  };
  return cached;
}
