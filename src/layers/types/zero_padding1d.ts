// zero_padding1d: see ../families/sides.ts.
import { zeroPadding1d } from '../families/sides.js';

export default zeroPadding1d();
