// Argument declarations of layer modules. Each builder gives the JSON Schema of one argument and, as a phantom
// type, the TypeScript type that argument has in the normalized spec, so a layer's spec type is derived from
// the same declaration that validates it (LayerOf in ./module.ts).
import type { Activation, Initializer, Regularizer } from '../codegen/runtime/spec-types.js';

export type Schema = Record<string, unknown>;

export const activations = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu'];

/**
 * One argument: its schema, and how it reaches the normalized spec. `presence` is `required` (no default: the
 * spec must give it), `defaulted` (the schema's default fills it), `filled` (a later phase fills it: pooling strides),
 * or `optional` (may stay absent).
 */
export interface ArgDef<V = unknown, P extends Presence = Presence> {
  schema: Schema;
  presence: P;
  /** Takes one number for both axes of a 2-D layer: `kernel: 3` is `kernel: [3, 3]`. */
  pair?: boolean;
  /** Phantom: the value's type in the normalized spec. */
  readonly __value?: V;
}
export type Presence = 'required' | 'defaulted' | 'filled' | 'optional';

const def = <V, P extends Presence>(schema: Schema, presence: P, extra: { pair?: boolean } = {}): ArgDef<V, P> => ({ schema, presence, ...extra });
const withDefault = <V>(schema: Schema): ArgDef<V, 'required' | 'defaulted'> =>
  def<V, 'required' | 'defaulted'>(schema, 'default' in schema ? 'defaulted' : 'required');

const intSchema = (minimum = 1): Schema => ({ type: 'integer', minimum });
const pairSchema: Schema = { type: 'array', items: intSchema(), minItems: 2, maxItems: 2 };
/** A number of rows or steps on each side: an integer >= 0, or a pair `[before, after]`. */
const sideSchema: Schema = { type: ['integer', 'array'], minimum: 0, items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 };
const rateSchema: Schema = { type: 'number', minimum: 0, exclusiveMaximum: 1 };

/** The shared parts every spec refers to by $ref (defined in src/schema/schema.ts). */
const initializerRef = (type: string): Schema => ({ $ref: '#/$defs/initializer', default: { type } });
const regularizerRef: Schema = { $ref: '#/$defs/regularizer', default: null };

export const arg = {
  /** An integer >= 1 (or >= `minimum`). */
  int: (o: { default?: number; minimum?: number } = {}) =>
    withDefault<number>({ ...intSchema(o.minimum), ...(o.default !== undefined ? { default: o.default } : {}) }),
  num: (extra: Schema = {}) => withDefault<number>({ type: 'number', ...extra }),
  bool: (value: boolean) => def<boolean, 'defaulted'>({ type: 'boolean', default: value }, 'defaulted'),
  /** A fraction in [0, 1). */
  rate: (value?: number) => withDefault<number>(value === undefined ? rateSchema : { ...rateSchema, default: value }),
  oneOf: <const T extends readonly string[]>(values: T, value?: T[number]) =>
    withDefault<T[number]>(value === undefined ? { enum: values } : { enum: values, default: value }),
  activation: (value?: Activation) => withDefault<Activation>(value === undefined ? { enum: activations } : { enum: activations, default: value }),
  padding: () => def<'valid' | 'same', 'defaulted'>({ enum: ['valid', 'same'], default: 'valid' }, 'defaulted'),
  /** Two integers >= 1, one per spatial axis; one number is taken for both. */
  pair: (value?: [number, number]) =>
    def<[number, number], 'required' | 'defaulted'>(value ? { ...pairSchema, default: value } : pairSchema, value ? 'defaulted' : 'required', { pair: true }),
  initializer: (type: Initializer['type']) => def<Initializer, 'defaulted'>(initializerRef(type), 'defaulted'),
  regularizer: () => def<Regularizer | null, 'defaulted'>(regularizerRef, 'defaulted'),
  seed: () => def<number, 'optional'>({ type: 'integer' }, 'optional'),
  /** Filled by a later phase when absent (src/normalize/complete.ts): the schema does not require it. */
  filled: <V>(a: ArgDef<V>): ArgDef<V, 'filled'> => ({ ...a, presence: 'filled' }),
  schema: <V>(schema: Schema) => withDefault<V>(schema),
  /**
   * Padding or cropping of a 2-D layer: one integer >= 0 for all four sides, one per axis `[h, w]`, or
   * `[[top, bottom], [left, right]]`; one number is taken for both axes, an axis may be a number or a pair.
   */
  sides: (value: [number, number]) =>
    def<[number | [number, number], number | [number, number]], 'defaulted'>(
      { type: 'array', minItems: 2, maxItems: 2, items: sideSchema, default: value }, 'defaulted', { pair: true }),
  /** Padding or cropping of a 1-D layer: one integer >= 0 for both ends, or `[start, end]`. */
  ends: (value: number | [number, number]) => def<number | [number, number], 'defaulted'>({ ...sideSchema, default: value }, 'defaulted'),
  /** An optional number: absent unless the spec gives it. */
  optionalNum: (extra: Schema = {}) => def<number, 'optional'>({ type: 'number', ...extra }, 'optional'),
  /** An optional boolean: absent unless the spec gives it. */
  flag: () => def<boolean, 'optional'>({ type: 'boolean' }, 'optional'),
};

export type Args = Record<string, ArgDef>;

/** The arguments of layers that own a kernel, in the order the schema lists them. */
export const weightedArgs = {
  use_bias: arg.bool(true),
  kernel_initializer: arg.initializer('glorot_uniform'),
  bias_initializer: arg.initializer('zeros'),
  kernel_regularizer: arg.regularizer(),
  bias_regularizer: arg.regularizer(),
  activity_regularizer: arg.regularizer(),
};

type ValueOf<A> = A extends ArgDef<infer V, Presence> ? V : never;
type OptionalKeys<A extends Args> = { [K in keyof A]: A[K] extends ArgDef<unknown, 'optional'> ? K : never }[keyof A];

/** The normalized-spec type of a layer's arguments. */
export type ArgValues<A extends Args> =
  & { [K in Exclude<keyof A, OptionalKeys<A>>]: ValueOf<A[K]> }
  & { [K in OptionalKeys<A>]?: ValueOf<A[K]> };
