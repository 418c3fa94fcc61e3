// conv2d(filters, kernel): a convolution over [height, width, channels].
import { arg, weightedArgs } from '../args.js';
import { TFJS_ACTIVATION, weighted } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { AXES_2D, checkStridesWithDilation, outcome, softmaxWarning, spatialRank, windowLength } from '../shape-kit.js';

export default defineLayer({
  type: 'conv2d',
  args: {
    filters: arg.int(), kernel: arg.pair(), strides: arg.pair([1, 1]), padding: arg.padding(), dilation: arg.pair([1, 1]),
    activation: arg.activation('linear'), ...weightedArgs,
  },
  positional: ['filters', 'kernel'],
  aliases: { kernel_size: 'kernel', dilation_rate: 'dilation' },
  shape(layer, ctx) {
    spatialRank(layer, ctx, 3);
    checkStridesWithDilation(layer, ctx, layer.strides, layer.dilation);
    const written = `[${layer.kernel.join(', ')}]`;
    const [h, w] = [0, 1].map((a) =>
      windowLength(layer, ctx, 'kernel', a, AXES_2D[a], layer.kernel[a], layer.strides[a], layer.dilation[a], layer.padding, written));
    const out = [h, w, layer.filters];
    const bias = layer.use_bias ? layer.filters : 0;
    const macs = layer.kernel[0] * layer.kernel[1] * ctx.inShape[2] * layer.filters;
    return outcome(out, macs + bias, h * w * (2 * macs + bias), softmaxWarning(layer, ctx, out, layer.activation));
  },
  config: (layer, ctx) => ({
    factory: 'conv2d',
    args: {
      filters: layer.filters, kernelSize: [...layer.kernel], strides: [...layer.strides], padding: layer.padding,
      dilationRate: [...layer.dilation], activation: TFJS_ACTIVATION[layer.activation], ...weighted(layer, ctx),
    },
  }),
});
