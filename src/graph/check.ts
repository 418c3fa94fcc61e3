// Checks on a model's graph that no single layer can make: cycles (errors), and outputs nothing uses and model
// inputs no layer takes (warnings). Undefined names are reported earlier, where they are resolved (normalize/model.ts).
import { diag, q } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { pointer, type SpanIndex } from '../spec/spans.js';
import type { ModelSpec } from '../spec/types.js';
import { nodeTakes, type ModelGraph } from './graph.js';

export function checkGraph(model: ModelSpec, modelIndex: number, graph: ModelGraph, spans: SpanIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  const layerSpan = (index: number) => spans.valueAt(pointer('models', modelIndex, 'layers', index));
  if (graph.cycle.length) {
    const first = graph.cycle[0];
    const names = graph.cycle.map((n) => `${q(n.layer.name)} (line ${layerSpan(n.index)?.line ?? '?'})`);
    out.push(diag('NN2019', layerSpan(first.index), { cycle: names.join(', ') }));
    return out;
  }
  const used = new Set<string>(graph.outputs);
  for (const n of graph.nodes) for (const name of nodeTakes(n)) used.add(name);
  for (const n of graph.nodes) {
    // a layer whose states are used is used, as the encoder of a seq2seq model whose outputs are dropped
    if (!n.outputs.some((o) => used.has(o))) out.push(diag('NN3014', layerSpan(n.index), { layer: q(n.layer.name) }));
  }
  graph.inputs.forEach((input, i) => {
    if (used.has(input.name)) return;
    out.push(diag('NN3015', spans.valueAt(pointer('models', modelIndex, ...(i === 0 ? ['input'] : ['inputs', i]))), { name: q(input.name), model: q(model.name) }));
  });
  return out;
}
