import type {CiResult} from './evaluate.js';

/**
0 when every rule passed, 1 when one failed. 2 (the analysis could not run, or the config is wrong) is
never decided here: it comes from the LayerlensError that stopped the run before evaluation.
*/
export function ciExitCode(result: Pick<CiResult, 'passed'>): 0 | 1 {
	return result.passed ? 0 : 1;
}
