// What one layer type declares: its arguments (schema, defaults, positional order, Keras aliases), its shape
// rule (output shape, parameters, FLOPs) and the tfjs layer it becomes. The registry (./registry.ts) derives the
// schema, the normalizer's tables, the spec types, shape inference and code generation from these modules.
import type { Diagnostic } from '../diagnostics/types.js';
import type { SpanIndex } from '../spec/spans.js';
import type { ArgValues, Args } from './args.js';
import type { ConfigContext, ConfigValue } from './config-kit.js';

/** The normalized-spec type of a layer declared with arguments `A`. */
export type LayerOf<T extends string, A extends Args> = {
  type: T; name: string; trainable?: boolean; inputs?: string[];
  /** A recurrent layer's initial states, by tensor name: `lstm(8)(x, initial_state: [h, c])`. */
  initial_state?: string[];
  /** The names of the states a recurrent layer with `return_state: true` gives after its output: `out, h, c = lstm(...)`. */
  state_outputs?: string[];
} & ArgValues<A>;

/** What a shape rule returns for one layer (shapes have no batch axis). */
export interface LayerOutcome {
  out: number[];
  dtype: 'float32' | 'int32';
  trainable: number;
  nonTrainable: number;
  /** Forward FLOPs per sample: a multiply-add counts 2, a bias add, comparison or elementwise step 1. */
  flops: number;
  warnings: Diagnostic[];
  /** Shapes of the tensors it gives after its output (a recurrent layer's states with `return_state: true`). */
  states?: number[][];
}

/** A layer as the shape rules see it: any registered layer type. */
export interface AnyLayer { type: string; name: string; trainable?: boolean }

/** What a rule may look at besides its own layer. */
export interface LayerContext {
  modelIndex: number;
  layerIndex: number;
  spans: SpanIndex;
  inShape: number[];
  dtype: 'float32' | 'int32';
  /** Input name and shape as declared, for help lines. */
  inputName: string;
  inputShape: number[];
  /** Inside a wrapper (`bidirectional(lstm(8))`): the path from the model's layer to this one, e.g. ['layer']. */
  path?: string[];
  /** Inside a wrapper: the wrapper's name, from which the wrapped layer's default name is made. */
  wrapperName?: string;
  /** The layers on the path from the input to this one (along first inputs), with their output shapes. */
  previous: { layer: AnyLayer; out: number[] }[];
  /** Every tensor the layer takes, in order (`inShape` is the first's), with the line that made it. */
  inputs: { name: string; shape: number[]; line: number | null }[];
  /** The initial states it is given (`initial_state: [h, c]`), with the lines that made them; empty when none. */
  initialState: { name: string; shape: number[]; line: number | null }[];
}

/** What shape inference found for one layer, as its `explain` restates it (shapes without the batch axis). */
export interface ShapeFacts {
  /** The first input's shape. */
  input: number[];
  /** Every input's shape, in order (a merge takes several). */
  inputs: number[][];
  out: number[];
  /** Trainable and non-trainable together. */
  params: number;
}

export interface LayerModule<T extends string = string, A extends Args = Args> {
  type: T;
  args: A;
  /** Arguments a call may give without names, in order: `dense(500)` is `dense(units: 500)`. */
  positional: (keyof A & string)[];
  /** How many tensors it takes; default exactly one. A merge layer takes `{ min: 2 }`. */
  arity?: { min: number; max?: number };
  /** Its positional arguments are the tensors it merges: `add(x, y)`. */
  merge?: boolean;
  /**
   * The tensors its call takes, by position or by keyword, as Keras names them: `['query', 'value', 'key']` makes
   * `multi_head_attention(2, 8)(q, v, key: k)` take [q, v, k]. Without it a call takes its tensors by position only.
   */
  callInputs?: string[];
  /** The keyword of its call that takes a list of initial states, kept apart from its inputs: `initial_state`. */
  stateInput?: string;
  /** The states it gives after its output, by kind (`['h', 'c']`), for its arguments as written; default none. */
  stateOutputs?(args: Record<string, unknown>): string[];
  /** Keras spellings of argument names: `kernel_size` for `kernel`. */
  aliases?: Record<string, keyof A & string>;
  /** Output shape, parameters and FLOPs; throws ShapeFailure when the layer cannot take its input. */
  shape(layer: LayerOf<T, A>, ctx: LayerContext): LayerOutcome;
  /**
   * The arithmetic behind its output shape and parameter count, one line each, for the editor's hover
   * (`height: floor((28 - 3) / 1) + 1 = 26`); src/layers/explain-kit.ts has the shared pieces. None: no lines.
   */
  explain?(layer: LayerOf<T, A>, facts: ShapeFacts): string[];
  /**
   * The tfjs layer: tf.layers.<factory>(args), without `name` and input shape (added by codegen/layer-config.ts);
   * `custom`: a layer of nnc's runtime (src/codegen/runtime/layers.ts), `layers.<factory>(args)`.
   */
  config(layer: LayerOf<T, A>, ctx: ConfigContext): { factory: string; args: { [k: string]: ConfigValue }; custom?: boolean };
}

/** Declares a layer module; the identity, there to infer `T` and `A` from the literal. */
export function defineLayer<const T extends string, A extends Args>(module: LayerModule<T, A>): LayerModule<T, A> {
  return module;
}

/** The normalized-spec type of the layers a module declares. */
export type LayerOfModule<M> = M extends LayerModule<infer T, infer A> ? LayerOf<T, A> : never;
