// Entry of nnc's V8 startup snapshot. src/tools/build.ts bundles this file into dist/nnc-snapshot.cjs and runs
// `node --build-snapshot` on it, which evaluates every module (Chevrotain's grammar analysis, the lexer, the schema
// validator) and warms them up on real specs; the heap is then saved to dist/nnc.blob. bin/nnc starts Node from
// that blob, so a process only deserializes it and runs `main`.
//
// What must not be captured while building: paths (the package may move after the build), the terminal, and any
// require function (one made while building does not work after deserialization). So the bundle's banner declares
// `__nncModuleUrl` (import.meta.url in the bundle) and routes `require` through `__nncRequire`, and both are set
// here, in the started process.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as v8 from 'node:v8';
import { runProcess } from './main.js';
import { warmUp } from './warm-up.js';

declare let __nncModuleUrl: string;
declare let __nncRequire: (id: string) => unknown;

/** The --snapshot-blob argument Node was started with: always there, since only it runs this snapshot's main. */
function blobPath(execArgv: string[]): string {
  const at = execArgv.findIndex((arg) => arg === '--snapshot-blob' || arg.startsWith('--snapshot-blob='));
  return execArgv[at].includes('=') ? execArgv[at].slice('--snapshot-blob='.length) : execArgv[at + 1];
}

warmUp(path.join(path.dirname(fileURLToPath(__nncModuleUrl)), '..', 'specs'));

v8.startupSnapshot.setDeserializeMainFunction(async () => {
  const bundle = path.resolve(path.dirname(blobPath(process.execArgv)), 'nnc-snapshot.cjs');
  __nncModuleUrl = pathToFileURL(bundle).href;
  __nncRequire = process.getBuiltinModule('node:module').createRequire(bundle);
  process.exitCode = await runProcess(process.argv.slice(1), 'snapshot');
});
