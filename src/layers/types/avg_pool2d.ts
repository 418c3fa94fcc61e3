// avg_pool2d(pool): see ../families/pooling.ts.
import { pool2d } from '../families/pooling.js';

export default pool2d('avg_pool2d', 'averagePooling2d');
