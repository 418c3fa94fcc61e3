// global_avg_pool1d: see ../families/pooling.ts.
import { globalPool } from '../families/pooling.js';

export default globalPool('global_avg_pool1d', 'globalAveragePooling1d', 2);
