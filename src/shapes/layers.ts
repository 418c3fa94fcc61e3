// Per-layer shape rules: output shape, parameter counts and forward FLOPs of one layer, computed exactly as
// tfjs 4.22 does. Each layer type's rule lives in its module (src/layers/types/); this applies the right one.
import type { Layer } from '../spec/types.js';
import { layerModule } from '../layers/registry.js';
import type { LayerContext, LayerOutcome } from '../layers/module.js';

export type { LayerContext, LayerOutcome } from '../layers/module.js';
export { ShapeFailure, product, showShape } from '../layers/shape-kit.js';

/** Applies one layer to an input shape. Throws ShapeFailure when the layer cannot take that input. */
export function applyLayer(layer: Layer, ctx: LayerContext): LayerOutcome {
  const module = layerModule(layer.type);
  // The schema admits only registered types, so a miss is nnc's bug, not the spec's.
  if (!module) throw new Error(`no layer module for ${layer.type}`);
  const result = module.shape(layer as never, ctx);
  // a frozen layer keeps its weights, which tfjs then lists as non-trainable
  return layer.trainable === false ? { ...result, trainable: 0, nonTrainable: result.nonTrainable + result.trainable } : result;
}
