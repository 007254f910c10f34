import type {ImageReport} from '../analysis/types.js';

/**
The Dockerfile rewrite the engine proposes. Declared here because the analysis contract does not carry it
yet; when `ImageReport` gains the same fields this type becomes a plain alias.
*/
export type ReportSuggestion = {
	dockerfile: string;
	dockerignore: string[];
	/** Final-filesystem bytes once every fix is applied. */
	projectedSizeBytes: number;
	/** Bytes each finding category saves, e.g. `{'build-only': 40_000_000, cache: 3_000_000}`. */
	byCategory: Record<string, number>;
};

/** What the Markdown and SARIF exports read: the analysis plus the optional Dockerfile knowledge. */
export type ReportInput = ImageReport & {
	suggestion?: ReportSuggestion;
	/** The Dockerfile given with `--dockerfile`, as the user wrote it (relative to the repository root). */
	dockerfilePath?: string;
};
