// Normalized spec -> .nn source. Every value is written out explicitly, so parsing the output gives back
// the same spec (the round-trip property the tests check).
import type { Spec } from '../spec/types.js';
import { isTypedObjectKey } from './tables.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const reserved = new Set(['model', 'dataset', 'train', 'import', 'input', 'on', 'as', 'true', 'false', 'null']);
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

function name(s: string): string {
  return identifier.test(s) && !reserved.has(s) ? s : JSON.stringify(s);
}

function value(v: Json, key?: string): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return name(v);
  if (Array.isArray(v)) return `[${v.map((x) => value(x)).join(', ')}]`;
  if (key && isTypedObjectKey(key) && typeof v.type === 'string') {
    const { type, ...rest } = v;
    return `${type}(${args(rest)})`;
  }
  const entries = Object.entries(v);
  return entries.length ? `{ ${entries.map(([k, x]) => `${name(k)}: ${value(x, k)}`).join(', ')} }` : '{}';
}

function args(obj: Record<string, Json>): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k}: ${value(v, k)}`)
    .join(', ');
}

function block(obj: Record<string, Json>, indent = '  '): string {
  return Object.entries(obj)
    .map(([k, v]) => `${indent}${k}: ${value(v, k)}\n`)
    .join('');
}

export function printSpec(spec: Spec): string {
  const out: string[] = [];
  for (const m of spec.models) {
    let s = `model ${m.name} {\n`;
    for (const input of m.inputs ?? [m.input]) s += `  input ${input.name}: ${value(input.shape)} as ${input.dtype}\n`;
    if (m.labels) s += `  labels: ${value(m.labels)}\n`;
    // Every layer carries its name, so a layer's inputs, as written, name the tensors it takes.
    // The line after the last `input` line takes that input: with several, the first layer names the first one.
    m.layers.forEach((layer, l) => {
      const { type, inputs: written, ...rest } = layer as unknown as Record<string, Json>;
      const inputs = written ?? (l === 0 && (m.inputs?.length ?? 1) > 1 ? [m.input.name] : undefined);
      s += `  ${type}(${args(rest)})${Array.isArray(inputs) ? `(${inputs.join(', ')})` : ''}\n`;
    });
    if (m.outputs) s += `  outputs: [${m.outputs.join(', ')}]\n`;
    out.push(s + '}\n');
  }
  for (const d of spec.datasets) {
    const { name: dsName, source, ...rest } = d as unknown as Record<string, Json>;
    out.push(`dataset ${dsName} = ${source} {\n${block(rest)}}\n`);
  }
  for (const t of spec.trainings) {
    const { name: tName, model, dataset, ...rest } = t as unknown as Record<string, Json>;
    out.push(`train ${model} on ${dataset} as ${tName} {\n${block(rest)}}\n`);
  }
  return out.join('\n');
}
