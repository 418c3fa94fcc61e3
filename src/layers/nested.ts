// Layers inside layers: `bidirectional(lstm(64))`, `time_distributed(dense(8))`. The wrapped layer is a layer of
// the spec at `<wrapper>/layer`; its shape rule and tfjs config come from its own module, and its diagnostics
// point inside the wrapper's call.
import { diag, q } from '../diagnostics/catalog.js';
import { pointer } from '../spec/spans.js';
import { layerModule } from './registry.js';
import { ShapeFailure } from './shape-kit.js';
import type { ConfigValue } from './config-kit.js';
import type { AnyLayer, LayerContext, LayerOutcome } from './module.js';

/**
 * The wrapped layer's outcome on `inShape`, its spans under the wrapper's `layer` argument. `states`: the wrapper
 * gives the wrapped layer's states on (`bidirectional` does); otherwise `return_state` inside it is an error.
 */
export function innerShape(inner: AnyLayer, ctx: LayerContext, inShape: number[], opts: { states?: boolean } = {}): LayerOutcome {
  const module = layerModule(inner.type);
  // The schema admits only registered types, so a miss is nnc's bug, not the spec's.
  if (!module) throw new Error(`no layer module for ${inner.type}`);
  // a wrapper other than bidirectional gives one tensor: the states of the layer it wraps have no name to go to
  if (!opts.states && (inner as AnyLayer & { return_state?: boolean }).return_state) {
    const span = ctx.spans.valueAt(pointer('models', ctx.modelIndex, 'layers', ctx.layerIndex, ...(ctx.path ?? []), 'layer', 'return_state'));
    throw new ShapeFailure([diag('NN3022', span, { layer: q(ctx.wrapperName ?? inner.type) })]);
  }
  const named = { ...inner, name: inner.name ?? innerName(ctx.wrapperName ?? '', inner) };
  const result = module.shape(named as never, { ...ctx, inShape, path: [...(ctx.path ?? []), 'layer'], previous: [] });
  // a frozen wrapped layer keeps its weights, which tfjs then lists as non-trainable (as src/shapes/layers.ts)
  return inner.trainable === false ? { ...result, trainable: 0, nonTrainable: result.nonTrainable + result.trainable } : result;
}

/** The wrapped layer's name: the spec's, or `<wrapper>_<type>`, so generated names never depend on tfjs' counters. */
export const innerName = (wrapper: string, inner: AnyLayer): string => inner.name ?? `${wrapper}_${inner.type}`;

/** `tf.layers.<factory>({ ... })` (or nnc's `layers.<factory>`) for the wrapped layer, nulls dropped. */
export function innerConfig(wrapper: string, inner: AnyLayer, ctx: { seed: number; index: number; outputShape?: (number | null)[] }): ConfigValue {
  const module = layerModule(inner.type);
  if (!module) throw new Error(`no layer module for ${inner.type}`);
  const { factory, args, custom } = module.config(inner as never, ctx);
  const frozen = inner.trainable === false ? { trainable: false } : {};
  const kept = Object.fromEntries(Object.entries({ name: innerName(wrapper, inner), ...args, ...frozen }).filter(([, v]) => v !== null));
  return { $call: `${custom ? 'layers' : 'tf.layers'}.${factory}`, args: kept };
}
