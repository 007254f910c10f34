import type {EntryType} from '../../image/types.js';
import type {PackageComparison} from '../packages/compare-packages.js';
import type {Finding, FindingCategory, ImageReport} from '../types.js';

/**
One path visible in an image's final filesystem, directories included: what the comparison reads of a
filesystem. Plain data, so any store (the path tree today, columns later) can hand it over.
*/
export type ComparedFile = {
	path: string;
	type: EntryType;
	/** Content bytes of a regular file; 0 for every other type. */
	size: number;
	mode: number;
	uid: number;
	gid: number;
	linkTarget?: string;
	hash?: string;
	/** Seconds since the epoch. */
	mtime: number;
};

/** One side of a comparison: the analysis as the reports read it and its final filesystem. */
export type ComparisonSide = {
	report: ImageReport;
	files: ComparedFile[];
};

export type CompareOptions = {
	/** Report files whose only difference is their modification time (hidden by default). */
	timestamps?: boolean;
};

/** What differs between the A and B versions of one path. */
export type ChangedAttribute = 'type' | 'content' | 'size' | 'mode' | 'owner' | 'link' | 'mtime';

export type FileChangeKind = 'added' | 'removed' | 'changed';

export type FileChange = {
	path: string;
	kind: FileChangeKind;
	/** The type on the side that has the path (B's when both do). */
	type: EntryType;
	sizeA: number;
	sizeB: number;
	/** sizeB - sizeA */
	deltaBytes: number;
	/** Empty for added and removed paths. */
	attributes: ChangedAttribute[];
};

/** The changes under one directory, summed over every depth below it. */
export type DirectoryDelta = {
	path: string;
	deltaBytes: number;
	addedBytes: number;
	removedBytes: number;
	added: number;
	removed: number;
	changed: number;
};

/**
A change as a reviewer reads it: a directory that exists on one side only is one row (its files summed),
everything else is one row per path.
*/
export type TopChange = {
	path: string;
	kind: FileChangeKind;
	isDirectory: boolean;
	deltaBytes: number;
	/** Non-directory paths the row stands for. */
	files: number;
};

export type FileComparison = {
	/** Sorted by path. */
	changes: FileChange[];
	/** Paths equal on both sides (timestamp-only differences count here unless asked for). */
	unchanged: number;
	/** Paths that differ only in their modification time, whether shown or not. */
	timestampOnly: number;
	/** Every directory with a change below it, sorted by path; the root is ''. */
	directories: DirectoryDelta[];
	/** Largest |delta| first. */
	topChanges: TopChange[];
};

export type LayerRef = {
	index: number;
	diffId: string;
	sizeBytes: number;
	instruction: string;
	/** This layer's content is also a layer of the other image, above the shared base (index there). */
	sameContentAs?: number;
};

export type LayerComparison = {
	/** The common base: the longest run of equal diff IDs from the bottom, listed once. */
	shared: LayerRef[];
	onlyA: LayerRef[];
	onlyB: LayerRef[];
};

export type FindingMatch = {
	ruleId: string;
	category: FindingCategory;
	title: string;
	bytesA: number;
	bytesB: number;
};

export type FindingComparison = {
	resolved: Finding[];
	new: Finding[];
	kept: FindingMatch[];
	byCategory: Record<FindingCategory, {countA: number; countB: number; bytesA: number; bytesB: number}>;
};

export type Totals = {
	layerBytes: number;
	finalBytes: number;
	reclaimableBytes: number;
	efficiencyScore: number;
	files: number;
	layers: number;
};

export type TotalsComparison = {a: Totals; b: Totals; delta: Totals};

export type ImageComparison = {
	a: {reference: string; id: string};
	b: {reference: string; id: string};
	totals: TotalsComparison;
	layers: LayerComparison;
	files: FileComparison;
	findings: FindingComparison;
	/** Packages added, removed and upgraded; absent when a side's report has no package records. */
	packages?: PackageComparison;
	/** No path, layer byte or finding differs (layer packaging and timestamps aside). */
	identical: boolean;
};
