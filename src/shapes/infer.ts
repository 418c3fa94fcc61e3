// Static shape inference over one model's graph, in topological order: each layer's output shape (with tfjs' null batch axis),
// parameter counts, forward FLOPs and activation memory, and NN3xxx diagnostics where a layer cannot take its input.
import { diag, q } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Layer, ModelInput, Spec } from '../spec/types.js';
import { modelGraph, nodeTakes } from '../graph/graph.js';
import { checkGraph } from '../graph/check.js';
import { layerModule } from '../layers/registry.js';
import { pointer, type SpanIndex } from '../spec/spans.js';
import { applyLayer, ShapeFailure, product, type LayerContext } from './layers.js';

export { checkContracts } from './contracts.js';

export interface LayerShapeInfo {
  /** Position in the spec's `layers` (source order); `ModelShapeInfo.layers` is in topological order. */
  index: number;
  name: string;
  type: string;
  /** The tensors it takes, by name ("connected to"). */
  inputs: string[];
  /** With the null batch axis first, like tfjs `layer.outputShape`. */
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  /** Shapes of the tensors it gives after its output (a recurrent layer's states), with the batch axis; absent when none. */
  stateShapes?: (number | null)[][];
  /** The names of those tensors (`state_outputs`), in the same order. */
  stateNames?: string[];
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Forward FLOPs per sample; a multiply-add counts 2. */
  flops: number;
  /** Bytes of this layer's float32 output, per sample. */
  activationBytes: number;
}

export interface ModelShapeInfo {
  model: string;
  /** The first input's shape. */
  input: (number | null)[];
  inputs: { name: string; shape: (number | null)[] }[];
  outputs: string[];
  /** Not a plain chain: the summary shows what each layer is connected to. */
  graph: boolean;
  layers: LayerShapeInfo[];
  /** False when an error stopped inference; `layers` then holds the layers before the failing one. */
  complete: boolean;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  /** float32 weights (trainable and not). */
  weightBytes: number;
  /** Sum of the layers' float32 outputs, per sample. */
  activationBytes: number;
}

const BYTES_PER_FLOAT = 4;

/**
 * Counts past 2^53 - 1 lose their last digits (and past 1e308 become Infinity), so a model whose sizes, parameters
 * or FLOPs get there is reported instead of summarized with made-up numbers.
 */
function tooLarge(layer: Layer, index: number, modelIndex: number, spans: SpanIndex, counts: Record<string, number>): Diagnostic | null {
  for (const [what, value] of Object.entries(counts)) {
    if (value <= Number.MAX_SAFE_INTEGER) continue;
    const found = Number.isFinite(value) ? `about ${value.toExponential(1).replace('e+', 'e')}` : 'over 1e308';
    return diag('NN3013', spans.valueAt(pointer('models', modelIndex, 'layers', index)), {
      what, layer: q(layer.name), found, limit: Number.MAX_SAFE_INTEGER.toLocaleString('en-US'),
    });
  }
  return null;
}

/** Float32 values one ArrayBuffer holds in Node 20 (4 GiB); tfjs keeps each weight tensor in one. */
const MAX_FLOAT32_VALUES = 2 ** 30;
/** A layer whose weights take this much gets a warning with the figure. */
const WARN_WEIGHT_BYTES = 512 * 2 ** 20;

function memoryDiagnostic(layer: Layer, index: number, modelIndex: number, spans: SpanIndex, params: number): Diagnostic | null {
  const span = spans.valueAt(pointer('models', modelIndex, 'layers', index));
  const found = params.toLocaleString('en-US');
  if (params > MAX_FLOAT32_VALUES) return diag('NN3060', span, { layer: q(layer.name), found, limit: MAX_FLOAT32_VALUES.toLocaleString('en-US') });
  const bytes = params * BYTES_PER_FLOAT;
  if (bytes < WARN_WEIGHT_BYTES) return null;
  return diag('NN3061', span, { layer: q(layer.name), found, bytes: `${(bytes / 2 ** 30).toFixed(1)} GiB` });
}

interface TensorInfo {
  shape: number[];
  dtype: 'float32' | 'int32';
  /** The model input at the root of its first-input path, for help lines. */
  root: ModelInput;
  /** Layers on that path: shared with the tensor it was made from while nothing else extends it, so a chain costs O(n). */
  path: { layer: Layer; out: number[] }[];
  pathLength: number;
  line: number | null;
}

function extendPath(t: TensorInfo, step: { layer: Layer; out: number[] }): { path: TensorInfo['path']; pathLength: number } {
  const path = t.path.length === t.pathLength ? t.path : t.path.slice(0, t.pathLength);
  path.push(step);
  return { path, pathLength: t.pathLength + 1 };
}

