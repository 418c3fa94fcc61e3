// Defaults that depend on other values, filled after schema validation: Keras-style layer names
// (`dense_1`, `dense_2`), pooling strides equal to the pool size, duplicate layer names reported.
import { diag, q } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { SpanIndex } from '../spec/spans.js';
import type { Spec } from '../spec/types.js';

/** `layerNames[m][l]`: the name normalization planned for a layer the spec does not name (a binding's, else Keras-style). */
export function complete(spec: Spec, spans: SpanIndex, layerNames: string[][] = []): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  spec.models.forEach((model, m) => {
    const counts = new Map<string, number>();
    const names = new Set<string>();
    model.layers.forEach((layer, l) => {
      const n = (counts.get(layer.type) ?? 0) + 1;
      counts.set(layer.type, n);
      if (!layer.name) layer.name = layerNames[m]?.[l] ?? `${layer.type}_${n}`;
      if (names.has(layer.name)) diagnostics.push(diag('NN2014', spans.valueAt(`/models/${m}/layers/${l}/name`), { name: q(layer.name), model: q(model.name) }));
      names.add(layer.name);
      // a wrapped layer too: `time_distributed(max_pool2d(2))`; in a spec that failed validation the wrapped
      // "layer" may be a name or a number (`time_distributed(wide)`), which has no strides to fill.
      for (let l = layer as { pool?: unknown; strides?: unknown; layer?: object } | undefined; l && typeof l === 'object'; l = l.layer) {
        if ('pool' in l && l.strides === undefined) l.strides = l.pool;
      }
    });
  });
  // A csv dataset names its label column, or one per output (`labels`): the schema cannot say "one of the two".
  spec.datasets.forEach((ds, d) => {
    if (ds.source === 'csv' && ds.label === undefined && ds.labels === undefined) {
      diagnostics.push(diag('NN2006', spans.keyAt(`/datasets/${d}`), { what: q('label'), owner: `dataset ${q(ds.name)}` }, { help: 'add `label: ...`, or `labels: { <output>: ... }` for a model with several outputs' }));
    }
  });
  return diagnostics;
}
