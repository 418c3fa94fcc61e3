// max_pool2d(pool): see ../families/pooling.ts.
import { pool2d } from '../families/pooling.js';

export default pool2d('max_pool2d', 'maxPooling2d');
