#!/usr/bin/env node
// Runs the bundled CLI (dist/nnc.cjs, built by `npm run build`, which `npm ci` runs through `prepare`), or the
// TypeScript sources through tsx when no bundle exists. bin/nnc, the installed command, starts Node from the startup
// snapshot instead when it can (src/cli/snapshot.ts) and comes here when it cannot; this file also works alone,
// `node bin/nnc.js`, where there is no POSIX shell.
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
  return { runProcess: module.exports.runProcess, startedFrom: 'bundle', saveCache };
}

async function loadSources() {
  const { register } = await import('tsx/esm/api');
  register();
  const { runProcess } = await import(require('node:url').pathToFileURL(path.join(__dirname, '..', 'src', 'cli', 'main.ts')).href);
  return { runProcess, startedFrom: 'sources', saveCache: () => {} };
}

(async () => {
  const { runProcess, startedFrom, saveCache } = fs.existsSync(bundle) ? loadBundle() : await loadSources();
  process.exitCode = await runProcess(process.argv.slice(2), startedFrom);
  saveCache();
  // bin/nnc found a snapshot this Node cannot use: make a new one (or remove it, so that this is not tried again).
  if (process.env.NNC_REBUILD_SNAPSHOT) require('./snapshot.js').buildSnapshot();
})();
