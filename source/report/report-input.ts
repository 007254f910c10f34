import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ImageReport} from '../analysis/types.js';

export type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';

/** What the Markdown and SARIF exports read: the analysis plus the optional Dockerfile knowledge. */
export type ReportInput = ImageReport & {
	suggestion?: ReportSuggestion;
	/** The Dockerfile given with `--dockerfile`, as the user wrote it (relative to the repository root). */
	dockerfilePath?: string;
};
