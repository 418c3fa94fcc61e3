// Every layer type nnc knows, one module each (./types/<type>.ts). Adding a layer type: write its module, add
// one line here, give it fixtures and a README line. The order is the schema's and the README's.
import activation from './types/activation.js';
import add from './types/add.js';
import average from './types/average.js';
import avg_pool1d from './types/avg_pool1d.js';
import avg_pool2d from './types/avg_pool2d.js';
import batch_norm from './types/batch_norm.js';
import concatenate from './types/concatenate.js';
import conv1d from './types/conv1d.js';
import conv2d from './types/conv2d.js';
import dense from './types/dense.js';
import dropout from './types/dropout.js';
import embedding from './types/embedding.js';
import flatten from './types/flatten.js';
import global_avg_pool1d from './types/global_avg_pool1d.js';
import global_avg_pool2d from './types/global_avg_pool2d.js';
import global_max_pool1d from './types/global_max_pool1d.js';
import global_max_pool2d from './types/global_max_pool2d.js';
import gru from './types/gru.js';
import layer_norm from './types/layer_norm.js';
import lstm from './types/lstm.js';
import maximum from './types/maximum.js';
import max_pool1d from './types/max_pool1d.js';
import max_pool2d from './types/max_pool2d.js';
import minimum from './types/minimum.js';
import multiply from './types/multiply.js';
import reshape from './types/reshape.js';
import simple_rnn from './types/simple_rnn.js';
import conv2d_transpose from './types/conv2d_transpose.js';
import up_sampling1d from './types/up_sampling1d.js';
import up_sampling2d from './types/up_sampling2d.js';
import zero_padding1d from './types/zero_padding1d.js';
import zero_padding2d from './types/zero_padding2d.js';
import cropping1d from './types/cropping1d.js';
import cropping2d from './types/cropping2d.js';
import separable_conv2d from './types/separable_conv2d.js';
import depthwise_conv2d from './types/depthwise_conv2d.js';
import permute from './types/permute.js';
import repeat_vector from './types/repeat_vector.js';
import bidirectional from './types/bidirectional.js';
import time_distributed from './types/time_distributed.js';
import multi_head_attention from './types/multi_head_attention.js';
import leaky_relu from './types/leaky_relu.js';
import prelu from './types/prelu.js';
import elu from './types/elu.js';
import relu from './types/relu.js';
import relu6 from './types/relu6.js';
import softmax from './types/softmax.js';

export const layerModules = [
  dense, flatten, reshape, dropout, activation, conv1d, conv2d,
  max_pool1d, avg_pool1d, max_pool2d, avg_pool2d,
  global_max_pool1d, global_avg_pool1d, global_max_pool2d, global_avg_pool2d,
  batch_norm, layer_norm, embedding, lstm, gru, simple_rnn,
  conv2d_transpose, up_sampling1d, up_sampling2d, zero_padding1d, zero_padding2d, cropping1d, cropping2d,
  separable_conv2d, depthwise_conv2d, permute, repeat_vector, leaky_relu, prelu, elu, relu, relu6, softmax,
  bidirectional, time_distributed, multi_head_attention,
  add, multiply, average, maximum, minimum, concatenate,
] as const;
