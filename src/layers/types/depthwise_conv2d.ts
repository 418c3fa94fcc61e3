// depthwise_conv2d(kernel): one kernel per input channel (times depth_multiplier), no mixing across channels.
import { arg } from '../args.js';
import { TFJS_ACTIVATION, initializer, regularizer } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { kernelWindow2d, outcome, softmaxWarning } from '../shape-kit.js';
import { paramsLine, windowLines } from '../explain-kit.js';

export default defineLayer({
  type: 'depthwise_conv2d',
  args: {
    kernel: arg.pair(), depth_multiplier: arg.int({ default: 1 }), strides: arg.pair([1, 1]), padding: arg.padding(), dilation: arg.pair([1, 1]),
    activation: arg.activation('linear'), use_bias: arg.bool(true),
    depthwise_initializer: arg.initializer('glorot_uniform'), bias_initializer: arg.initializer('zeros'),
    depthwise_regularizer: arg.regularizer(), bias_regularizer: arg.regularizer(), activity_regularizer: arg.regularizer(),
  },
  positional: ['kernel'],
  aliases: { kernel_size: 'kernel', dilation_rate: 'dilation' },
  shape(layer, ctx) {
    const [h, w] = kernelWindow2d(layer, ctx);
    const channels = ctx.inShape[2] * layer.depth_multiplier;
    const out = [h, w, channels];
    const bias = layer.use_bias ? channels : 0;
    const macs = layer.kernel[0] * layer.kernel[1] * channels;
    return outcome(out, macs + bias, h * w * (2 * macs + bias), softmaxWarning(layer, ctx, out, layer.activation));
  },
  explain: (layer, f) => [
    ...windowLines(['height', 'width'], f, layer.kernel, layer.strides, layer.dilation, layer.padding),
    `channels: ${f.input[2]} * ${layer.depth_multiplier} = ${f.out[2]} (depth_multiplier ${layer.depth_multiplier})`,
    paramsLine(f, [[...layer.kernel, f.out[2]]], layer.use_bias ? f.out[2] : 0),
  ],
  config: (layer, ctx) => ({
    factory: 'depthwiseConv2d',
    args: {
      kernelSize: [...layer.kernel], depthMultiplier: layer.depth_multiplier, strides: [...layer.strides], padding: layer.padding,
      dilationRate: [...layer.dilation], activation: TFJS_ACTIVATION[layer.activation], useBias: layer.use_bias,
      depthwiseInitializer: initializer(layer.depthwise_initializer, ctx, 'kernel'),
      ...(layer.use_bias ? { biasInitializer: initializer(layer.bias_initializer, ctx, 'bias') } : {}),
      depthwiseRegularizer: regularizer(layer.depthwise_regularizer),
      biasRegularizer: layer.use_bias ? regularizer(layer.bias_regularizer) : null,
      activityRegularizer: regularizer(layer.activity_regularizer),
    },
  }),
});
