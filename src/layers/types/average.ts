// average(a, b, ...): an elementwise merge; see ../families/merge.ts. FLOPs: n - 1 adds and one scale per output element.
import { elementwise } from '../families/merge.js';

export default elementwise('average', 'average', 'average', (n) => n);
