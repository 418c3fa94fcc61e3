// Completion and signature help, driven by the schema (src/schema/schema.ts) and the names in scope. The context
// comes from the tokens before the cursor and the brackets they leave open, so it works while the file is broken.
import type { IToken } from 'chevrotain';
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type SignatureHelp } from 'vscode-languageserver';
import { lexer } from '../../grammar/tokens.js';
import { layerPositional } from '../normalize/tables.js';
import { specSchema } from '../schema/schema.js';
import type { BlockNode, FileNode } from '../syntax/ast.js';

type Schema = Record<string, unknown>;
const defs = specSchema.$defs as Record<string, Schema>;
const props = (s: Schema | undefined): Record<string, Schema> => (s?.properties as Record<string, Schema>) ?? {};
const deref = (s: Schema | undefined): Schema | undefined =>
  typeof s?.$ref === 'string' ? defs[(s.$ref as string).replace('#/$defs/', '')] : s;

const topKeywords = ['model', 'dataset', 'train', 'import'];
const trainingSchema = (specSchema.properties as Record<string, Schema>).trainings.items as Schema;
const datasetSchema = (specSchema.properties as Record<string, Schema>).datasets.items as Schema;

export const layerTypes = (): string[] => ((props(defs.layer).type as Schema)?.enum as string[]) ?? Object.keys(layerPositional);

/** The branch of a tagged schema (`{ type: ... }` objects) for one tag value. */
function branch(schema: Schema | undefined, tag: string, value: string): Schema | undefined {
  const s = deref(schema);
  for (const b of (s?.allOf as Schema[] | undefined) ?? []) {
    const cond = props(b.if as Schema)[tag];
    if (cond?.const === value) return deref(b.then as Schema);
  }
  return undefined;
}

export function layerArguments(type: string): Record<string, Schema> {
  const s = defs[`layer_${type}`] ?? branch(defs.layer, 'type', type);
  const out = { ...props(s) };
  delete out.type;
  return out;
}

