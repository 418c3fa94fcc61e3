// add(a, b, ...): an elementwise merge; see ../families/merge.ts. FLOPs: n - 1 operations per output element.
import { elementwise } from '../families/merge.js';

export default elementwise('add', 'add', 'add', (n) => n - 1);
