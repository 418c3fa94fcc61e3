// simple_rnn(units): see ../families/recurrent.ts.
import { recurrent } from '../families/recurrent.js';

export default recurrent('simple_rnn', 'simpleRNN', 1);