/** The values a property may take: its enum, the types of a typed object, booleans. */
function valuesOf(schema: Schema | undefined): string[] {
  const s = deref(schema);
  if (!s) return [];
  if (Array.isArray(s.enum)) return s.enum.filter((v) => v !== null).map(String);
  if (s.type === 'boolean' || (Array.isArray(s.type) && s.type.includes('boolean'))) return ['true', 'false'];
  const tag = props(s).type as Schema | undefined;
  if (Array.isArray(tag?.enum)) return tag.enum.map(String);
  if ((s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array'))) && s.items) return valuesOf(s.items as Schema);
  // A property written plainly or as a table per output (loss, metrics): the plain form's values.
  if (s.if && s.else) return valuesOf(s.else as Schema);
  return [];
}

function defaultText(s: Schema | undefined): string | null {
  const d = s?.default;
  if (d === undefined) return null;
  if (d === null) return 'null';
  if (typeof d === 'object' && !Array.isArray(d)) return String((d as Schema).type ?? JSON.stringify(d));
  return Array.isArray(d) ? `[${d.join(', ')}]` : String(d);
}

interface Context {
  /** Open brackets before the cursor, innermost last, with the tokens that came before each. */
  stack: { token: IToken; index: number }[];
  tokens: IToken[];
  /** The word being typed, if the cursor ends one. */
  prefix: IToken | null;
}

function contextAt(text: string, offset: number): Context {
  const all = lexer.tokenize(text.slice(0, offset)).tokens;
  const lastTok = all[all.length - 1];
  const prefix = lastTok && lastTok.endOffset! + 1 === offset && /^[A-Za-z_]/.test(lastTok.image) ? lastTok : null;
  const tokens = prefix ? all.slice(0, -1) : all;
  const stack: Context['stack'] = [];
  const pairs: Record<string, string> = { '}': '{', ')': '(', ']': '[' };
  tokens.forEach((token, index) => {
    if (token.image === '{' || token.image === '(' || token.image === '[') stack.push({ token, index });
    else if (pairs[token.image] && stack.length && stack[stack.length - 1].token.image === pairs[token.image]) stack.pop();
  });
  return { stack, tokens, prefix };
}

/** What a `{` opens: a model or block body, a train or dataset block, or the object value of a key. */
function blockOwner(tokens: IToken[], index: number): { kind: 'model' | 'block' | 'train' | 'dataset' | 'key' | 'other'; name?: string; at?: number } {
  for (let i = index - 1; i >= 0; i--) {
    const t = tokens[i].image;
    if (i === index - 1 && tokens[i - 1]?.image === ':') return { kind: 'key', name: tokens[i - 2]?.image };
    if (i === index - 1 && t === ':') return { kind: 'key', name: tokens[i - 1]?.image };
    if (t === 'model' && i === index - 2) return { kind: 'model' };
    if (t === 'block' && isName(tokens[i + 1])) return { kind: 'block', name: tokens[i + 1].image, at: i };
    if (t === 'train') return { kind: 'train' };
    if (t === 'dataset') return { kind: 'dataset', name: tokens[i + 3]?.image };
    if (t === '{' || t === '}') break;
  }
  return { kind: 'other' };
}

const item = (label: string, kind: CompletionItemKind, detail?: string): CompletionItem => ({ label, kind, ...(detail ? { detail } : {}) });
const keyItems = (schemaProps: Record<string, Schema>): CompletionItem[] =>
  Object.entries(schemaProps).filter(([k]) => k !== 'type' && k !== 'name' && k !== 'model' && k !== 'dataset').map(([k, s]) => ({
    label: k, kind: CompletionItemKind.Property, detail: defaultText(s) ? `default ${defaultText(s)}` : undefined,
    insertText: `${k}: `, insertTextFormat: InsertTextFormat.PlainText,
  }));
const valueItems = (values: string[]) => values.map((v) => item(v, CompletionItemKind.EnumMember));

/** The property whose value the cursor is in (`key: |`), if any. */
function keyBefore(ctx: Context): string | null {
  const t = ctx.tokens;
  const n = t.length;
  return n >= 2 && t[n - 1].image === ':' ? t[n - 2].image : null;
}

export interface Names {
  models: string[];
  datasets: string[];
  /** Blocks declared in the file or its imports, with their parameters. */
  blocks?: { name: string; params: string[] }[];
}

const isName = (t: IToken | undefined): t is IToken => t !== undefined && /^[A-Za-z_]/.test(t.image) && t.tokenType.name === 'Identifier';

/**
 * The tensors a model or block body (opened at token `open`) has named before the cursor, at its own level:
 * `input x` and `y = ...`. A name bound on line `skipLine` (the statement being written) is not yet defined.
 */
function tensorsBefore(tokens: IToken[], open: number, skipLine: number | null): string[] {
  const names: string[] = [];
  let depth = 0;
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i].image;
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth--;
    else if (depth === 0 && t === '=' && isName(tokens[i - 1]) && tokens[i - 1].startLine !== skipLine) names.push(tokens[i - 1].image);
    else if (depth === 0 && t === 'input' && isName(tokens[i + 1])) names.push(tokens[i + 1].image);
  }
  return [...new Set(names)];
}

/** The parameters of `block NAME(a, b: 3) {` whose `block` keyword is token `at`: `a`, `b`. */
function blockParams(tokens: IToken[], at: number): string[] {
  const params: string[] = [];
  if (tokens[at + 2]?.image !== '(') return params;
  let depth = 0;
  for (let i = at + 2; i < tokens.length && tokens[i].image !== '{'; i++) {
    const t = tokens[i].image;
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') depth--;
    else if (depth === 1 && isName(tokens[i]) && (tokens[i - 1].image === '(' || tokens[i - 1].image === ',')) params.push(t);
  }
  return params;
}

/** Names a layer line may use: the body's tensors so far, and inside a block its parameters. */
function scopeItems(tokens: IToken[], body: { token: IToken; index: number }, owner: ReturnType<typeof blockOwner>, skipLine: number | null): CompletionItem[] {
  const params = owner.kind === 'block' && owner.at !== undefined ? blockParams(tokens, owner.at) : [];
  return [
    ...tensorsBefore(tokens, body.index, skipLine).map((n) => item(n, CompletionItemKind.Variable, 'tensor')),
    ...params.map((n) => item(n, CompletionItemKind.TypeParameter, `parameter of block ${owner.name}`)),
  ];
}

