// The one catalog of diagnostics. Every message nnc prints comes from an entry here, by its stable code:
// NN1xxx syntax, NN2xxx schema and names, NN3xxx shapes, NN4xxx data/model contract.
// Templates use {name} placeholders; `help` is optional and may use placeholders too.
import type { Diagnostic, Severity, Span } from './types.js';
import { shapeMessages } from './catalog-shapes.js';

export interface MessageDef {
  severity: Severity;
  template: string;
  help?: string;
}

export const syntaxMessages = {
  NN1001: { severity: 'error', template: 'unexpected character {found}' },
  NN1002: { severity: 'error', template: 'unterminated string', help: 'close the string with a matching "' },
  NN1003: { severity: 'error', template: 'expected {expected}, found {found}' },
  NN1004: { severity: 'error', template: 'unknown keyword {found}', help: 'a file holds `model`, `dataset`, `train` and `import` blocks' },
  NN1005: { severity: 'error', template: 'missing closing {delimiter} for {opener} opened at {line}:{column}' },
  NN1006: { severity: 'error', template: 'file is empty', help: 'a spec needs at least one `model`, `dataset` or `train` block' },
  NN1007: { severity: 'error', template: 'cannot read {path}: {reason}' },
  NN1008: { severity: 'error', template: 'invalid number {found}' },
  NN1009: { severity: 'error', template: 'import cycle: {cycle}' },
  NN1010: { severity: 'error', template: 'too many errors, stopping after {count}' },
  NN1011: {
    severity: 'error',
    template: 'nesting deeper than {limit} levels of brackets',
    help: 'nnc stops reading the file here; a spec never needs more than a few levels of `[`, `{` and `(`',
  },
  NN1012: { severity: 'error', template: 'invalid escape {found} in string', help: 'the escapes are \\n, \\t, \\r, \\b, \\f, \\", \\\', \\\\, \\/ and \\uXXXX (four hex digits)' },
} as const satisfies Record<string, MessageDef>;

export const schemaMessages = {
  NN2001: { severity: 'error', template: 'unknown layer {found}' },
  NN2002: { severity: 'error', template: 'unknown argument {found} for {owner}' },
  NN2003: { severity: 'error', template: 'expected {expected} for {what}, found {found}' },
  NN2004: { severity: 'error', template: '{what} must be {limit}, found {found}' },
  NN2005: { severity: 'error', template: 'unknown {kind} {found}' },
  NN2006: { severity: 'error', template: 'missing required {what} for {owner}' },
  NN2007: { severity: 'error', template: 'duplicate {kind} name {name}', help: 'the first {kind} named {name} is at {line}:{column}; rename one of them' },
  NN2050: { severity: 'error', template: '{name} in {where} is not an output of model {model}' },
  NN2051: { severity: 'error', template: '{name} in {where} is not an input of model {model}' },
  NN2008: { severity: 'error', template: '{kind} {name} is not defined' },
  NN2009: { severity: 'error', template: 'too many positional arguments for {owner}: expected at most {expected}, found {found}' },
  NN2010: { severity: 'error', template: 'argument {name} given twice' },
  NN2011: { severity: 'error', template: 'model {name} has no input', help: 'declare one, e.g. `input image: [28, 28]`' },
  NN2013: { severity: 'error', template: 'model {name} has no layers' },
  NN2014: { severity: 'error', template: 'duplicate layer name {name} in model {model}' },
  NN2015: { severity: 'error', template: 'unknown property {found} in {owner}' },
  NN2016: { severity: 'error', template: '{what} is invalid: {reason}' },
  NN2017: { severity: 'warning', template: 'unused {kind} {name}' },
  NN2018: { severity: 'error', template: 'training {name} would be compiled into folder {folder}, like training {other}', help: 'the first is at {line}:{column}; rename one of them with `as`' },
  NN2040: { severity: 'error', template: 'layer {found} is not available: TensorFlow.js 4.22 has no {missing}' },
  NN2027: { severity: 'error', template: 'block {block} takes {expected} inputs, found {found}' },
  NN2019: { severity: 'error', template: 'layers {cycle} form a cycle', help: 'a layer can take only tensors that do not depend on its own output' },
  NN2020: { severity: 'error', template: 'expected a whole repeat count from 1 to {max}, found {found}' },
  NN2021: { severity: 'error', template: 'block {block} uses itself: {chain}' },
  NN2022: { severity: 'error', template: 'expected a tensor name as input of {owner}, found {found}' },
  NN2023: { severity: 'error', template: 'missing shape for input {name} of model {model}', help: 'write its sample shape, e.g. `input {name}: [28, 28]`' },
  // NN2012 (a second `input`) is retired: models may have several inputs.
  NN2026: { severity: 'error', template: 'block {name} has the name of a layer type', help: 'rename the block: `{name}` always means the layer' },
  NN2030: {
    severity: 'error',
    template: 'argument {key} of {owner} cannot override its {what}',
    help: 'did you mean {fix}? the {what} is written {where}',
  },
  NN2035: { severity: 'error', template: '{layer} gives {expected}, found {found} names' },
  NN2036: { severity: 'error', template: 'unknown argument {found} in the call of {owner}' },
  NN2037: { severity: 'error', template: 'missing {what} of {owner}: it comes before {given}', help: 'give it by position or by name, e.g. `({example})`' },
  NN2025: { severity: 'error', template: 'duplicate tensor name {name} in model {model}', help: 'the first tensor named {name} is at {line}:{column}; rename one of them' },
} as const satisfies Record<string, MessageDef>;

