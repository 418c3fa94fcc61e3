// cropping2d: see ../families/sides.ts.
import { cropping2d } from '../families/sides.js';

export default cropping2d();
