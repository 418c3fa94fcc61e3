// Which layer each model statement is, with its shape facts: from the pipeline's CheckResult (spec, spans, shapes).
// Where the pipeline stopped before shape inference (an error elsewhere in the file), the models it did not
// reach are inferred here up to their first error, so hints and hovers stay for the parts that are right.
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { CheckResult } from '../pipeline.js';
import { inferAll, type ModelShapeInfo } from '../shapes/infer.js';
import { SpanIndex, pointer } from '../spec/spans.js';
import type { Spec } from '../spec/types.js';

type Model = Spec['models'][number];
type Layer = Model['layers'][number];
type LayerShape = ModelShapeInfo['layers'][number];

export interface LayerEntry {
  model: Model;
  modelIndex: number;
  layer: Layer;
  layerIndex: number;
  span: Span;
  shape: LayerShape | null;
  /** The shape of each tensor it takes, with the batch axis (a merge takes several); null without shapes. */
  inputShapes: (number | null)[][] | null;
}

export interface ModelEntry {
  model: Model;
  modelIndex: number;
  span: Span;
  nameSpan: Span;
  info: ModelShapeInfo | null;
  layers: LayerEntry[];
}

const inside = (d: Diagnostic, span: Span) => d.span !== null && d.span.file === span.file && d.span.offset >= span.offset && d.span.offset < span.endOffset;

/** Shapes of a model the pipeline did not infer: its layers before the first error inside it. */
function inferClean(model: Model, modelIndex: number, result: CheckResult, modelSpan: Span): ModelShapeInfo | null {
  const errors = result.diagnostics.filter((d) => d.severity === 'error' && inside(d, modelSpan));
  const firstError = Math.min(...errors.map((d) => d.span!.offset));
  const spans = result.spans!;
  const inputSpan = spans.has(pointer('models', modelIndex, 'input')) ? spans.valueAt(pointer('models', modelIndex, 'input')) : null;
  if (!inputSpan || inputSpan.endOffset > firstError || !Array.isArray(model.layers)) return null;
  const layers = model.layers.filter((_, j) => {
    const p = pointer('models', modelIndex, 'layers', j);
    return spans.has(p) && spans.valueAt(p)!.endOffset <= firstError;
  });
  if (layers.length === 0) return null;
  try {
    const spec = { ...result.spec!, models: [{ ...model, layers }] } as Spec;
    return inferAll(spec, new SpanIndex()).shapes[0] ?? null;
  } catch {
    // A spec with errors can hold values inference does not expect: then there are simply no hints.
    return null;
  }
}

/** The shapes of the tensors a layer takes, by their names: a layer's output or a model input. */
function inputShapesOf(info: ModelShapeInfo, layer: LayerShape): (number | null)[][] | null {
  const stateShape = (name: string) => {
    const l = info.layers.find((x) => x.stateNames?.includes(name));
    return l ? l.stateShapes![l.stateNames!.indexOf(name)] : undefined;
  };
  const shapes = layer.inputs.map((name) => info.layers.find((l) => l.name === name)?.outputShape ?? info.inputs.find((i) => i.name === name)?.shape ?? stateShape(name));
  return shapes.every((s) => s !== undefined) ? (shapes as (number | null)[][]) : null;
}

export function indexModels(result: CheckResult): ModelEntry[] {
  const { spec, spans } = result;
  if (!spec || !spans || !Array.isArray(spec.models)) return [];
  const inferred = result.shapes.length === spec.models.length;
  const entries: ModelEntry[] = [];
  spec.models.forEach((model, modelIndex) => {
    const mp = pointer('models', modelIndex);
    if (!spans.has(mp)) return;
    const span = spans.valueAt(mp)!;
    const info = inferred ? result.shapes[modelIndex] : inferClean(model, modelIndex, result, span);
    const layers: LayerEntry[] = [];
    (Array.isArray(model.layers) ? model.layers : []).forEach((layer, layerIndex) => {
      const lp = pointer('models', modelIndex, 'layers', layerIndex);
      if (!spans.has(lp)) return;
      const shape = info?.layers.find((l) => l.index === layerIndex) ?? null;
      layers.push({ model, modelIndex, layer, layerIndex, span: spans.valueAt(lp)!, shape, inputShapes: info && shape ? inputShapesOf(info, shape) : null });
    });
    entries.push({ model, modelIndex, span, nameSpan: spans.keyAt(mp) ?? span, info, layers });
  });
  return entries;
}
