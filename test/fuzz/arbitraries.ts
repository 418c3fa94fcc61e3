// fast-check generators of hostile .nn inputs: random token streams, mutations of the real specs, deep nesting,
// huge numbers and shapes, 1 MB lines, NUL bytes, invalid UTF-8 decoded the way the CLI reads files.
import fc from 'fast-check';
import { layerPositional, callPositional, sourcePositional } from '../../src/normalize/tables.js';
import type { FuzzInput } from './harness.js';

const keywords = ['model', 'dataset', 'train', 'import', 'input', 'on', 'as', 'true', 'false', 'null'];
const punctuation = ['{', '}', '(', ')', '[', ']', ':', ',', '=', '/', '-', '%', '"', '#', '//'];
const names = [
  ...Object.keys(layerPositional), ...Object.keys(callPositional), ...Object.keys(sourcePositional),
  'labels', 'loss', 'optimizer', 'metrics', 'epochs', 'batch_size', 'seed', 'label', 'normalize', 'validation', 'test',
  'augment', 'early_stopping', 'checkpoint', 'class_weights', 'image_size', 'color', 'header', 'kernel', 'strides',
  'padding', 'activation', 'units', 'rate', 'name', 'shape', 'relu', 'softmax', 'sigmoid', 'same', 'valid', 'int32',
  'float32', 'accuracy', 'mse', 'sparse_categorical_crossentropy', 'z_score', 'M', 'd', 'x', 'constructor', '__proto__',
];
/** Numbers at the edges: beyond float64 (1e400 -> Infinity), beyond 2^53, int32 limits, tiny, zero, negative. */
export const hugeNumbers = [
  '1e400', '99999999999999999999', '9007199254740993', '2147483648', '4294967296', '1e308', '1e-400', '0', '-1', '0.5',
  '100000', '1/0', '0/0', '1e400%', '-1e400', '1' + '0'.repeat(400), '1e99999999999',
];
const numbers = ['1', '3', '4', '10', '28', '32', '10%', '1/255', '0.001', ...hugeNumbers];
const strings = ['""', '"data/iris.csv"', '"lib.nn"', '"self.nn"', '"missing.nn"', '"\\u2028"', '"\\n"', '"a\\"b"', '"../../etc/passwd"', '"\\ud800"', '"\\x"', '"'];
const junk = ['\0', '@', '\ufffd', '\u2028', '\u2029', '\ufeff', '😀', '\\', "'", '`', '$', ';', '\r', '\t', '\x1b[31m'];

const separator = fc.constantFrom(' ', ' ', '\n', '', '\t', '\r\n');

/** Random token streams from the language's tokens and junk. */
export const tokenStream: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...keywords, ...punctuation) },
        { weight: 3, arbitrary: fc.constantFrom(...names) },
        { weight: 2, arbitrary: fc.constantFrom(...numbers, ...strings) },
        { weight: 1, arbitrary: fc.constantFrom(...junk) },
        { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: 'binary' }) },
      ),
      separator,
    ),
    { maxLength: 120 },
  )
  .map((parts) => parts.map(([token, sep]) => token + sep).join(''));

/** Splits a spec into tokens and the text between them, so joining the parts gives the file back. */
export function splitTokens(text: string): string[] {
  return text.match(/\s+|#[^\n]*|"(?:[^"\\\n]|\\.)*"|[A-Za-z_]\w*|\d+\.?\d*(?:e[+-]?\d+)?%?|[^]/g) ?? [];
}

const isSpace = (s: string) => /^\s*$/.test(s);

type Mutation = (parts: string[]) => string[];

/** `n` openers of one kind, closed or not, with an optional value inside. */
const deepNesting = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 50, max: 600 }), fc.constantFrom(1_000, 10_000)),
    kind: fc.constantFrom<[string, string]>(['[', ']'], ['{a:', '}'], ['f(', ')'], ['{', '}'], ['(', ')'], ['[{a:f(', ')}]']),
    closed: fc.boolean(),
  })
  .map(({ depth, kind: [open, close], closed }) => open.repeat(depth) + '1' + (closed ? close.repeat(depth) : ''));

/** Lines of about 1 MB: one huge number, name, string, comment or list. */
const megabyteLine = fc.constantFrom(
  () => '1'.repeat(1 << 20), () => 'a'.repeat(1 << 20), () => `"${'x'.repeat(1 << 20)}"`, () => `# ${'c'.repeat(1 << 20)}`,
  () => `[${'1, '.repeat(1 << 18)}1]`, () => '"'.repeat(1 << 20), () => '{'.repeat(1 << 18),
).map((make) => '\n' + make() + '\n');

/** Inserts `insert` before the token at a random index. */
const insertAt = (insert: fc.Arbitrary<string>): fc.Arbitrary<Mutation> =>
  fc.tuple(fc.nat(), insert).map(([i, text]) => (parts) => {
    const at = i % (parts.length + 1);
    return [...parts.slice(0, at), text, ...parts.slice(at)];
  });

