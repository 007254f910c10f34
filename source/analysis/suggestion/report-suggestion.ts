import type {DockerfileSuggestion} from './suggest-dockerfile.js';

/** The Dockerfile rewrite the engine proposes, as every output (JSON, Markdown, the explorer) reads it: plain data. */
export type ReportSuggestion = {
	dockerfile: string;
	dockerignore: string[];
	/** Final-filesystem bytes of the suggested runtime stage, measured from this image's own bytes. */
	projectedSizeBytes: number;
	/** The range of that projection when part of it is estimated (reinstalled packages); equal to it otherwise. */
	projectedRange: {low: number; high: number};
	/** What the runtime stage keeps, a line each (base, closure, packages, app, other directories): adds up to projectedSizeBytes. */
	projectionParts: {label: string; bytes: number; estimated?: boolean}[];
	/** What it leaves out, by the finding that proves it: adds up to the final size minus projectedSizeBytes. */
	removedParts: {ruleId: string; title: string; category: string; bytes: number}[];
	/** Bytes each finding category saves, e.g. `{'build-only': 40_000_000, cache: 3_000_000}`. */
	byCategory: Record<string, number>;
	/** Whether the build stage is the user's Dockerfile, a reconstruction from history, or none (nothing to move). */
	basedOn: 'dockerfile' | 'history' | 'none';
	/** What the suggester wants the user to know (guesses, what to check, what it could not do). */
	notes: string[];
	/** What the container runs and the files that proves it needs. */
	runtime: {
		kind: string;
		argv: string[];
		chain: {path: string; reason: string}[];
		/** Every path the closure proved the container needs (programs, loaders, libraries, the links to them). */
		paths: string[];
		copies: string[];
		/** The names the install line writes. */
		packages: string[];
		/** Every package the install brings: the same list the projection counts. */
		installedPackages: string[];
		unresolved: string[];
	};
};

/** The suggester's result in the shape the reports store; `byCategory` comes from the findings' own sums. */
export function toReportSuggestion(
	suggestion: DockerfileSuggestion,
	byCategory: Record<string, number>,
): ReportSuggestion {
	return {
		dockerfile: suggestion.dockerfile,
		dockerignore: suggestion.dockerignore,
		projectedSizeBytes: suggestion.projection.bytes,
		projectedRange: {low: suggestion.projection.low, high: suggestion.projection.high},
		projectionParts: suggestion.projection.parts,
		removedParts: suggestion.projection.removed,
		byCategory,
		basedOn: suggestion.basedOn,
		notes: suggestion.notes,
		runtime: {
			kind: suggestion.stack,
			argv: suggestion.closure.argv,
			chain: suggestion.closure.chain,
			paths: suggestion.closure.paths,
			copies: suggestion.runtime.copies,
			packages: suggestion.runtime.packages,
			installedPackages: suggestion.runtime.installedPackages,
			unresolved: suggestion.closure.unresolved,
		},
	};
}
