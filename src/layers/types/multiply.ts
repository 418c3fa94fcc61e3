// multiply(a, b, ...): an elementwise merge; see ../families/merge.ts. FLOPs: n - 1 operations per output element.
import { elementwise } from '../families/merge.js';

export default elementwise('multiply', 'multiply', 'multiply', (n) => n - 1);
