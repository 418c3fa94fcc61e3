// subtract(a, b): a - b, an elementwise merge of exactly two tensors with add's broadcasting; see ../families/merge.ts.
// nnc's own tfjs layer (src/codegen/runtime/layers.ts `Subtract`): tfjs 4.22 has none. FLOPs: one per output element.
import { elementwise } from '../families/merge.js';

export default elementwise('subtract', 'subtract', 'subtract', (n) => n - 1, { inputs: 2 });