const blockItems = (names: Names): CompletionItem[] =>
  (names.blocks ?? []).map((b) => item(b.name, CompletionItemKind.Module, `block ${b.name}(${b.params.join(', ')})`));

export function completions(text: string, offset: number, names: Names): CompletionItem[] {
  const ctx = contextAt(text, offset);
  const { tokens, stack } = ctx;
  const prev = tokens[tokens.length - 1]?.image;
  const top = stack[stack.length - 1];
  if (!top) {
    if (prev === 'train') return names.models.map((n) => item(n, CompletionItemKind.Class, 'model'));
    if (prev === 'on') return names.datasets.map((n) => item(n, CompletionItemKind.Struct, 'dataset'));
    if (prev === '=' && tokens[tokens.length - 3]?.image === 'dataset') return valueItems(valuesOf(props(datasetSchema).source));
    return topKeywords.map((k) => item(k, CompletionItemKind.Keyword));
  }
  const key = keyBefore(ctx);
  if (top.token.image === '(') {
    const callee = tokens[top.index - 1]?.image ?? '';
    const outer = stack[stack.length - 2];
    const bodyOwner = outer && outer.token.image === '{' ? blockOwner(tokens, outer.index) : null;
    const inModel = bodyOwner?.kind === 'model' || bodyOwner?.kind === 'block';
    let args: Record<string, Schema> = {};
    if (inModel && stack.length === 2) {
      // A layer's arguments, or a block's parameters; the tensors and block parameters in scope as values.
      const block = names.blocks?.find((b) => b.name === callee);
      args = block ? Object.fromEntries(block.params.map((p) => [p, {}])) : layerArguments(callee);
      const scope = scopeItems(tokens, outer, bodyOwner!, top.token.startLine ?? null);
      if (key) return [...valueItems(valuesOf(args[key])), ...scope.filter((i) => i.kind === CompletionItemKind.TypeParameter)];
      return [...keyItems(args), ...scope];
    } else {
      const owner = tokens[top.index - 3]?.image; // `owner: callee(`
      const ownerSchema = props(trainingSchema)[owner ?? ''] ?? props(datasetSchema)[owner ?? ''] ?? layerArgumentsOfAny(owner ?? '');
      args = props(branch(ownerSchema, 'type', callee));
    }
    if (key) return valueItems(valuesOf(args[key]));
    return keyItems(args);
  }
  if (top.token.image === '[') {
    const owner = tokens[top.index - 2]?.image ?? '';
    return valueItems(valuesOf(props(trainingSchema)[owner]));
  }
  const owner = blockOwner(tokens, top.index);
  if (owner.kind === 'model' || owner.kind === 'block') {
    if (key) return [];
    const layers = [...layerTypes().map((t) => item(t, CompletionItemKind.Function, 'layer')), ...blockItems(names)];
    // After `name =` a layer (or block) comes; at the start of a line also the body's own keywords.
    if (prev === '=') return layers;
    return [
      item('input', CompletionItemKind.Keyword, owner.kind === 'model' ? 'input NAME: [dims]' : 'input NAME'),
      ...(owner.kind === 'model' ? [item('labels', CompletionItemKind.Property, 'labels: ["...", ...]')] : []),
      ...layers,
    ];
  }
  let schemaProps: Record<string, Schema> = {};
  if (owner.kind === 'train') schemaProps = props(trainingSchema);
  else if (owner.kind === 'dataset') {
    const common = props(deref(datasetSchema));
    schemaProps = { ...common, ...props(branch(datasetSchema, 'source', owner.name ?? '')) };
  } else if (owner.kind === 'key') {
    const parent = props(trainingSchema)[owner.name ?? ''] ?? props(defs.dataset_image_folder)[owner.name ?? ''];
    const common = (props(datasetSchema) as Record<string, Schema>);
    schemaProps = props(deref(parent ?? common[owner.name ?? '']));
    if (Object.keys(schemaProps).length === 0) schemaProps = props(deref(findDatasetProp(owner.name ?? '')));
  }
  if (key) return valueItems(valuesOf(schemaProps[key] ?? props(trainingSchema)[key]));
  return keyItems(schemaProps);
}

