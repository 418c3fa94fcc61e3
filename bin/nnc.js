#!/usr/bin/env node
// Runs the bundled CLI (dist/nnc.cjs, built by `npm run build`, which `npm ci` runs through `prepare`), or the
// TypeScript sources through tsx when no bundle exists.
//
// Start-up is most of what `nnc check` costs in CI, and most of start-up is V8 compiling and first running the
// bundle. So the bundle is compiled through vm.Script with a V8 code cache kept next to it (dist/nnc.cjs.cache):
// made after the first run, so it holds the functions that run compiled too, and remade whenever V8 rejects it
// (another Node version or V8 flags). A cache that cannot be read or written only costs time.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'nnc.cjs');
const cacheFile = bundle + '.cache';

function loadBundle() {
  const vm = require('node:vm');
  const source = fs.readFileSync(bundle, 'utf8');
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData });
  const module = { exports: {} };
  const bundleRequire = require('node:module').createRequire(bundle);
  script.runInThisContext()(module.exports, bundleRequire, module, bundle, path.dirname(bundle));
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      const temp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(temp, script.createCachedData());
      fs.renameSync(temp, cacheFile);
    } catch {
      // A read-only install: run without a cache.
    }
  };
  return { main: module.exports.main, saveCache };
}

async function loadSources() {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(require('node:url').pathToFileURL(path.join(__dirname, '..', 'src', 'cli', 'main.ts')).href);
  return { main, saveCache: () => {} };
}

(async () => {
  const { main, saveCache } = fs.existsSync(bundle) ? loadBundle() : await loadSources();
  try {
    process.exitCode = await main(process.argv.slice(2));
    saveCache();
  } catch (e) {
    // An internal error: one line, not a stack, unless NNC_DEBUG asks for it.
    process.stderr.write(`error: internal compiler error: ${e && e.message ? e.message : e}\n`);
    if (process.env.NNC_DEBUG) process.stderr.write(String(e && e.stack) + '\n');
    process.exitCode = 2;
  }
})();