export function inferModel(spec: Spec, modelIndex: number, spans: SpanIndex): { info: ModelShapeInfo; diagnostics: Diagnostic[] } {
  const model = spec.models[modelIndex];
  const graph = modelGraph(model);
  const diagnostics: Diagnostic[] = [...checkGraph(model, modelIndex, graph, spans)];
  const layers: LayerShapeInfo[] = [];
  const tensors = new Map<string, TensorInfo>();
  graph.inputs.forEach((input, i) => {
    const span = spans.valueAt(pointer('models', modelIndex, ...(i === 0 ? ['input'] : ['inputs', i])));
    tensors.set(input.name, { shape: input.shape, dtype: input.dtype, root: input, path: [], pathLength: 0, line: span?.line ?? null });
  });
  let complete = graph.cycle.length === 0;
  let paramsSoFar = 0;
  let flopsSoFar = 0;

  for (const node of graph.nodes) {
    if (!complete) break;
    const { layer, index } = node;
    const ins = node.inputs.map((name) => tensors.get(name));
    const states = node.initialState.map((name) => tensors.get(name));
    if (ins.some((t) => !t) || states.some((t) => !t)) {
      // an undefined name, reported by normalization
      complete = false;
      break;
    }
    const known = ins as TensorInfo[];
    const first = known[0];
    const ctx: LayerContext = {
      modelIndex, layerIndex: index, spans, inShape: first.shape, dtype: first.dtype,
      inputName: first.root.name, inputShape: first.root.shape,
      previous: first.path.length === first.pathLength ? first.path : first.path.slice(0, first.pathLength),
      inputs: known.map((t, k) => ({ name: node.inputs[k], shape: t.shape, line: t.line })),
      initialState: (states as TensorInfo[]).map((t, k) => ({ name: node.initialState[k], shape: t.shape, line: t.line })),
    };
    try {
      checkArity(layer, node.inputs.length, ctx);
      const result = applyLayer(layer, ctx);
      const params = result.trainable + result.nonTrainable;
      const overflow = tooLarge(layer, index, modelIndex, spans, {
        'input size': product(first.shape), 'output size': product(result.out), 'parameter count': params, 'FLOP count': result.flops,
        'total parameter count': paramsSoFar + params, 'total FLOP count': flopsSoFar + result.flops,
      });
      if (overflow) throw new ShapeFailure([overflow]);
      const memory = memoryDiagnostic(layer, index, modelIndex, spans, params);
      if (memory?.severity === 'error') throw new ShapeFailure([memory]);
      if (memory) diagnostics.push(memory);
      paramsSoFar += params;
      flopsSoFar += result.flops;
      diagnostics.push(...result.warnings);
      const stateShapes = (result.states ?? []).map((st) => [null, ...st]);
      layers.push({
        index, name: layer.name, type: layer.type, inputs: nodeTakes(node),
        inputShape: [null, ...first.shape], outputShape: [null, ...result.out], ...(stateShapes.length ? { stateShapes, stateNames: node.outputs.slice(1) } : {}),
        params: result.trainable + result.nonTrainable,
        trainableParams: result.trainable, nonTrainableParams: result.nonTrainable,
        flops: result.flops, activationBytes: product(result.out) * BYTES_PER_FLOAT,
      });
      const line = spans.valueAt(pointer('models', modelIndex, 'layers', index))?.line ?? null;
      tensors.set(layer.name, { shape: result.out, dtype: result.dtype, root: first.root, ...extendPath(first, { layer, out: result.out }), line });
      node.outputs.slice(1).forEach((name, k) => {
        const shape = result.states?.[k] ?? result.out;
        tensors.set(name, { shape, dtype: 'float32', root: first.root, ...extendPath(first, { layer, out: shape }), line });
      });
    } catch (e) {
      if (!(e instanceof ShapeFailure)) throw e;
      diagnostics.push(...e.diagnostics);
      complete = false;
      break;
    }
  }

  const sum = (pick: (l: LayerShapeInfo) => number) => layers.reduce((acc, l) => acc + pick(l), 0);
  const totalParams = sum((l) => l.params);
  const info: ModelShapeInfo = {
    model: model.name,
    input: [null, ...model.input.shape],
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: [null, ...i.shape] })),
    outputs: [...graph.outputs],
    graph: !graph.chain,
    layers,
    complete,
    totalParams,
    trainableParams: sum((l) => l.trainableParams),
    nonTrainableParams: sum((l) => l.nonTrainableParams),
    flops: sum((l) => l.flops),
    weightBytes: totalParams * BYTES_PER_FLOAT,
    activationBytes: sum((l) => l.activationBytes),
  };
  return { info, diagnostics };
}

/** Merge layers take two or more tensors (`subtract` exactly two), attention one to three, every other layer exactly one. */
function checkArity(layer: Layer, count: number, ctx: LayerContext): void {
  const arity = layerModule(layer.type)?.arity ?? { min: 1, max: 1 };
  const span = spans(ctx);
  if (arity.min === arity.max && arity.min > 1 && count !== arity.min) {
    // `subtract(a, b)`: exactly two, neither one nor three
    throw new ShapeFailure([diag('NN3024', span, { expected: `exactly ${arity.min}`, layer: q(layer.name), found: count }, {
      help: `name the ${arity.min} tensors it takes, e.g. \`${layer.type}(${['a', 'b', 'c', 'd'].slice(0, arity.min).join(', ')})\``,
    })]);
  }
  if (count < arity.min) throw new ShapeFailure([diag('NN3018', span, { expected: arity.min, layer: q(layer.name), found: count })]);
  if (arity.max !== undefined && count > arity.max) {
    if (arity.max > 1) throw new ShapeFailure([diag('NN3024', span, { expected: `at most ${arity.max}`, layer: q(layer.name), found: count })]);
    throw new ShapeFailure([diag('NN3019', span, { layer: q(layer.name), found: count })]);
  }
}

const spans = (ctx: LayerContext) => ctx.spans.valueAt(pointer('models', ctx.modelIndex, 'layers', ctx.layerIndex));

/** Infers every model of a spec, in order; `shapes[i]` belongs to `spec.models[i]`. */
export function inferAll(spec: Spec, spans: SpanIndex): { shapes: ModelShapeInfo[]; diagnostics: Diagnostic[] } {
  const shapes: ModelShapeInfo[] = [];
  const diagnostics: Diagnostic[] = [];
  for (let i = 0; i < spec.models.length; i++) {
    const r = inferModel(spec, i, spans);
    shapes.push(r.info);
    diagnostics.push(...r.diagnostics);
  }
  return { shapes, diagnostics };
}
