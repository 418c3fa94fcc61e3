// Schema validation of the raw spec with ajv: fills defaults, and maps every ajv error back to the span of
// the value or argument that caused it, as an NN2xxx diagnostic.
import type { ErrorObject } from 'ajv';
import { diag, q } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { JsonObject, Json } from '../normalize/values.js';
import type { SpanIndex } from '../spec/spans.js';
import { specSchema } from './schema.js';
// Precompiled by build.ts: compiling the schema at start-up would cost ~2 s.
import validate from './validate-spec.js';

/**
 * The schema object an ajv error's schemaPath points into, minus its last keyword. A path inside a $ref'd
 * definition is relative to that definition: the candidates are tried in turn, the definitions the instance path
 * suggests first, and the first one in which the whole path (keyword included) exists wins.
 */
function parentSchemaOf(e: ErrorObject, spec: JsonObject): Record<string, unknown> {
  const defs = specSchema.$defs as Record<string, Record<string, unknown>>;
  const at = (ptr: string) => valueAt(spec, ptr) as Record<string, unknown> | undefined;
  const layer = /^(\/models\/\d+\/layers\/\d+)/.exec(e.instancePath);
  const dataset = /^(\/datasets\/\d+)/.exec(e.instancePath);
  const candidates = [
    /_initializer(\/|$)/.test(e.instancePath) ? defs.initializer : undefined,
    /_regularizer(\/|$)/.test(e.instancePath) ? defs.regularizer : undefined,
    layer ? defs[`layer_${at(layer[1])?.type}`] : undefined,
    dataset ? defs[`dataset_${at(dataset[1])?.source}`] : undefined,
    specSchema,
    ...Object.values(defs),
  ].filter((c): c is Record<string, unknown> => Boolean(c));
  const parts = e.schemaPath.replace(/^#\//, '').split('/').map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  const walk = (root: Record<string, unknown>, path: string[]) =>
    path.reduce<Record<string, unknown> | undefined>((s, p) => (s && typeof s === 'object' ? (s[p] as Record<string, unknown>) : undefined), root);
  for (const root of candidates) {
    const parent = walk(root, parts.slice(0, -1));
    if (parent && parts[parts.length - 1] in parent) return parent;
  }
  return {};
}

const kindOfKey: Record<string, string> = {
  activation: 'activation', recurrent_activation: 'activation', loss: 'loss', padding: 'padding', color: 'color mode',
  dtype: 'dtype', source: 'dataset source', task: 'task', metrics: 'metric',
};

/** The part of the spec a pointer is in, for messages: "layer `dense_2`", "dataset `fashion`". */
function ownerOf(ptr: string, spec: JsonObject): string {
  const parts = ptr.split('/').slice(1);
  const at = (n: number) => valueAt(spec, '/' + parts.slice(0, n).join('/')) as Json;
  // The entity (layer, model, dataset, training) and, below it, the property the pointer is in.
  let entity = 'the spec';
  let depth = 0;
  if (parts[0] === 'models' && parts[2] === 'layers' && parts.length >= 4) [entity, depth] = [`layer ${q((at(4) as JsonObject)?.type)}`, 4];
  else if (parts[0] === 'models' && parts[2] === 'input') [entity, depth] = ['the input', 3];
  else if (parts[0] === 'models') [entity, depth] = [`model ${q((at(2) as JsonObject)?.name)}`, 2];
  else if (parts[0] === 'datasets') [entity, depth] = [`dataset ${q((at(2) as JsonObject)?.name)}`, 2];
  else if (parts[0] === 'trainings') [entity, depth] = [`train ${q((at(2) as JsonObject)?.name)}`, 2];
  const inner = parts.slice(depth).filter((p) => !/^\d+$/.test(p));
  return inner.length ? `${q(inner[inner.length - 1])} of ${entity}` : entity;
}

/** The name a value goes by in messages: `rate` of layer `dropout`, or `kernel_initializer` type. */
function keyOf(ptr: string): string {
  const parts = ptr.split('/').filter((p) => p !== '' && !/^\d+$/.test(p));
  return parts[parts.length - 1] ?? 'value';
}

function valueAt(spec: JsonObject, ptr: string): unknown {
  return ptr.split('/').slice(1).reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), spec);
}

function describe(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v)
    : Array.isArray(v) ? `[${v.slice(0, 20).map(describe).join(', ')}${v.length > 20 ? ', ...' : ''}]`
    : v && typeof v === 'object' ? 'an object'
    : String(v);
  // A value can be a 1 MB string or a list of 100,000 items; the message shows its start.
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}

const typeNames: Record<string, string> = { integer: 'an integer', number: 'a number', string: 'a string', boolean: '`true` or `false`', array: 'a list', object: 'an object', null: '`null`' };

function expectedType(t: string | string[]): string {
  const list = (Array.isArray(t) ? t : [t]).filter((x) => x !== 'null');
  return list.map((x) => typeNames[x] ?? x).join(' or ');
}

const limitWords: Record<string, string> = { '>=': 'at least', '>': 'greater than', '<=': 'at most', '<': 'less than' };

