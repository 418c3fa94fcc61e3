// avg_pool1d(pool): see ../families/pooling.ts.
import { pool1d } from '../families/pooling.js';

export default pool1d('avg_pool1d', 'averagePooling1d');
