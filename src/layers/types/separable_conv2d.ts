// separable_conv2d(filters, kernel): a depthwise convolution (one kernel per input channel, times depth_multiplier)
// followed by a 1x1 pointwise convolution to `filters` channels, as in Xception and MobileNet.
import { arg } from '../args.js';
import { TFJS_ACTIVATION, initializer, regularizer } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { kernelWindow2d, outcome, softmaxWarning } from '../shape-kit.js';
import { paramsLine, windowLines } from '../explain-kit.js';

export default defineLayer({
  type: 'separable_conv2d',
  args: {
    filters: arg.int(), kernel: arg.pair(), depth_multiplier: arg.int({ default: 1 }), strides: arg.pair([1, 1]), padding: arg.padding(),
    dilation: arg.pair([1, 1]), activation: arg.activation('linear'), use_bias: arg.bool(true),
    depthwise_initializer: arg.initializer('glorot_uniform'), pointwise_initializer: arg.initializer('glorot_uniform'),
    bias_initializer: arg.initializer('zeros'), depthwise_regularizer: arg.regularizer(), pointwise_regularizer: arg.regularizer(),
    bias_regularizer: arg.regularizer(), activity_regularizer: arg.regularizer(),
  },
  positional: ['filters', 'kernel'],
  aliases: { kernel_size: 'kernel', dilation_rate: 'dilation' },
  shape(layer, ctx) {
    const [h, w] = kernelWindow2d(layer, ctx);
    const middle = ctx.inShape[2] * layer.depth_multiplier;
    const out = [h, w, layer.filters];
    const depthwise = layer.kernel[0] * layer.kernel[1] * middle;
    const pointwise = middle * layer.filters;
    const bias = layer.use_bias ? layer.filters : 0;
    return outcome(out, depthwise + pointwise + bias, h * w * (2 * depthwise + 2 * pointwise + bias), softmaxWarning(layer, ctx, out, layer.activation));
  },
  explain: (layer, f) => {
    const middle = f.input[2] * layer.depth_multiplier;
    return [
      ...windowLines(['height', 'width'], f, layer.kernel, layer.strides, layer.dilation, layer.padding),
      `depthwise channels: ${f.input[2]} * ${layer.depth_multiplier} = ${middle} (depth_multiplier ${layer.depth_multiplier})`,
      `pointwise: ${middle} -> ${layer.filters} (filters)`,
      paramsLine(f, [[...layer.kernel, middle], [middle, layer.filters]], layer.use_bias ? layer.filters : 0),
    ];
  },
  config: (layer, ctx) => ({
    factory: 'separableConv2d',
    args: {
      filters: layer.filters, kernelSize: [...layer.kernel], depthMultiplier: layer.depth_multiplier, strides: [...layer.strides],
      padding: layer.padding, dilationRate: [...layer.dilation], activation: TFJS_ACTIVATION[layer.activation], useBias: layer.use_bias,
      depthwiseInitializer: initializer(layer.depthwise_initializer, ctx, 'kernel'),
      pointwiseInitializer: initializer(layer.pointwise_initializer, ctx, 'pointwise'),
      ...(layer.use_bias ? { biasInitializer: initializer(layer.bias_initializer, ctx, 'bias') } : {}),
      depthwiseRegularizer: regularizer(layer.depthwise_regularizer), pointwiseRegularizer: regularizer(layer.pointwise_regularizer),
      biasRegularizer: layer.use_bias ? regularizer(layer.bias_regularizer) : null,
      activityRegularizer: regularizer(layer.activity_regularizer),
    },
  }),
});
