// What the startup snapshot runs before it is taken: checks of the package's own specs and of a spec full of
// mistakes, rendered as text, JSON and SARIF. The functions a check runs are then compiled, the parser's lookahead
// built and the schema validator's closures made, all inside the snapshot, instead of in every `nnc check`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { check } from '../pipeline.js';
import { renderText, summaryLine, toJson, toSarif } from '../diagnostics/render.js';

/** Mistakes of the syntax and schema phases: a missing parenthesis, unknown names with suggestions, ranges, references. */
const faultySpec = `model Bad {
  input image: [28, 28, 1]
  conv2d(8, kernel: 5, activaton: relu)
  dropout(1.5)
  denze(10)
  dense(10, activation: softmax
}
dataset d = fashion_mnist { normalize: scale(1/255), validation: 10% }
train Bad on d { loss: sparse_categorical_crossentropy, optimizer: adamm, epochs: 0 }
train Missing on nowhere { epochs: 1 }
`;

export function warmUp(specsDir: string | null): void {
  const inputs: Array<[string, string]> = [['warm-up/faulty.nn', faultySpec]];
  if (specsDir && existsSync(specsDir)) {
    for (const name of readdirSync(specsDir).filter((f) => f.endsWith('.nn')).sort()) {
      const file = path.join(specsDir, name);
      inputs.push([file, readFileSync(file, 'utf8')]);
    }
  }
  const readFile = (file: string) => readFileSync(file, 'utf8');
  for (const [file, text] of inputs) {
    const result = check(file, text, { readFile });
    for (const d of result.diagnostics) {
      renderText(d, { color: false, sources: result.sources });
      toJson(d);
    }
    toSarif(result.diagnostics, '0');
    summaryLine(result.diagnostics, 1);
  }
}
