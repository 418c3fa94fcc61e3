#!/usr/bin/env node
// Builds the addon with node-gyp (npm's own copy) against OpenBLAS. Never fails the install: on any error it
// writes build/status.json with the reason, prints one warning, and exits 0; trainers then run without it.
//   node native/build.mjs [--force]      (run by the repository's `npm run build`, so by `npm ci`)
// NNC_NATIVE=off skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const buildDir = path.join(here, 'build');
const binary = path.join(buildDir, 'Release', 'nnc_native.node');
const force = process.argv.includes('--force');

function status(ok, reason) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(path.join(buildDir, 'status.json'), JSON.stringify({ ok, reason, node: process.version, at: new Date().toISOString() }) + '\n');
}

function fail(reason) {
  status(false, reason);
  process.stderr.write(`warning: nnc-native (the fast native training path) was not built: ${reason}\n` +
    '         trainers will run on tfjs wasm instead; see native/README.md (needs g++, make, python3, libopenblas-dev)\n');
  process.exit(0);
}

function newestSource() {
  const files = ['binding.gyp', 'find-openblas.cjs', ...readdirSync(path.join(here, 'src')).map((f) => path.join('src', f))];
  return Math.max(...files.map((f) => statSync(path.join(here, f)).mtimeMs));
}

if ((process.env.NNC_NATIVE ?? '').toLowerCase() === 'off') fail('NNC_NATIVE=off');
if (!force && existsSync(binary) && statSync(binary).mtimeMs >= newestSource()) process.exit(0);

const nodeGyp = [process.env.npm_config_node_gyp,
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => p && existsSync(p));
if (!nodeGyp) fail('node-gyp not found (it comes with npm)');

const include = spawnSync(process.execPath, [path.join(here, 'find-openblas.cjs'), 'include'], { encoding: 'utf8' });
if (include.status !== 0) fail(include.stderr.trim() || 'OpenBLAS headers not found (install libopenblas-dev)');

// Node's own headers where the system has them (Debian's nodejs, official tarballs); else node-gyp downloads them.
const prefix = path.resolve(path.dirname(process.execPath), '..');
const args = [nodeGyp, 'rebuild', '--directory', here];
if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const res = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, JOBS: '2' } });
if (res.status !== 0 || !existsSync(binary)) {
  const lines = `${res.stdout ?? ''}\n${res.stderr ?? ''}`.split('\n').filter((l) => /error|not found|No such/i.test(l));
  fail(lines.slice(0, 3).join(' | ').slice(0, 400) || `node-gyp exited with ${res.status}`);
}
// Check that it loads here, in a fresh process (a missing shared library shows only at load time).
const load = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(binary)}); if (typeof a.step !== 'function') process.exit(3)`], { encoding: 'utf8' });
if (load.status !== 0) fail(`built, but it does not load: ${(load.stderr || '').split('\n').find((l) => l.trim()) ?? load.status}`);
status(true, null);
process.stderr.write(`nnc-native built: ${path.relative(process.cwd(), binary)}\n`);
