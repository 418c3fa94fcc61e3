// Builds nnc's V8 startup snapshot, dist/nnc.blob, from dist/nnc-snapshot.cjs (see src/cli/snapshot.ts): run by
// `npm run build`, and by bin/nnc.js when bin/nnc found the blob made by another Node.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const dist = path.join(__dirname, '..', 'dist');
const entry = path.join(dist, 'nnc-snapshot.cjs');
const blob = path.join(dist, 'nnc.blob');

/** Builds the blob with the Node running this; returns null, or why it could not. The old blob goes either way. */
function buildSnapshot() {
  const temp = `${blob}.${process.pid}.tmp`;
  try {
    fs.rmSync(blob, { force: true });
    if (!fs.existsSync(entry)) return `${path.relative(process.cwd(), entry)} is missing; run npm run build`;
    const r = spawnSync(process.execPath, ['--snapshot-blob', temp, '--build-snapshot', entry], { encoding: 'utf8', cwd: dist });
    if (r.status !== 0) return (r.stderr || r.error?.message || `node exited with ${r.status}`).trim().split('\n')[0];
    fs.renameSync(temp, blob);
    return null;
  } catch (e) {
    return e.message;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

module.exports = { buildSnapshot };

if (require.main === module) {
  const error = buildSnapshot();
  if (error) {
    process.stderr.write(`warning: no startup snapshot, nnc will start more slowly: ${error}\n`);
  }
}
