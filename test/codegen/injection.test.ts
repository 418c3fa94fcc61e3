// Code generation is injection-safe: names, labels, paths and strings holding quotes, backticks, `${...}`, `*/`,
// line breaks (\n, U+2028, U+2029) or JavaScript's special names compile to code that type-checks, carries each
// string byte for byte, and runs nothing the spec did not ask for.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from './helpers.js';

const root = path.resolve('tmp/inject');
const sentinel = '__nncInjected';
const pwned = path.join(root, 'PWNED');

/** Each would run code, end a string or comment early, or break a line, if pasted into the output unescaped. */
const payloads = [
  `quote " single ' backtick \``,
  `\${globalThis.${sentinel} = "template"}`,
  `\`; globalThis.${sentinel} = "backtick"; \``,
  `"; globalThis.${sentinel} = "double"; "`,
  `'; globalThis.${sentinel} = 'single'; '`,
  `*/ globalThis.${sentinel} = "comment"; /*`,
  `line\nglobalThis.${sentinel} = "newline"; //`,
  `ls\u2028globalThis.${sentinel} = "u2028"; //`,
  `ps\u2029globalThis.${sentinel} = "u2029"; //`,
  '${process.exit(7)}',
  `\${require("node:fs").writeFileSync(${JSON.stringify(pwned)}, "")}`,
  `"); require("node:fs").writeFileSync(${JSON.stringify(pwned)}, ""); ("`,
  'back\\slash \\u0041 \\n',
  '</script><!--',
  'constructor',
  '__proto__',
  'toString',
];
const reservedModels = ['class', 'delete', 'constructor', '__proto__'];

/** A .nn string literal: JSON's escapes are a subset of the language's (\n stays an escape; U+2028 stays raw). */
const nn = (s: string) => JSON.stringify(s);

// The spec folder's own name is hostile too: it reaches comments, SPEC_SOURCE and the relative SPEC_DIR.
const specDir = path.join(root, `q"b\`t\${globalThis.${sentinel} = 1}\u2028 dir`);
const specFile = path.join(specDir, 'spec.nn');
const outDir = path.join(root, 'out');
const dataPath = `data/${payloads[1]}\n${payloads[5].replace(/\//g, '|')}.csv`;
const labelColumn = payloads[3];
const features = [payloads[2], payloads[6]];

function specText(): string {
  const models = reservedModels.map((name, i) => [
    `model ${name} {`,
    `  input x: [2]`,
    i === 0 ? `  labels: [${payloads.map(nn).join(', ')}]` : `  labels: ["a", "b"]`,
    `  dense(${i === 0 ? payloads.length : 2}, activation: softmax)`,
    `}`,
  ].join('\n'));
  const trainings = reservedModels.map((name, i) => [
    `train ${name} on d {`,
    '  loss: sparse_categorical_crossentropy',
    '  optimizer: adam',
    '  epochs: 1',
    i === 0 ? `  class_weights: { "__proto__": 2, "constructor": 3, ${nn(payloads[0])}: 4, ${nn(payloads[7])}: 5 }` : '',
    '}',
  ].join('\n'));
  const dataset = `dataset d = csv(${nn(dataPath)}) {\n  label: ${nn(labelColumn)}\n  features: [${features.map(nn).join(', ')}]\n  test: ${nn('data/' + payloads[4] + '.csv')}\n}`;
  return [...models, dataset, ...trainings, ''].join('\n\n');
}

let files: Map<string, string>;

beforeAll(() => {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(specDir, { recursive: true });
  writeFileSync(specFile, specText());
  files = compileSpec(path.relative(process.cwd(), specFile), outDir);
  for (const [rel, content] of files) {
    mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
    writeFileSync(path.join(outDir, rel), content);
  }
  writeFileSync(path.join(outDir, 'tsconfig.json'), readFileSync('generated/tsconfig.json', 'utf8'));
});

afterAll(() => {
  delete (globalThis as Record<string, unknown>)[sentinel];
});

describe('hostile names and strings', () => {
  it('compile to one folder per reserved-word model, named as the model', () => {
    const folders = [...new Set([...files.keys()].map((f) => f.split('/')[0]))].sort();
    expect(folders).toEqual([...reservedModels].sort());
  });

  it('type-check under --strict', () => {
    let output = '';
    try {
      execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', path.join(outDir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  }, 240_000);

  it('carry every string byte for byte, and run nothing when imported', async () => {
    const folder = path.join(outDir, 'class');
    const data = await import(pathToFileURL(path.join(folder, 'data.ts')).href);
    const train = await import(pathToFileURL(path.join(folder, 'train.ts')).href);
    const model = await import(pathToFileURL(path.join(folder, 'model.ts')).href);

    expect(globalThis).not.toHaveProperty(sentinel);
    expect(existsSync(pwned)).toBe(false);

    expect(model.MODEL_NAME).toBe('class');
    expect(data.DATASET.train).toBe(dataPath);
    expect(data.DATASET.label).toBe(labelColumn);
    expect(data.DATASET.features).toEqual(features);
    expect(data.DATASET.test_path).toBe('data/' + payloads[4] + '.csv');
    expect(path.resolve(data.SPEC_DIR)).toBe(specDir);
    expect(train.SPEC_SOURCE).toBe(path.relative(process.cwd(), specFile).split(path.sep).join('/'));
    // `__proto__` and `constructor` are class weights like any other, not the object's prototype.
    const weights = train.TRAINING.class_weights;
    expect(Object.keys(weights)).toEqual(['__proto__', 'constructor', payloads[0], payloads[7]]);
    expect(Object.getPrototypeOf(weights)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(weights, '__proto__')?.value).toBe(2);

    const spec = JSON.parse(files.get('class/spec.json')!);
    expect(spec.model.labels).toEqual(payloads);
    expect(Object.keys(spec.training.class_weights)).toEqual(['__proto__', 'constructor', payloads[0], payloads[7]]);
  });

  it('keep comments closed and strings on one line', () => {
    for (const [rel, content] of files) {
      if (!rel.endsWith('.ts') || rel.includes('/lib/')) continue;
      // Every line break in generated code is a real \n: U+2028/2029 only ever appear escaped.
      expect(content, rel).not.toMatch(/[\u2028\u2029]/);
      // The payloads' statements never reach code: they sit in strings, so no line starts with them.
      expect(content, rel).not.toMatch(new RegExp(`^\\s*globalThis\\.${sentinel}`, 'm'));
      for (const line of content.split('\n')) {
        if (line.trimStart().startsWith('//')) expect(line, rel).not.toContain(sentinel + ' = "newline"');
      }
    }
  });

  it('evaluate, in a child process, without running the payloads', () => {
    // A fresh process, so a process.exit(7) or a top-level statement in any emitted module would show.
    const script = `for (const m of ['data.ts', 'train.ts', 'model.ts', 'evaluate.ts', 'infer.ts']) await import(new URL(m, ${JSON.stringify(pathToFileURL(path.join(outDir, 'class') + '/').href)}).href);
if (globalThis.${sentinel} !== undefined) { console.log('injected: ' + globalThis.${sentinel}); process.exit(3); }
console.log('clean');`;
    const runner = path.join(root, 'import-all.mts');
    writeFileSync(runner, script);
    const out = execFileSync(process.execPath, ['--import', 'tsx', runner], { encoding: 'utf8', stdio: 'pipe' });
    expect(out.trim().split('\n').pop()).toBe('clean');
    expect(existsSync(pwned)).toBe(false);
  }, 60_000);
});
