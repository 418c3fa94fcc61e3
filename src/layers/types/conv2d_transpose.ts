// conv2d_transpose(filters, kernel): a transposed convolution over [height, width, channels], as in a decoder;
// each axis grows to `length * stride` (padding same) or `length * stride + max(kernel - stride, 0)` (valid),
// exactly as tfjs 4.22's conv_utils.deconvLength.
import { arg, weightedArgs } from '../args.js';
import { TFJS_ACTIVATION, weighted } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { outcome, softmaxWarning, spatialRank } from '../shape-kit.js';
import { paramsLine } from '../explain-kit.js';

const deconvLength = (length: number, stride: number, kernel: number, padding: 'valid' | 'same') =>
  padding === 'same' ? length * stride : length * stride + Math.max(kernel - stride, 0);

export default defineLayer({
  type: 'conv2d_transpose',
  args: { filters: arg.int(), kernel: arg.pair(), strides: arg.pair([1, 1]), padding: arg.padding(), activation: arg.activation('linear'), ...weightedArgs },
  positional: ['filters', 'kernel'],
  aliases: { kernel_size: 'kernel' },
  shape(layer, ctx) {
    spatialRank(layer, ctx, 3);
    const [inH, inW, channels] = ctx.inShape;
    const h = deconvLength(inH, layer.strides[0], layer.kernel[0], layer.padding);
    const w = deconvLength(inW, layer.strides[1], layer.kernel[1], layer.padding);
    const out = [h, w, layer.filters];
    const bias = layer.use_bias ? layer.filters : 0;
    const macs = layer.kernel[0] * layer.kernel[1] * channels * layer.filters;
    // every input position scatters its kernel-sized patch: one multiply-add per kernel weight; a bias per output
    return outcome(out, macs + bias, inH * inW * 2 * macs + h * w * bias, softmaxWarning(layer, ctx, out, layer.activation));
  },
  explain: (layer, f) => [
    ...['height', 'width'].map((axis, a) => {
      const [n, s, k] = [f.input[a], layer.strides[a], layer.kernel[a]];
      return layer.padding === 'same' ? `${axis}: ${n} * ${s} = ${f.out[a]}` : `${axis}: ${n} * ${s} + max(${k} - ${s}, 0) = ${f.out[a]}`;
    }),
    `channels: ${f.input[2]} -> ${layer.filters} (filters)`,
    paramsLine(f, [[...layer.kernel, layer.filters, f.input[2]]], layer.use_bias ? layer.filters : 0),
  ],
  config: (layer, ctx) => ({
    factory: 'conv2dTranspose',
    args: {
      filters: layer.filters, kernelSize: [...layer.kernel], strides: [...layer.strides], padding: layer.padding,
      activation: TFJS_ACTIVATION[layer.activation], ...weighted(layer, ctx),
    },
  }),
});
