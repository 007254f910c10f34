export {baseLayersOfMapping} from './base-image.js';
export {dockerignoreLines} from './dockerignore.js';
export {createRuleContext, type FindFindingsOptions, findFindings} from './find-findings.js';
export {projectSize, type SizeProjection} from './project-size.js';