const messages = { ...syntaxMessages, ...schemaMessages, ...shapeMessages };
export const catalog: Record<string, MessageDef> = messages;

export type Code = keyof typeof messages;

/** The placeholder names in a template: `'{layer} of {kernel}'` -> `'layer' | 'kernel'`. */
type Placeholders<S extends string> = S extends `${string}{${infer K}}${infer Rest}` ? K | Placeholders<Rest> : never;
type HelpOf<D> = D extends { help: infer H extends string } ? H : '';

/**
 * The arguments a code's template and help need, derived from the catalog text: a missing or misspelt one is a type
 * error at the call, so no message can show a raw `{placeholder}`.
 */
export type DiagArgs<C extends Code> = {
  [K in Placeholders<(typeof messages)[C]['template']> | Placeholders<HelpOf<(typeof messages)[C]>>]: string | number;
};

function fill(template: string, args: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in args ? String(args[key]) : whole));
}

/** A template with its placeholders elided, for texts that describe a code rather than one diagnostic (SARIF rules). */
export function describe(template: string): string {
  return template.replace(/\{\w+\}/g, '…');
}

export interface DiagnosticExtras {
  help?: string;
  notes?: string[];
  suggestions?: string[];
  severity?: Severity;
}

type DiagRest<C extends Code> = [keyof DiagArgs<C>] extends [never]
  ? [args?: Record<string, never>, extras?: DiagnosticExtras]
  : [args: DiagArgs<C>, extras?: DiagnosticExtras];

/** Builds a diagnostic from its catalog code. A did-you-mean suggestion becomes the help line unless one is given. */
export function diag<C extends Code>(code: C, span: Span | null, ...[args = {} as DiagArgs<C>, extras = {}]: DiagRest<C>): Diagnostic {
  const def = catalog[code];
  if (!def) throw new Error(`no diagnostic ${code} in the catalog`);
  const values = args as Record<string, unknown>;
  const help = extras.help ?? (extras.suggestions?.length ? `did you mean \`${extras.suggestions[0]}\`?` : def.help && fill(def.help, values));
  const d: Diagnostic = { code, severity: extras.severity ?? def.severity, message: fill(def.template, values), span };
  if (help) d.help = help;
  const notes = [...(extras.notes ?? [])];
  // A diagnostic inside an expanded block points at the block's line and says which use expanded it.
  for (let via = span?.via; via; via = via.via) notes.push(`in block \`${via.block}\` used at ${span!.file}:${via.line}:${via.column}`);
  if (notes.length) d.notes = notes;
  if (extras.suggestions?.length) d.suggestions = extras.suggestions;
  return d;
}

/** Longest name a message quotes in full; longer ones (a 1 MB identifier) are cut, so a message stays one line. */
const MAX_QUOTED = 60;

/** Quotes a name the way messages show it: `name`. */
export function q(name: unknown): string {
  const text = String(name);
  return '`' + (text.length > MAX_QUOTED ? text.slice(0, MAX_QUOTED - 3) + '...' : text) + '`';
}
