// gru(units): see ../families/recurrent.ts.
import { recurrent } from '../families/recurrent.js';

export default recurrent('gru', 'gru', 3);
