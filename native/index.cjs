// Loads the addon built by build.mjs. Throws (with the build's own reason when it failed) if it is not there.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const binary = process.env.NNC_NATIVE_BINARY || path.join(__dirname, 'build', 'Release', 'nnc_native.node');
if (!fs.existsSync(binary)) {
  let reason = 'it was not built (run `node native/build.mjs` in the nnc repository)';
  try {
    const status = JSON.parse(fs.readFileSync(path.join(__dirname, 'build', 'status.json'), 'utf8'));
    if (status && status.ok === false && status.reason) reason = `its build failed: ${status.reason}`;
  } catch { /* no status: never built */ }
  const error = new Error(`nnc-native: ${binary} is missing; ${reason}`);
  error.code = 'NNC_NATIVE_MISSING';
  throw error;
}
module.exports = require(binary);
