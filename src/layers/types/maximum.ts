// maximum(a, b, ...): an elementwise merge; see ../families/merge.ts. FLOPs: n - 1 operations per output element.
import { elementwise } from '../families/merge.js';

export default elementwise('maximum', 'maximum', 'take the maximum of', (n) => n - 1);
