// max_pool1d(pool): see ../families/pooling.ts.
import { pool1d } from '../families/pooling.js';

export default pool1d('max_pool1d', 'maxPooling1d');
