// What tfjs 4.22 refuses or silently changes in models whose shapes are fine (NN305x): activity regularizers (tfjs
// throws when such a layer is called), names tfjs does not take, and an embedding's mask reaching a layer that cannot
// take one (tfjs drops it without a word in training, and Keras and tfjs' own graph runner throw).
import { diag, q } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { modelGraph } from '../graph/graph.js';
import { layerModule } from '../layers/registry.js';
import type { Layer, Spec } from '../spec/types.js';
import { pointer, type SpanIndex } from '../spec/spans.js';
import type { ModelShapeInfo } from './infer.js';

/** tfjs-layers' isValidTensorName (common.ts): layer and input names become tensor and weight names. */
export const TFJS_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

/**
 * tf.layers factories whose layers set `supportsMasking` (tfjs-layers 4.22): they pass an input's mask on (the
 * recurrent ones only with return_sequences). Every other layer, nnc's own runtime layers included, cannot take one.
 * test/shapes/runtime-limits.test.ts checks this list against the layers tfjs builds.
 */
export const MASK_TAKERS = new Set([
  'dense', 'dropout', 'spatialDropout1d', 'activation', 'reLU', 'prelu', 'batchNormalization', 'layerNormalization',
  'lstm', 'gru', 'simpleRNN', 'bidirectional', 'timeDistributed',
  'add', 'multiply', 'average', 'maximum', 'minimum', 'concatenate',
]);
const MASK_ENDERS = new Set(['lstm', 'gru', 'simpleRNN', 'bidirectional']);

/** The layer and the layers it wraps (`bidirectional(lstm(8))`), with the pointer path below the model's layer. */
function* withWrapped(layer: Layer): Generator<{ layer: Layer; path: string[] }> {
  const path: string[] = [];
  for (let l: Layer | undefined = layer; l; l = (l as { layer?: Layer }).layer) {
    yield { layer: l, path: [...path] };
    path.push('layer');
  }
}

export function checkRuntimeLimits(spec: Spec, spans: SpanIndex, shapes: ModelShapeInfo[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  spec.models.forEach((model, m) => {
    const graph = modelGraph(model);
    if (!graph.chain) {
      graph.inputs.forEach((input, i) => {
        if (TFJS_NAME.test(input.name)) return;
        const at = pointer('models', m, ...(i === 0 ? ['input'] : ['inputs', i]), 'name');
        out.push(diag('NN3051', spans.valueAt(at), { name: q(input.name), what: `input ${q(input.name)}`, fix: q(fixName(input.name)) }));
      });
    }
    model.layers.forEach((top, l) => {
      for (const { layer, path } of withWrapped(top)) {
        const at = (...rest: string[]) => spans.valueAt(pointer('models', m, 'layers', l, ...path, ...rest));
        if (path.length === 0 && !TFJS_NAME.test(layer.name)) {
          out.push(diag('NN3051', at('name'), { name: q(layer.name), what: `layer ${q(layer.type)}`, fix: q(fixName(layer.name)) }));
        }
        // inside a wrapper tfjs calls the layer itself: no throw, and the regularizer silently does nothing
        if ((layer as { activity_regularizer?: unknown }).activity_regularizer) out.push(diag('NN3050', at('activity_regularizer'), { layer: q(path.length ? `${top.name}` : layer.name) }));
      }
    });
    const info = shapes[m];
    if (info?.complete) out.push(...maskDiagnostics(spec, m, spans, info));
  });
  return out;
}

function fixName(name: string): string {
  const trimmed = name.replace(/^[^A-Za-z0-9]+/, '');
  return trimmed && TFJS_NAME.test(trimmed) ? trimmed : `x${name}`;
}

/** Follows each `embedding(mask_zero: true)`'s mask through the graph, as tfjs computes masks layer by layer. */
function maskDiagnostics(spec: Spec, m: number, spans: SpanIndex, info: ModelShapeInfo): Diagnostic[] {
  const model = spec.models[m];
  const out: Diagnostic[] = [];
  /** tensor name -> the embedding whose mask it carries */
  const masked = new Map<string, string>();
  for (const node of modelGraph(model).nodes) {
    const { layer, index } = node;
    if (layer.type === 'embedding' && (layer as { mask_zero?: boolean }).mask_zero) {
      masked.set(layer.name, layer.name);
      continue;
    }
    const from = node.inputs.map((t) => masked.get(t)).find((e) => e !== undefined);
    if (from === undefined) continue;
    const shape = info.layers.find((s) => s.index === index)?.outputShape;
    const config = layerModule(layer.type)!.config(layer as never, { seed: 0, index, outputShape: shape });
    if (config.custom || !MASK_TAKERS.has(config.factory)) {
      out.push(diag('NN3052', spans.valueAt(pointer('models', m, 'layers', index)), { embedding: q(from), layer: q(layer.name) }));
      continue;
    }
    const ends = MASK_ENDERS.has(config.factory) && !returnsSequences(layer);
    if (!ends) masked.set(layer.name, from);
  }
  return out;
}

function returnsSequences(layer: Layer): boolean {
  const inner = (layer as { layer?: Layer }).layer ?? layer;
  return Boolean((inner as { return_sequences?: boolean }).return_sequences);
}
