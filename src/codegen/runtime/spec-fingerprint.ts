// What a checkpoint was trained from: the model's layer configs, the dataset and the training as flat
// `path = value` fields, and their hash. Resuming from a checkpoint of another spec would mix two models (an edited
// activation, loss or feature order), so it is refused with the differing fields named. The epoch count and the
// seed may change: the current spec's epochs say how far a resumed run goes; the checkpoint's RNG state continues.
import type * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';

export interface SpecFingerprint { hash: string; fields: Record<string, string> }

const FREE_TRAINING_KEYS = new Set(['epochs', 'seed']);

function flatten(prefix: string, value: unknown, out: Record<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out[prefix] = JSON.stringify(value ?? null);
  }
}

export function specFingerprint(model: tf.LayersModel, dataset: unknown, training: object): SpecFingerprint {
  const fields: Record<string, string> = {};
  const topology = model.toJSON(undefined, false) as { config?: { layers?: { class_name: string; config: Record<string, unknown> }[] } };
  for (const layer of topology.config?.layers ?? []) {
    const { name, ...config } = layer.config;
    // Initializers only decide where a fresh run starts; a checkpoint replaces them.
    const kept = Object.fromEntries(Object.entries(config).filter(([k]) => !/initializer/i.test(k)));
    flatten(`model.${String(name)}`, { class: layer.class_name, ...kept }, fields);
  }
  flatten('dataset', dataset, fields);
  flatten('training', Object.fromEntries(Object.entries(training).filter(([k]) => !FREE_TRAINING_KEYS.has(k))), fields);
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { hash: createHash('sha256').update(JSON.stringify(sorted)).digest('hex'), fields: sorted };
}

/** `path: old -> new` for each field that differs (at most `limit`, then a count). */
export function fingerprintDifferences(before: SpecFingerprint, now: SpecFingerprint, limit = 8): string[] {
  const keys = [...new Set([...Object.keys(before.fields), ...Object.keys(now.fields)])].sort();
  const lines = keys
    .filter((k) => before.fields[k] !== now.fields[k])
    .map((k) => `${k}: ${before.fields[k] ?? '(absent)'} -> ${now.fields[k] ?? '(absent)'}`);
  return lines.length > limit ? [...lines.slice(0, limit), `and ${lines.length - limit} more`] : lines;
}
