// The layer registry: looks a layer type's module up, and derives from all modules what other phases need:
// the layers' JSON Schemas, positional arguments, Keras aliases, pair arguments and the spec's Layer type.
import { layerModules } from './modules.generated.js';
import type { Schema } from './args.js';
import type { LayerModule, LayerOfModule } from './module.js';

/** A layer of the normalized spec: the union of every module's declared arguments. */
export type Layer = LayerOfModule<(typeof layerModules)[number]>;
export type LayerType = Layer['type'];

/** A lookup table without Object.prototype behind it: `constructor` or `__proto__` as a layer type finds nothing. */
function table<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, Object.fromEntries(entries));
}

/** Every module, typed loosely: a rule takes its own layer type only, so the list is not a LayerModule[] by inference. */
export const allLayerModules = layerModules as readonly unknown[] as readonly LayerModule[];

const byType: Record<string, LayerModule> = table(allLayerModules.map((m) => [m.type, m]));

/** The module of a layer type, or undefined for a type nnc does not know. */
export function layerModule(type: string): LayerModule | undefined {
  return byType[type];
}

export const layerTypes: string[] = allLayerModules.map((m) => m.type);

const nameSchema: Schema = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
/** The tensors a layer takes, by name; normalization writes it only where they are not the previous layer's output. */
export const layerInputsSchema: Schema = { type: 'array', items: nameSchema, minItems: 1 };

/** Each layer type's schema: `name`, then its arguments; required are those with neither default nor filler. */
export function layerSchema(m: LayerModule): Schema {
  const args = Object.entries(m.args);
  return {
    // `trainable: false` freezes a layer's weights (they count as non-trainable); absent means trainable
    properties: {
      name: nameSchema, trainable: { type: 'boolean' }, inputs: layerInputsSchema,
      // a recurrent layer's initial states and the names of the states it returns (`return_state: true`)
      ...(m.stateInput ? { initial_state: layerInputsSchema } : {}),
      ...(m.stateOutputs ? { state_outputs: layerInputsSchema } : {}),
      ...Object.fromEntries(args.map(([k, a]) => [k, a.schema])),
    },
    required: args.filter(([, a]) => a.presence === 'required').map(([k]) => k),
  };
}

/** Positional parameters of each layer, in order: `dense(500)` is `dense(units: 500)`. */
export const layerPositional: Record<string, string[]> = table(allLayerModules.map((m) => [m.type, [...m.positional]]));

/** Keras spellings of layer arguments, gathered from every module: `kernel_size` -> `kernel`. */
export const layerArgumentAliases: Record<string, string> = table(
  allLayerModules.flatMap((m) => Object.entries(m.aliases ?? {})),
);

/** Per layer type, the arguments that take a pair and accept one number for both axes. */
export const pairArguments: Record<string, Set<string>> = table(
  allLayerModules.map((m) => [m.type, new Set(Object.entries(m.args).filter(([, a]) => a.pair).map(([k]) => k))]),
);
