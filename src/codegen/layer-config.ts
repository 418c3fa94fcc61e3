// The one mapping from a spec layer to a tfjs layer: code generation renders it to TypeScript source,
// tests instantiate it in-process. Each layer type's config comes from its module (src/layers/types/); every
// random initializer and dropout gets an explicit seed derived from (training seed, layer index, which weight)
// so one seed always gives the same initial weights.
import type * as tfjs from '@tensorflow/tfjs';
import type { Layer, ModelInput } from '../spec/types.js';
import type { ConfigValue, DerivedSeed } from '../layers/config-kit.js';
import { layerModule } from '../layers/registry.js';
import { deriveSeed } from './runtime/rng.js';
import { withoutTfjsDefaults } from './tfjs-defaults.js';

export { deriveSeed };

export type { ConfigValue, DerivedSeed } from '../layers/config-kit.js';

export interface LayerConfig {
  /** tf.layers.<factory> */
  factory: string;
  args: { [k: string]: ConfigValue };
  /** A layer of nnc's runtime (src/codegen/runtime/layers.ts) rather than tf.layers. */
  custom?: boolean;
}

/** nnc's own layers (src/codegen/runtime/layers.ts), by factory name, for instantiating configs in-process. */
export type CustomLayers = Record<string, unknown>;

/** Drops null entries so generated code stays short and tfjs sees its own defaults. */
function compact(args: { [k: string]: ConfigValue }): { [k: string]: ConfigValue } {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null));
}

/**
 * `outputShape` is the layer's inferred output (LayerShapeInfo.outputShape); the reshape module needs it.
 * The first layer (`input` given) also carries the model's input shape. Arguments equal to tfjs's defaults are
 * left out (./tfjs-defaults.ts) unless `tfjsDefaults` is 'keep' (tests compare both builds).
 */
export function layerConfig(
  layer: Layer, index: number, input: ModelInput | null, seed: number, outputShape?: (number | null)[],
  tfjsDefaults: 'omit' | 'keep' = 'omit',
): LayerConfig {
  const module = layerModule(layer.type);
  if (!module) throw new Error(`no layer module for ${layer.type}`);
  // A tfjs layer's dtype is also the dtype of its weights: an int32 first layer (an embedding of token ids) would get
  // int32 weights that no optimizer can update. So an int32 input is declared float32 (the default) and fed int32
  // tensors; Embedding casts its input to int32 itself.
  const first: { [k: string]: ConfigValue } = input
    ? { inputShape: [...input.shape], ...(input.dtype === 'int32' ? {} : { dtype: input.dtype }) }
    : {};
  const { factory, args, custom } = module.config(layer as never, { seed, index, outputShape });
  const frozen: { [k: string]: ConfigValue } = layer.trainable === false ? { trainable: false } : {};
  const all = compact({ name: layer.name, ...first, ...args, ...frozen });
  const kept = tfjsDefaults === 'keep' || custom ? all : withoutTfjsDefaults(factory, all);
  return { factory, args: kept, ...(custom ? { custom } : {}) };
}

const isCall = (v: ConfigValue): v is { $call: string; args: { [k: string]: ConfigValue } } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $call?: unknown }).$call === 'string';
const isDerivedSeed = (v: ConfigValue): v is DerivedSeed =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $derivedSeed?: unknown }).$derivedSeed === 'number';

/**
 * Turns a config value into the value tfjs takes, calling `tf.initializers.x(...)` etc. on `tf`, and nnc's own
 * layers (`layers.x(...)`) on `custom`.
 */
function resolveValue(v: ConfigValue, tf: typeof tfjs, custom: CustomLayers = {}): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, tf, custom));
  if (isDerivedSeed(v)) return v.$derivedSeed;
  if (isCall(v)) {
    const path = v.$call.split('.');
    if (path[0] !== 'tf' && path[0] !== 'layers') throw new Error(`layer config calls ${v.$call}, which is not under tf or layers`);
    let target: unknown = path[0] === 'tf' ? tf : custom;
    for (const part of path.slice(1)) target = (target as Record<string, unknown>)[part];
    if (typeof target !== 'function') throw new Error(`layer config calls ${v.$call}, which tfjs does not have`);
    const args = resolveValue(v.args, tf, custom) as Record<string, unknown>;
    return Object.keys(args).length ? (target as (a: unknown) => unknown)(args) : (target as () => unknown)();
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveValue(x, tf, custom)]));
  return v;
}

/** A tfjs layer from its config; `custom` is nnc's runtime layers module, needed for the layers it defines. */
export function instantiateLayer(cfg: LayerConfig, tf: typeof tfjs, custom: CustomLayers = {}): tfjs.layers.Layer {
  const factories = (cfg.custom ? custom : tf.layers) as unknown as Record<string, (args: unknown) => tfjs.layers.Layer>;
  const factory = factories[cfg.factory];
  if (typeof factory !== 'function') throw new Error(`${cfg.custom ? 'nnc\'s runtime' : 'tfjs'} has no layer factory ${cfg.custom ? 'layers' : 'tf.layers'}.${cfg.factory}`);
  return factory(resolveValue(cfg.args, tf, custom));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An object key in TypeScript source: bare when it is an identifier, else a string literal. */
export const configKey = (k: string): string => (IDENTIFIER.test(k) ? k : JSON.stringify(k));

/** TypeScript source for a config value; strings through JSON.stringify; derived seeds from the `seed` in scope. */
export function renderConfigValue(v: ConfigValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot render ${v} in a layer config`);
    return Object.is(v, -0) ? '0' : String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(renderConfigValue).join(', ')}]`;
  if (isDerivedSeed(v)) return `deriveSeed(seed, ${v.layer}, ${JSON.stringify(v.slot)})`;
  if (isCall(v)) return `${v.$call}(${Object.keys(v.args).length ? renderConfigValue(v.args) : ''})`;
  const entries = Object.entries(v).map(([k, x]) => `${configKey(k)}: ${renderConfigValue(x)}`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}