/** Token edits; indices are taken modulo the number of non-space tokens at the time they apply. */
const mutation = (large: boolean): fc.Arbitrary<Mutation> => fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((i): Mutation => (parts) => onToken(parts, i, () => [])) },
  { weight: 3, arbitrary: fc.nat().map((i): Mutation => (parts) => onToken(parts, i, (t) => [t, ' ', t])) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Mutation => (parts) => {
      const idx = parts.flatMap((p, k) => (isSpace(p) ? [] : [k]));
      if (idx.length < 2) return parts;
      const [a, b] = [idx[i % idx.length], idx[j % idx.length]];
      const out = [...parts];
      [out[a], out[b]] = [out[b], out[a]];
      return out;
    }),
  },
  { weight: 3, arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...hugeNumbers)).map(([i, n]): Mutation => (parts) => onToken(parts, i, (t) => [/^\d/.test(t) ? n : t])) },
  { weight: 2, arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...keywords, ...punctuation, ...names, ...numbers, ...strings, ...junk)).map(([i, t]): Mutation => (parts) => onToken(parts, i, () => [t])) },
  { weight: 2, arbitrary: insertAt(fc.string({ maxLength: 8, unit: 'binary' })) },
  { weight: 1, arbitrary: insertAt(fc.constantFrom('\0', '\0\0\0', '\ud800', '\udfff', '\ufffd\ufffd')) },
  { weight: 1, arbitrary: insertAt(deepNesting) },
  ...(large ? [{ weight: 1, arbitrary: insertAt(megabyteLine) }] : []),
);

function onToken(parts: string[], i: number, replace: (token: string) => string[]): string[] {
  const idx = parts.flatMap((p, k) => (isSpace(p) ? [] : [k]));
  if (idx.length === 0) return parts;
  const at = idx[i % idx.length];
  return [...parts.slice(0, at), ...replace(parts[at]), ...parts.slice(at + 1)];
}

/** Encodes to UTF-8, overwrites some bytes, and decodes the way `readFileSync(f, 'utf8')` does (U+FFFD for bad bytes). */
const byteDamage = fc
  .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
  .map((edits) => (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    for (const [i, b] of edits) if (bytes.length) bytes[i % bytes.length] = b;
    return bytes.toString('utf8');
  });

/** A real spec with one to four token mutations, sometimes with damaged bytes too; `large` allows 1 MB lines. */
export function mutatedSpec(seeds: FuzzInput[], large = true): fc.Arbitrary<FuzzInput> {
  return fc
    .record({
      seed: fc.constantFrom(...seeds),
      mutations: fc.array(mutation(large), { minLength: 1, maxLength: 4 }),
      damage: fc.option(byteDamage, { freq: 4 }),
    })
    .map(({ seed, mutations, damage }) => {
      const text = mutations.reduce((parts, m) => m(parts), splitTokens(seed.text)).join('');
      return { file: seed.file, text: damage ? damage(text) : text };
    });
}

/** Random bytes decoded as the CLI decodes a file. */
export const randomBytes: fc.Arbitrary<string> = fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('utf8'));

/** A small valid spec around a huge input shape or layer size: parameter counts past 2^53 or past float64. */
export const hugeShapeSpec: fc.Arbitrary<string> = fc
  .record({
    dims: fc.array(fc.oneof(fc.constantFrom(...hugeNumbers.filter((n) => /^\d+$/.test(n)), '100000', '65536'), fc.integer({ min: 1, max: 100_000 }).map(String)), { minLength: 1, maxLength: 4 }),
    layers: fc.array(
      fc.oneof(
        fc.constantFrom('flatten', 'dropout(0.5)', 'batch_norm', 'layer_norm', 'global_avg_pool1d', 'lstm(4)', 'conv1d(4, 3)', 'conv2d(8, kernel: 3)', 'max_pool2d(2)', 'reshape([-1])'),
        fc.oneof(fc.constantFrom('99999999999999999999', '100000', '1e300', '1e15', '2147483648'), fc.integer({ min: 1, max: 1_000_000 }).map(String)).map((u) => `dense(${u})`),
      ),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ dims, layers }) => [
    'model M {', `  input x: [${dims.join(', ')}]`, ...layers.map((l) => `  ${l}`), '}',
    'dataset d = csv("data/iris.csv") { label: "species" }',
    'train M on d { loss: mean_squared_error, optimizer: adam, epochs: 1 }', '',
  ].join('\n'));

/**
 * Every kind of input, weighted toward mutations of real specs (the inputs most likely to get deep). Without
 * `large`, no 1 MB lines (each takes about a second), for the fast test run.
 */
export function anyInput(seeds: FuzzInput[], { large = true } = {}): fc.Arbitrary<FuzzInput> {
  const at = (text: string): FuzzInput => ({ file: seeds[0].file.replace(/[^/\\]+$/, 'fuzz.nn'), text });
  return fc.oneof(
    { weight: 5, arbitrary: mutatedSpec(seeds, large) },
    { weight: 2, arbitrary: tokenStream.map(at) },
    { weight: 1, arbitrary: randomBytes.map(at) },
    { weight: 1, arbitrary: hugeShapeSpec.map(at) },
    { weight: 1, arbitrary: deepNesting.map((n) => at(`model M {\n  input x: [4]\n  dense(units: ${n})\n}\n`)) },
  );
}
