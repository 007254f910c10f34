import type {GoModule} from '../image/formats/go-build-info.js';
import type {
	CapturedFile,
	ExecInfo,
	HistoryRecord,
	ImageSourceKind,
	ParsedLayer,
	RawImage,
	RuntimeConfig,
} from '../image/types.js';
import {
	arrayOf,
	count,
	either,
	flag,
	object,
	oneOf,
	optional,
	recordOf,
	type Shape,
	text,
	tupleOf,
} from './cache-shape.js';

/**
The image cache file's JSON header: its fields as types and as the shapes every field read back is checked
against (see image-cache.ts for the file's layout).
*/

/**
`exec`: what the few ELF files and scripts need to run, sparse, as [row, ExecInfo] pairs: a layer has
thousands of them at most against a hundred thousand entries, so no column.
*/
export type LayerHeader = Omit<ParsedLayer, 'entries'> & {
	count: number;
	columns: number[];
	exec: [number, ExecInfo][];
};

/** The stacked tree's columns follow the layers' bodies, in `treeColumnOrder`; `columns` holds their byte lengths. */
export type TreeHeader = {
	nodeCount: number;
	versionCount: number;
	layerNodeCounts: number[];
	removals: Array<[number, number[]]>;
	columns: number[];
};

export type Header = {
	version: number;
	/** The image key the file was written for: another image's file copied under this name is refused. */
	key: string;
	toolVersion: string;
	image: Omit<RawImage, 'layers'>;
	layers: LayerHeader[];
	sourceState: string[];
	tree?: TreeHeader;
};

const stringList = arrayOf(text);

export const sourceKindShape: Shape<ImageSourceKind> = oneOf(
	'docker',
	'podman',
	'docker-archive',
	'oci-archive',
	'oci-dir',
	'registry',
	'demo',
);

export const runtimeConfigShape = object<RuntimeConfig>({
	env: stringList,
	cmd: optional(stringList),
	entrypoint: optional(stringList),
	workingDir: optional(text),
	user: optional(text),
	exposedPorts: stringList,
	labels: recordOf(text),
	volumes: stringList,
	stopSignal: optional(text),
	shell: optional(stringList),
	healthcheck: optional(stringList),
});

const execShape: Shape<ExecInfo> = either(
	object<Extract<ExecInfo, {kind: 'elf'}>>({
		kind: oneOf('elf'),
		bits: oneOf(32, 64),
		machine: count,
		type: oneOf('exec', 'dyn', 'other'),
		interpreter: optional(text),
		needed: stringList,
		runpath: stringList,
		soname: optional(text),
		incomplete: optional(flag),
		goModule: optional(object<GoModule>({path: text, version: text})),
	}),
	object<Extract<ExecInfo, {kind: 'script'}>>({
		kind: oneOf('script'),
		interpreter: text,
		argument: optional(text),
	}),
);

const layerHeaderShape = object<LayerHeader>({
	diffId: text,
	declaredDiffId: optional(text),
	digest: optional(text),
	mediaType: optional(text),
	compression: oneOf('none', 'gzip', 'zstd'),
	compressedSizeBytes: optional(count),
	tarSizeBytes: count,
	captured: arrayOf(object<CapturedFile>({path: text, text, truncated: flag})),
	count,
	columns: arrayOf(count),
	exec: arrayOf(tupleOf(count, execShape)),
});

const treeHeaderShape = object<TreeHeader>({
	nodeCount: count,
	versionCount: count,
	layerNodeCounts: arrayOf(count),
	removals: arrayOf(tupleOf(count, arrayOf(count))),
	columns: arrayOf(count),
});

export const headerShape = object<Header>({
	version: count,
	key: text,
	toolVersion: text,
	image: object<Header['image']>({
		reference: text,
		id: text,
		source: sourceKindShape,
		os: text,
		architecture: text,
		variant: optional(text),
		created: optional(text),
		repoTags: stringList,
		config: runtimeConfigShape,
		history: arrayOf(
			object<HistoryRecord>({
				created: optional(text),
				createdBy: optional(text),
				comment: optional(text),
				author: optional(text),
				emptyLayer: flag,
			}),
		),
		diffIds: stringList,
		warnings: stringList,
	}),
	layers: arrayOf(layerHeaderShape),
	sourceState: stringList,
	tree: optional(treeHeaderShape),
});
