import type {ChangeKind, HideCause, PathTree} from '../engine/index.js';
import type {ExecInfo, ImageSourceKind, LayerCompression, RuntimeConfig, TarEntry} from '../image/types.js';
import type {PackageReport} from './packages/types.js';

export type {ChangeKind, HideCause};

export type LayerSummary = {
	index: number;
	diffId: string;
	digest?: string;
	compression: LayerCompression;
	compressedSizeBytes?: number;
	tarSizeBytes: number;
	/** Normalised instruction (`RUN npm install`), or `unknown` when history could not be mapped. */
	instruction: string;
	/** Raw `created_by`, when a history entry maps to this layer. */
	createdBy?: string;
	historyIndex?: number;
	/** Sum of regular-file sizes in this layer's tar (whiteouts and hard links are 0). */
	sizeBytes: number;
	/** Entries that are neither directories nor whiteout/opaque markers. */
	fileCount: number;
	added: number;
	modified: number;
	removed: number;
	/** Bytes this layer stored that a later layer hid. */
	wasteIntroducedBytes: number;
	/** Bytes of lower layers that this layer hid. */
	wasteHiddenBytes: number;
};

export type HistoryEntry = {
	createdBy: string;
	instruction: string;
	/** `RUN`, `COPY`, `ENV`, ... or `UNKNOWN`. */
	instructionKind: string;
	emptyLayer: boolean;
	/** The layer this entry created; null for empty-layer entries. */
	layerIndex: number | null;
	/** For empty-layer entries: the index of the last layer before it (-1 when it comes before any layer). */
	afterLayerIndex: number;
	created?: string;
	comment?: string;
};

export type DiveInefficiency = {
	/** With a leading slash, as dive prints it. */
	path: string;
	count: number;
	cumulativeSizeBytes: number;
};

/** Figures equal to what dive 0.13 prints for the same image, quirks included. */
export type DiveEfficiency = {
	score: number;
	wastedBytes: number;
	userSizeBytes: number;
	wastedUserPercent: number;
	inefficiencies: DiveInefficiency[];
};

export type WasteItem = {
	path: string;
	bytes: number;
	cause: HideCause;
	addedInLayer: number;
	hiddenInLayer: number;
	/** The later layer wrote identical content (e.g. a chmod/chown copy-up). */
	sameContent: boolean;
};

export type DuplicateGroup = {
	hash: string;
	sizeBytes: number;
	/** Visible paths in the final filesystem with identical content (hard links excluded). */
	paths: string[];
	/** (paths - 1) * sizeBytes */
	duplicateBytes: number;
};

export type WasteSummary = {
	/** Bytes stored in layers that are not visible in the final filesystem. */
	reclaimableBytes: number;
	/** Part of reclaimableBytes whose later copy has identical content. */
	sameContentBytes: number;
	/** Bytes of identical content at several visible paths (every copy but one). */
	duplicateBytes: number;
	items: WasteItem[];
	duplicates: DuplicateGroup[];
};

export type FindingCategory = 'build-only' | 'cache' | 'waste' | 'secret';
export type Confidence = 'high' | 'medium' | 'low';

export type PathGroup = {
	/** A directory or glob-like prefix that groups the matched paths, e.g. `app/node_modules/typescript/`. */
	path: string;
	count: number;
	bytes: number;
};

export type Finding = {
	/** Stable id, e.g. `LL-BUILD-DEVDEPS`. */
	ruleId: string;
	category: FindingCategory;
	confidence: Confidence;
	title: string;
	/** Why we believe it, in words, strongest evidence first. */
	evidence: string[];
	groups: PathGroup[];
	/** Every matched path (final-filesystem files), for the UI's build-only marker and CI ignore globs. */
	paths: string[];
	/** The layer that added most of these bytes. */
	layerIndex: number | undefined;
	instruction?: string;
	/** `Dockerfile:LINE` when a Dockerfile was given and mapped. */
	dockerfileLine?: number;
	/** Bytes visible in the final filesystem that this change removes, deduplicated across paths. */
	bytes: number;
	/** One-line fix. */
	fix: string;
	/**
	Present (and true) when the finding's files came from the base image's layers: no step of the app's
	Dockerfile can remove them, only another base can. Such findings are shown apart, left out of the
	projection, and count in a `--ci` failure only when `countBaseFindings` is set.
	*/
	fromBase?: true;
	/** The package owning the largest share of these bytes, when packages own most of them (its install line is the one to change). */
	package?: {ecosystem: string; name: string; version: string};
};

export type ImageInfo = {
	reference: string;
	id: string;
	source: ImageSourceKind;
	os: string;
	architecture: string;
	variant?: string;
	created?: string;
	repoTags: string[];
	/** Sum of layer sizeBytes (uncompressed). */
	sizeBytes: number;
	/** Bytes of regular files visible in the final filesystem. */
	finalSizeBytes: number;
	layerCount: number;
	config: RuntimeConfig;
};

/** Everything the reports read: plain data, serialisable as it is (the analysis cache stores it). */
export type ImageReport = {
	image: ImageInfo;
	layers: LayerSummary[];
	history: HistoryEntry[];
	efficiency: DiveEfficiency;
	waste: WasteSummary;
	findings: Finding[];
	warnings: string[];
	/** Which package owns the image's bytes and what each layer installed; absent when not computed (a bare analysis). */
	packages?: PackageReport;
};

/** The stacked path tree the explorer walks; rebuilt from the entry columns, never serialised. */
export type ImageTree = {
	tree: PathTree;
};

export type ImageAnalysis = ImageReport & ImageTree;

/** A non-directory path visible in the final filesystem, as the findings rules see it. */
export type FinalFile = {
	path: string;
	type: TarEntry['type'];
	size: number;
	mode: number;
	uid: number;
	gid: number;
	linkTarget?: string;
	/** How the file runs (ELF loader and libraries, or `#!` interpreter), when its bytes say. */
	exec?: ExecInfo;
	/** The layer whose version is visible. */
	layer: number;
};

/**
The final files in order, read by position or walked: a plain array in tests, the engine's columns for a
real image (`FinalFileColumns`), where each file is an object only while a reader holds it.
*/
export type FinalFileList = Iterable<FinalFile> & {
	readonly length: number;
	/** The file at a position (a new object each call for the columns: compare paths, not objects). */
	at(position: number): FinalFile | undefined;
};

/**
What the findings rules read: the final filesystem, the evidence files' text, the layers and history,
and the engine's waste. Plain data so every rule is testable without archives.
*/
export type RuleInput = {
	files: FinalFileList;
	/** Final-filesystem text of the evidence files (see image/evidence-files.ts), by path. */
	evidence: Map<string, string>;
	layers: LayerSummary[];
	history: HistoryEntry[];
	config: RuntimeConfig;
	waste: WasteSummary;
};
