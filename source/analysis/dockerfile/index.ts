export {attachDockerfileLines, type DockerfileMapping, mapLayersToDockerfile} from './map-layers.js';
export {finalStageInstructions, parseDockerfile} from './parse-dockerfile.js';
export {readDockerfile} from './read-dockerfile.js';
export {substituteVariables} from './substitute.js';
export type {DockerfileInstruction, DockerfileStage, ParsedDockerfile} from './types.js';
