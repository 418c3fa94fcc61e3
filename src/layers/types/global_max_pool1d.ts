// global_max_pool1d: see ../families/pooling.ts.
import { globalPool } from '../families/pooling.js';

export default globalPool('global_max_pool1d', 'globalMaxPooling1d', 2);
