// global_max_pool2d: see ../families/pooling.ts.
import { globalPool } from '../families/pooling.js';

export default globalPool('global_max_pool2d', 'globalMaxPooling2d', 3);
