// cropping1d: see ../families/sides.ts.
import { cropping1d } from '../families/sides.js';

export default cropping1d();
