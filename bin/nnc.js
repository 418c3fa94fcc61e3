#!/usr/bin/env node
// Runs the bundled CLI (dist/, built by `npm run build`, which `npm ci` runs through `prepare`);
// falls back to the TypeScript sources through tsx when no bundle exists.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/nnc.js', import.meta.url);
let main;
if (existsSync(fileURLToPath(bundle))) {
  ({ main } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(new URL('../src/cli/main.ts', import.meta.url).href));
}
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // An internal error: one line, not a stack, unless NNC_DEBUG asks for it.
  process.stderr.write(`error: internal compiler error: ${e && e.message ? e.message : e}\n`);
  if (process.env.NNC_DEBUG) process.stderr.write(String(e && e.stack) + '\n');
  process.exitCode = 2;
}
