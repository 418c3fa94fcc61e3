// conv1d(filters, kernel): a convolution over [steps, channels].
import { arg, weightedArgs } from '../args.js';
import { TFJS_ACTIVATION, weighted } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { checkStridesWithDilation, outcome, softmaxWarning, spatialRank, windowLength } from '../shape-kit.js';
import { paramsLine, windowLines } from '../explain-kit.js';

export default defineLayer({
  type: 'conv1d',
  args: {
    filters: arg.int(), kernel: arg.int(), strides: arg.int({ default: 1 }), padding: arg.padding(), dilation: arg.int({ default: 1 }),
    activation: arg.activation('linear'), ...weightedArgs,
  },
  positional: ['filters', 'kernel'],
  aliases: { kernel_size: 'kernel', dilation_rate: 'dilation' },
  shape(layer, ctx) {
    spatialRank(layer, ctx, 2);
    checkStridesWithDilation(layer, ctx, [layer.strides], [layer.dilation]);
    const steps = windowLength(layer, ctx, 'kernel', 0, 'steps', layer.kernel, layer.strides, layer.dilation, layer.padding, String(layer.kernel));
    const out = [steps, layer.filters];
    const bias = layer.use_bias ? layer.filters : 0;
    const macs = layer.kernel * ctx.inShape[1] * layer.filters;
    return outcome(out, macs + bias, steps * (2 * macs + bias), softmaxWarning(layer, ctx, out, layer.activation));
  },
  explain: (layer, f) => [
    ...windowLines(['steps'], f, layer.kernel, layer.strides, layer.dilation, layer.padding),
    `channels: ${f.input[1]} -> ${layer.filters} (filters)`,
    paramsLine(f, [[layer.kernel, f.input[1], layer.filters]], layer.use_bias ? layer.filters : 0),
  ],
  config: (layer, ctx) => ({
    factory: 'conv1d',
    args: {
      filters: layer.filters, kernelSize: layer.kernel, strides: layer.strides, padding: layer.padding, dilationRate: layer.dilation,
      activation: TFJS_ACTIVATION[layer.activation], ...weighted(layer, ctx),
    },
  }),
});