function findDatasetProp(name: string): Schema | undefined {
  for (const [k, s] of Object.entries(defs)) if (k.startsWith('dataset_') && props(s)[name]) return props(s)[name];
  return undefined;
}

function layerArgumentsOfAny(name: string): Schema | undefined {
  for (const type of layerTypes()) {
    const s = layerArguments(type)[name];
    if (s) return s;
  }
  return undefined;
}

/** `conv2d(filters, kernel, strides: [1, 1], padding: valid, ...)`, with the argument being typed active. */
export function signatureHelp(text: string, offset: number): SignatureHelp | null {
  const ctx = contextAt(text, offset);
  const top = ctx.stack[ctx.stack.length - 1];
  if (!top || top.token.image !== '(') return null;
  const type = ctx.tokens[top.index - 1]?.image ?? '';
  const args = layerArguments(type);
  if (Object.keys(args).length === 0 && !(type in layerPositional)) return null;
  const positional = layerPositional[type] ?? [];
  const names = [...positional, ...Object.keys(args).filter((k) => !positional.includes(k))];
  const labels = names.map((n) => (positional.includes(n) ? n : `${n}: ${defaultText(args[n]) ?? '...'}`));
  // The argument under the cursor: named by its key, else by how many commas come before it.
  const after = ctx.tokens.slice(top.index + 1);
  let depth = 0;
  let commas = 0;
  let lastKey: string | null = null;
  after.forEach((t, i) => {
    if (t.image === '(' || t.image === '[' || t.image === '{') depth++;
    else if (t.image === ')' || t.image === ']' || t.image === '}') depth--;
    else if (depth === 0 && t.image === ',') {
      commas++;
      lastKey = null;
    } else if (depth === 0 && t.image === ':' && after[i - 1]) lastKey = after[i - 1].image;
  });
  const typed = ctx.prefix?.image;
  const active = lastKey !== null ? names.indexOf(lastKey) : typed && names.some((n) => n.startsWith(typed) && !positional.includes(n)) && commas >= positional.length ? names.findIndex((n) => n.startsWith(typed)) : Math.min(commas, names.length - 1);
  return {
    signatures: [{
      label: `${type}(${labels.join(', ')})`,
      documentation: `layer \`${type}\`: ${positional.length ? `positional ${positional.join(', ')}; ` : ''}defaults from the schema`,
      parameters: labels.map((label) => ({ label })),
    }],
    activeSignature: 0,
    activeParameter: Math.max(0, active),
  };
}

/** Hover text for an argument of a layer or a property of a train block: its allowed values and default. */
export function propertyHover(owner: { layer: string } | { train: true }, key: string): string | null {
  const s = 'layer' in owner ? layerArguments(owner.layer)[key] : props(trainingSchema)[key];
  if (!s) return null;
  const schema = deref(s) ?? s;
  const values = valuesOf(s);
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type as string | undefined);
  const limits = [['minimum', '>='], ['exclusiveMinimum', '>'], ['maximum', '<='], ['exclusiveMaximum', '<']]
    .filter(([k]) => typeof schema[k] === 'number').map(([k, op]) => `${op} ${schema[k]}`);
  const lines = [`**${key}**${'layer' in owner ? ` (argument of \`${owner.layer}\`)` : ' (training)'}`, ''];
  if (values.length) lines.push(`- one of ${values.map((v) => `\`${v}\``).join(', ')}`);
  if (schema.if && schema.else) lines.push('- or a table with one entry per output: `{ <output>: ... }`');
  else if (type) lines.push(`- ${type}${limits.length ? ` ${limits.join(', ')}` : ''}`);
  const def = defaultText(s);
  lines.push(def !== null ? `- default \`${def}\`` : '- required');
  return lines.join('\n');
}

/** Each block a file declares, with its parameters' names (`block residual(filters, kernel: 3)`: filters, kernel). */
export function blockSignatures(ast: FileNode): { name: string; params: string[] }[] {
  return ast.items.filter((i): i is BlockNode => i.kind === 'block').map((b) => ({
    name: b.name.text,
    params: b.params.map((p) => p.key?.text ?? (p.value.kind === 'call' && p.value.args === null ? p.value.name.text : null))
      .filter((p): p is string => p !== null),
  }));
}
