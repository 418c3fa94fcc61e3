// `npm run build`: derives the generated sources (src/tools/generate.ts), bundles the CLI and makes what speeds up its start.
//   dist/nnc.cjs           the whole CLI in one CommonJS file, which bin/nnc.js runs
//   dist/nnc.cjs.cache     V8's code cache for it, written by a first run (bin/nnc.js)
//   dist/nnc-snapshot.cjs  the same CLI with src/cli/snapshot.ts as entry
//   dist/nnc.blob          the V8 startup snapshot made from it, which bin/nnc starts Node from
//   dist/nnc-lsp.cjs       the language server (`nnc lsp`), loaded by the CLI only for that command
//   native/build/          the optional nnc-native addon (native/build.mjs; a warning when it cannot be built)
// A snapshot that cannot be made is a warning, not a failure: bin/nnc then runs bin/nnc.js.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { generateSources } from './generate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['handlebars', '@tensorflow/*', 'tsx'],
  // The sources are ES modules; in the bundle import.meta.url is the bundle's own URL, set by the banner.
  define: { 'import.meta.url': '__nncModuleUrl' },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

// The layer list, the schema and its validator first: the bundles include them.
await generateSources();
rmSync(dist, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/nnc.cjs',
  banner: { js: "const __nncModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The snapshot's process sets both variables itself (src/cli/snapshot.ts); the require that Node gives the bundle
// while the snapshot is built loads only Node's own modules, and does not survive into that process.
await build({
  ...common,
  entryPoints: ['src/cli/snapshot.ts'],
  outfile: 'dist/nnc-snapshot.cjs',
  banner: { js: "var __nncModuleUrl = require('node:url').pathToFileURL(__filename).href, __nncRequire = require; require = (id) => __nncRequire(id);" },
});

await build({
  ...common,
  entryPoints: ['src/lsp/server.ts'],
  outfile: 'dist/nnc-lsp.cjs',
  banner: { js: "const __nncModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// The optional native training step (native/): built where g++ and OpenBLAS are found, else a warning; never fails.
spawnSync(process.execPath, [path.join(root, 'native', 'build.mjs')], { cwd: root, stdio: 'inherit' });

// A first run writes the code cache, holding the functions a check runs.
const warm = spawnSync(process.execPath, ['bin/nnc.js', 'check', 'specs/fashion_mlp.nn', '--quiet'], { cwd: root, stdio: 'inherit' });
if (warm.status !== 0) process.exit(warm.status ?? 1);

const { buildSnapshot } = createRequire(import.meta.url)('../../bin/snapshot.js') as { buildSnapshot: () => string | null };
const error = buildSnapshot();
if (error) process.stderr.write(`warning: no startup snapshot (dist/nnc.blob), nnc will start more slowly: ${error}\n`);
