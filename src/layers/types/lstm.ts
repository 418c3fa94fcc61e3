// lstm(units): see ../families/recurrent.ts.
import { recurrent } from '../families/recurrent.js';

export default recurrent('lstm', 'lstm', 4);
