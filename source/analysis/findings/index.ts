export {dockerignoreLines} from './dockerignore.js';
export {createRuleContext, findFindings} from './find-findings.js';
export {projectSize, type SizeProjection} from './project-size.js';
