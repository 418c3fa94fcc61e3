// zero_padding2d: see ../families/sides.ts.
import { zeroPadding2d } from '../families/sides.js';

export default zeroPadding2d();
