// simple_rnn(units): see ../families/recurrent.ts. A simple RNN has no gates, so no recurrent activation: Keras'
// SimpleRNN takes no `recurrent_activation`, and a spec that gives one gets an unknown-argument error rather than
// a value code generation would drop.
import { recurrent } from '../families/recurrent.js';
import { defineLayer } from '../module.js';

const base = recurrent('simple_rnn', 'simpleRNN', 1);
const { recurrent_activation: _gateless, ...args } = base.args;

export default defineLayer({
  type: base.type,
  args,
  positional: ['units'],
  stateInput: base.stateInput,
  stateOutputs: base.stateOutputs,
  shape: (layer, ctx) => base.shape(layer as Parameters<typeof base.shape>[0], ctx),
  explain: (layer, f) => base.explain!(layer as Parameters<typeof base.shape>[0], f),
  config: (layer, ctx) => base.config(layer as Parameters<typeof base.config>[0], ctx),
});
