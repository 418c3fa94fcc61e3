// Prints where OpenBLAS is for binding.gyp: `include` -> the folder holding cblas.h, `lib` -> the static
// libopenblas.a (preferred: the addon then depends only on libc/libm/libpthread) or else -lopenblas.
// NNC_OPENBLAS_INCLUDE / NNC_OPENBLAS_LIB override the search.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch;
const triplet = `${arch}-linux-gnu`;
const what = process.argv[2];
const first = (candidates) => candidates.find((p) => p && fs.existsSync(p));

if (what === 'include') {
  const dir = process.env.NNC_OPENBLAS_INCLUDE ?? first([
    `/usr/include/${triplet}/openblas-pthread`, `/usr/include/${triplet}`, '/usr/include/openblas', '/usr/include',
    '/usr/local/include', '/opt/homebrew/opt/openblas/include', '/usr/local/opt/openblas/include',
  ].filter((d) => fs.existsSync(path.join(d, 'cblas.h'))));
  if (!dir) { console.error('nnc-native: cblas.h not found (install libopenblas-dev)'); process.exit(1); }
  process.stdout.write(dir);
} else if (what === 'lib') {
  const lib = process.env.NNC_OPENBLAS_LIB ?? first([
    `/usr/lib/${triplet}/openblas-pthread/libopenblas.a`, `/usr/lib/${triplet}/libopenblas.a`, '/usr/lib/libopenblas.a',
    '/usr/local/lib/libopenblas.a', '/opt/homebrew/opt/openblas/lib/libopenblas.a',
  ]);
  process.stdout.write(lib ?? '-lopenblas');
} else {
  console.error('usage: node find-openblas.cjs include|lib');
  process.exit(2);
}
