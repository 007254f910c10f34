import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ImageReport} from '../analysis/types.js';
import type {DiveLayer} from './dive-json.js';
import type {SizeMap} from './size-map.js';

export type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';

/** What the Markdown and SARIF exports read: the analysis plus the optional Dockerfile knowledge. */
export type ReportInput = ImageReport & {
	suggestion?: ReportSuggestion;
	/** The Dockerfile given with `--dockerfile`, as the user wrote it (relative to the repository root). */
	dockerfilePath?: string;
	/** Files in the repository that findings can point at (SARIF needs one for every result). */
	repositoryFiles?: RepositoryFiles;
	/** dive's layers, computed per run and only when `--format dive` asks (they list every file). */
	diveLayers?: DiveLayer[];
	/** The final filesystem as a treemap, computed per run and only when `--format html` asks. */
	sizeMap?: SizeMap;
};

/**
What the run found in the repository (the `git rev-parse --show-toplevel` directory, else the working
directory), every path relative to it with forward slashes: computed per run, never cached.
*/
export type RepositoryFiles = {
	/** The `--dockerfile`, when it lies inside the repository. */
	dockerfile?: string;
	/** `Dockerfile` when the repository root has one. */
	rootDockerfile?: string;
	/** Line of the last `FROM` in the Dockerfile used (base-layer findings point there). */
	fromLine?: number;
	/** The image archive, when the image was read from a file inside the repository. */
	archive?: string;
};
