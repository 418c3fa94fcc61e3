// Before any test file: derive the layer list, the schema and its validator from the current sources, so a test
// run sees a module file added or changed since the last build. In a child process: the registry it imports must
// be the one just written, not one this process loaded earlier.
import { spawnSync } from 'node:child_process';

export default function generate(): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/tools/generate.ts', '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`src/tools/generate.ts failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
}
