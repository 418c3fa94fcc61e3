// reshape(shape): a new sample shape with as many elements; one axis may be -1, computed from the others.
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { defineLayer, type LayerContext } from '../module.js';
import { layerSpan, outcome, product, ShapeFailure, showShape } from '../shape-kit.js';

function target(shape: number[], ctx: LayerContext, name: string): number[] {
  const span = layerSpan(ctx, 'shape');
  const count = product(ctx.inShape);
  const written = `[${shape.join(', ')}]`;
  const unknowns = shape.filter((d) => d === -1).length;
  if (unknowns > 1) throw new ShapeFailure([diag('NN3005', span, { layer: q(name), count: unknowns })]);
  if (shape.some((d) => d !== -1 && d <= 0)) throw new ShapeFailure([diag('NN3011', span, { layer: q(name), target: q(written) })]);
  const known = product(shape.filter((d) => d !== -1));
  const found = showShape(ctx.inShape);
  const countNote = `${ctx.inShape.join(' * ') || '1'} = ${count}`;
  if (unknowns === 1) {
    if (count % known !== 0) {
      throw new ShapeFailure([diag('NN3006', span, { found, count, target: q(written), known }, {
        notes: [countNote, `${count} / ${known} = ${count / known}`],
      })]);
    }
    return shape.map((d) => (d === -1 ? count / known : d));
  }
  if (known !== count) {
    const rest = product(shape.slice(1));
    const help = shape.length > 1 && count % rest === 0
      ? `use -1 for the size to compute, e.g. \`shape: [${[-1, ...shape.slice(1)].join(', ')}]\``
      : undefined;
    throw new ShapeFailure([diag('NN3004', span, { found, count, target: q(written), targetCount: known }, {
      notes: [countNote, `${shape.join(' * ')} = ${known}`],
      ...(help ? { help } : {}),
    })]);
  }
  return [...shape];
}

export default defineLayer({
  type: 'reshape',
  args: { shape: arg.schema<number[]>({ type: 'array', items: { type: 'integer', minimum: -1, not: { const: 0 } }, minItems: 1 }) },
  positional: ['shape'],
  shape: (layer, ctx) => outcome(target(layer.shape, ctx, layer.name), 0, 0),
  // tfjs' Reshape counts the null batch axis as unknown and keeps a -1 in its static output shape, which breaks
  // Flatten/Dense after it, so a reshape with -1 is emitted with the size nnc computed.
  explain: (_layer, f) => [`elements: ${f.input.join(' * ')} = ${product(f.input)}`, `as: ${f.out.join(' * ')} = ${product(f.out)}`],
  config: (layer, ctx) => ({ factory: 'reshape', args: { targetShape: ctx.outputShape ? (ctx.outputShape.slice(1) as number[]) : [...layer.shape] } }),
});
