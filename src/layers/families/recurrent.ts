// LSTM, GRU and simple RNN: one recurrent cell over [steps, features], with `gates` weight blocks per unit.
import { diag, q } from '../../diagnostics/catalog.js';
import { pointer } from '../../spec/spans.js';
import { arg, weightedArgs } from '../args.js';
import { TFJS_ACTIVATION, initializer, regularizer, weighted } from '../config-kit.js';
import { defineLayer, type AnyLayer, type LayerContext } from '../module.js';
import { layerSpan, outcome, ShapeFailure, showShape, softmaxWarning } from '../shape-kit.js';
import { paramsLine } from '../explain-kit.js';

const RECURRENT = new Set(['lstm', 'gru', 'simple_rnn']);

function recurrentHelp(layer: AnyLayer, ctx: LayerContext): string {
  const prev = ctx.previous[ctx.previous.length - 1]?.layer as (AnyLayer & { return_sequences?: boolean }) | undefined;
  if (prev && RECURRENT.has(prev.type) && !prev.return_sequences) {
    return `set \`return_sequences: true\` on ${q(prev.name)} so it passes on every step`;
  }
  if (ctx.previous.some((p) => p.layer.type === 'flatten')) return `remove the \`flatten\` before ${q(layer.name)}: recurrent layers read [steps, features]`;
  if (ctx.inShape.length === 1) return `add a feature axis, e.g. \`input ${ctx.inputName}: [${ctx.inShape[0]}, 1]\`, or use an embedding`;
  return 'insert a `reshape` to [steps, features] before this layer';
}

/** The states a cell carries from step to step, each [units]: an LSTM's h and c, a GRU's and a simple RNN's h. */
export const stateKinds = (type: string): string[] => (type === 'lstm' ? ['h', 'c'] : ['h']);

/**
 * `initial_state: [h, c]`: one tensor of shape [units] per state, as tfjs' RNN.apply takes them (it checks only the
 * count and the last axis; nnc wants the whole shape, the one a `return_state` layer of the same units gives).
 */
export function checkInitialState(layer: AnyLayer & { units: number }, ctx: LayerContext, kinds = stateKinds(layer.type), help?: string): void {
  const given = ctx.initialState;
  if (!given.length) return;
  const span = layerSpan(ctx, 'initial_state');
  if (given.length !== kinds.length) {
    throw new ShapeFailure([diag('NN3020', span, {
      layer: q(layer.name), expected: kinds.length, kinds: kinds.join(', '), found: given.length,
    }, { help: help ?? `give ${kinds.length === 2 ? 'both states of an `lstm`: `out, h, c = lstm(units, return_state: true)` then `initial_state: [h, c]`' : 'one state: `out, h = ' + layer.type + '(units, return_state: true)` then `initial_state: [h]`'}` })]);
  }
  given.forEach((s, k) => {
    if (s.shape.length === 1 && s.shape[0] === layer.units) return;
    const from = s.line === null ? q(s.name) : `${q(s.name)} (line ${s.line})`;
    const at = ctx.spans.valueAt(pointer('models', ctx.modelIndex, 'layers', ctx.layerIndex, 'initial_state', k));
    throw new ShapeFailure([diag('NN3021', at ?? span, {
      layer: q(layer.name), kind: kinds[k], expected: showShape([layer.units]), found: showShape(s.shape), from,
    })]);
  });
}

export function recurrent<const T extends string>(type: T, factory: string, gates: number) {
  return defineLayer({
    type,
    stateInput: 'initial_state',
    stateOutputs: (args) => (args.return_state === true ? stateKinds(type) : []),
    args: {
      units: arg.int(), activation: arg.activation('tanh'), recurrent_activation: arg.activation('sigmoid'), return_sequences: arg.bool(false),
      // absent unless written, so that specs without it normalize (and hash) as before
      return_state: arg.flag(),
      dropout: arg.rate(0), recurrent_dropout: arg.rate(0),
      recurrent_initializer: arg.initializer('orthogonal'), recurrent_regularizer: arg.regularizer(), ...weightedArgs,
    },
    positional: ['units'],
    shape(layer, ctx) {
      if (ctx.inShape.length !== 2) {
        throw new ShapeFailure([diag('NN3009', layerSpan(ctx), { layer: q(layer.name), found: showShape(ctx.inShape) }, { help: recurrentHelp(layer, ctx) })]);
      }
      checkInitialState(layer, ctx);
      const [steps, features] = ctx.inShape;
      const bias = layer.use_bias ? gates * layer.units : 0;
      const macs = gates * layer.units * (features + layer.units);
      const out = layer.return_sequences ? [steps, layer.units] : [layer.units];
      const result = outcome(out, macs + bias, steps * (2 * macs + bias), softmaxWarning(layer, ctx, out, layer.activation));
      return layer.return_state ? { ...result, states: stateKinds(type).map(() => [layer.units]) } : result;
    },
    explain: (layer, f) => {
      const last = f.input[f.input.length - 1];
      return [
        layer.return_sequences ? `every step: [${f.input[0]}, ${layer.units}]` : `last step only: [${layer.units}]`,
        paramsLine(f, [[gates, layer.units, `(${last} + ${layer.units})`], ...(layer.use_bias ? [[gates, layer.units]] : [])], 0),
      ];
    },
    config: (layer, ctx) => ({
      factory,
      args: {
        units: layer.units,
        activation: TFJS_ACTIVATION[layer.activation],
        ...(type === 'simple_rnn' ? {} : { recurrentActivation: TFJS_ACTIVATION[layer.recurrent_activation] }),
        returnSequences: layer.return_sequences,
        ...(layer.return_state ? { returnState: true } : {}),
        dropout: layer.dropout,
        recurrentDropout: layer.recurrent_dropout,
        ...weighted(layer, ctx),
        recurrentInitializer: initializer(layer.recurrent_initializer, ctx, 'recurrent'),
        recurrentRegularizer: regularizer(layer.recurrent_regularizer),
        // Keras' default: the forget gate's bias starts at 1
        ...(type === 'lstm' && layer.use_bias ? { unitForgetBias: true } : {}),
      },
    }),
  });
}
