import type {FileLookup} from '../rule-input.js';
import type {Confidence, FindingCategory, RuleInput} from '../types.js';

/**
What one rule proposes before bytes, groups and layers are measured. Rules only name paths and say
why; `build-finding.ts` does the arithmetic so every rule counts bytes the same way.
*/
export type FindingDraft = {
	ruleId: string;
	category: FindingCategory;
	confidence: Confidence;
	title: string;
	evidence: string[];
	paths: string[];
	fix: string;
	/** Group key of a path (a directory ending in `/`, or the file itself); default: a common-prefix split. */
	groupOf?: (path: string) => string;
	/**
	Waste findings about bytes hidden in lower layers: their paths are not (or not only) final files,
	so `bytes` and `layerIndex` are given, not measured, and they claim no paths.
	*/
	hidden?: {bytes: number; layerIndex: number; groups: {path: string; count: number; bytes: number}[]};
	/** The fix when the files came with the base image (default: choose another base). */
	baseFix?: string;
	/** Set by findFindings on the part of a draft whose files came from base-image layers. */
	fromBase?: true;
};

export type RuleContext = {
	input: RuleInput;
	byPath: FileLookup;
	/** The app's directory without leading or trailing slash ('' for `/`), or undefined when unknown. */
	appDir: string | undefined;
	/** CMD and ENTRYPOINT joined with spaces, for "what does the container run" checks. */
	runCommand: string;
	/** Layers whose instruction copies the whole build context (`COPY . .`). */
	contextCopyLayers: Set<number>;
	/**
	Layers that came with the base image, which the app's Dockerfile cannot change: exactly known with a
	Dockerfile, otherwise those before the final stage's first step in the history.
	*/
	baseLayers: Set<number>;
	/** Paths an earlier (stronger-evidence) rule already reported. */
	claimed: Set<string>;
};

export type Rule = (context: RuleContext) => FindingDraft[];

export function isUnder(path: string, directory: string): boolean {
	return directory === '' || path.startsWith(`${directory}/`);
}

/** `app/src/x.ts` relative to `app` is `src/x.ts`; paths outside it are returned unchanged. */
export function relativeTo(path: string, directory: string | undefined): string {
	if (directory === undefined || directory === '') {
		return path;
	}

	return path.startsWith(`${directory}/`) ? path.slice(directory.length + 1) : path;
}
