// concatenate(a, b, ..., axis: -1): joins tensors along one axis; see ../families/merge.ts.
import { concatenate } from '../families/merge.js';

export default concatenate;
