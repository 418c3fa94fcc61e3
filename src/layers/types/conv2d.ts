// conv2d(filters, kernel): a convolution over [height, width, channels].
import { arg, weightedArgs } from '../args.js';
import { TFJS_ACTIVATION, weighted } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { kernelWindow2d, outcome, softmaxWarning } from '../shape-kit.js';
import { paramsLine, windowLines } from '../explain-kit.js';

export default defineLayer({
  type: 'conv2d',
  args: {
    filters: arg.int(), kernel: arg.pair(), strides: arg.pair([1, 1]), padding: arg.padding(), dilation: arg.pair([1, 1]),
    activation: arg.activation('linear'), ...weightedArgs,
  },
  positional: ['filters', 'kernel'],
  aliases: { kernel_size: 'kernel', dilation_rate: 'dilation' },
  shape(layer, ctx) {
    const [h, w] = kernelWindow2d(layer, ctx);
    const out = [h, w, layer.filters];
    const bias = layer.use_bias ? layer.filters : 0;
    const macs = layer.kernel[0] * layer.kernel[1] * ctx.inShape[2] * layer.filters;
    return outcome(out, macs + bias, h * w * (2 * macs + bias), softmaxWarning(layer, ctx, out, layer.activation));
  },
  explain: (layer, f) => [
    ...windowLines(['height', 'width'], f, layer.kernel, layer.strides, layer.dilation, layer.padding),
    `channels: ${f.input[2]} -> ${layer.filters} (filters)`,
    paramsLine(f, [[...layer.kernel, f.input[2], layer.filters]], layer.use_bias ? layer.filters : 0),
  ],
  config: (layer, ctx) => ({
    factory: 'conv2d',
    args: {
      filters: layer.filters, kernelSize: [...layer.kernel], strides: [...layer.strides], padding: layer.padding,
      dilationRate: [...layer.dilation], activation: TFJS_ACTIVATION[layer.activation], ...weighted(layer, ctx),
    },
  }),
});
