export {compareImages} from './compare-images.js';
export {finalFiles} from './final-files.js';
export type * from './types.js';
