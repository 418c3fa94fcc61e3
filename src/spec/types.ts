// The normalized spec types. Most live beside the runtime so generated code can carry them (see
// ../codegen/runtime/spec-types.ts); the layers' exact types are derived from their modules (src/layers/).
import type { ModelSpec as ModelSpecOf, Spec as SpecOf, TrainingUnit as TrainingUnitOf } from '../codegen/runtime/spec-types.js';
import type { Layer } from '../layers/registry.js';
import type { WeightedValues } from '../layers/config-kit.js';

export type * from '../codegen/runtime/spec-types.js';
export type { Layer, LayerType } from '../layers/registry.js';

export type ModelSpec = ModelSpecOf<Layer>;
export type Spec = SpecOf<Layer>;
export type TrainingUnit = TrainingUnitOf<Layer>;

/** Fields of layers that own a kernel. */
export type WeightedLayer = WeightedValues;
export type RecurrentLayer = Extract<Layer, { type: 'lstm' | 'gru' | 'simple_rnn' }>;
export type GlobalPoolLayer = Extract<Layer, { type: 'global_max_pool1d' | 'global_avg_pool1d' | 'global_max_pool2d' | 'global_avg_pool2d' }>;
