// global_avg_pool2d: see ../families/pooling.ts.
import { globalPool } from '../families/pooling.js';

export default globalPool('global_avg_pool2d', 'globalAveragePooling2d', 3);