function toDiagnostic(e: ErrorObject, spec: JsonObject, spans: SpanIndex): Diagnostic | null {
  const ptr = e.instancePath;
  // Object-level errors (unknown or missing property) name the object; value errors name the value's owner.
  const objectLevel = e.keyword === 'additionalProperties' || e.keyword === 'required';
  const owner = ownerOf(objectLevel ? ptr : ptr.replace(/(\/\d+)*$/, '').replace(/\/[^/]*$/, ''), spec);
  const data = valueAt(spec, ptr);
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((parentSchemaOf(e, spec).properties as object) ?? {}).filter((k) => k !== 'type' && k !== 'source')
        // a layer's `inputs` come from the syntax, `dense(3)(x)`, not from an argument
        // (nor do its initial states and the names of the states it gives: `out, h = gru(...)(x, initial_state: [h0])`)
        .filter((k) => !['inputs', 'initial_state', 'state_outputs'].includes(k) || !/\/layers\/\d+$/.test(ptr));
      const suggestions = suggest(prop, known);
      return diag('NN2002', spans.keyAt(`${ptr}/${prop}`), { found: q(prop), owner }, {
        suggestions, help: suggestions.length ? undefined : `${owner} takes ${known.map(q).join(', ')}`,
      });
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: string[] }).allowedValues;
      const key = keyOf(ptr);
      const parentKey = keyOf(ptr.slice(0, ptr.lastIndexOf('/')));
      // a value in a per-output table (`loss: { price: msee }`) is named by the table's key
      const table = /^\/trainings\/\d+\/(loss|metrics)\/|^\/datasets\/\d+\/(task)\//.exec(ptr);
      const kind = key === 'type' ? parentKey.replace(/^(kernel|bias|activity|recurrent|embeddings)_/, '') : (kindOfKey[table?.[1] ?? table?.[2] ?? key] ?? key);
      const found = typeof data === 'string' ? q(data) : describe(data);
      const suggestions = typeof data === 'string' ? suggest(data, allowed) : [];
      return diag('NN2005', spans.valueAt(ptr), { kind, found }, {
        suggestions, help: suggestions.length ? undefined : `expected one of ${allowed.map(q).join(', ')}`,
      });
    }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      return diag('NN2004', spans.valueAt(ptr), { what: `${q(keyOf(ptr))} of ${owner}`, limit: `${limitWords[comparison]} ${limit}`, found: describe(data) });
    }
    case 'type':
      return diag('NN2003', spans.valueAt(ptr), { expected: expectedType((e.params as { type: string | string[] }).type), what: `${q(keyOf(ptr))} of ${owner}`, found: describe(data) });
    case 'required': {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      if (prop === 'input' && /^\/models\/\d+$/.test(ptr)) return diag('NN2011', spans.keyAt(ptr), { name: q((data as JsonObject).name) });
      return diag('NN2006', spans.keyAt(ptr), { what: q(prop), owner }, { help: `add \`${prop}: ...\`` });
    }
    case 'minItems': case 'maxItems': {
      if (/^\/models\/\d+\/layers$/.test(ptr)) return diag('NN2013', spans.keyAt(ptr.slice(0, -'/layers'.length)), { name: q(valueAt(spec, ptr.slice(0, -'/layers'.length) + '/name')) });
      const schema = parentSchemaOf(e, spec) as { minItems?: number; maxItems?: number };
      const count = schema.minItems === schema.maxItems || e.keyword === 'minItems' ? schema.minItems! : schema.maxItems!;
      const bound = schema.minItems === schema.maxItems ? '' : e.keyword === 'minItems' ? 'at least ' : 'at most ';
      return diag('NN2003', spans.valueAt(ptr), { expected: `a list of ${bound}${count} item${count === 1 ? '' : 's'}`, what: `${q(keyOf(ptr))} of ${owner}`, found: describe(data) });
    }
    case 'uniqueItems':
      return diag('NN2016', spans.valueAt(ptr), { what: `${q(keyOf(ptr))} of ${owner}`, reason: 'it lists an item twice' });
    case 'pattern':
      return diag('NN2016', spans.valueAt(ptr), { what: `${q(keyOf(ptr))} of ${owner}`, reason: `${describe(data)} is not a valid name` }, { help: 'names start with a letter or `_` and hold letters, digits and `_`' });
    case 'not':
      return diag('NN2004', spans.valueAt(ptr), { what: `${q(keyOf(ptr))} of ${owner}`, limit: 'a positive integer or -1', found: describe(data) });
    case 'if': case 'allOf': case 'anyOf': case 'const':
      return null; // restated by the branch's own errors
    default:
      return diag('NN2016', spans.valueAt(ptr), { what: `${q(keyOf(ptr))} of ${owner}`, reason: e.message ?? e.keyword });
  }
}

/** Validates and fills defaults in place. Returns diagnostics, at most one per source position and code. */
/** Schema errors reported per file, as for syntax errors: past this many the rest are noise, and each costs time. */
export const MAX_SCHEMA_ERRORS = 100;

export function validateSpec(spec: JsonObject, spans: SpanIndex): Diagnostic[] {
  if (validate(spec)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    if (out.length === MAX_SCHEMA_ERRORS) {
      out.push(diag('NN1010', null, { count: MAX_SCHEMA_ERRORS }, { severity: 'note' }));
      break;
    }
    const d = toDiagnostic(e, spec, spans);
    if (!d) continue;
    const key = `${d.code}@${d.span?.file}:${d.span?.offset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
