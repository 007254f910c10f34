/**
The engine's public surface: one layer's entries as columns, the layers stacked into one path tree, and
that tree read through its queries. Nothing outside this folder imports another file of it.
*/
export type {EntryType, ExecInfo, GoModule, TarEntry} from './entry.js';
export {
	dirCode,
	EntryColumns,
	entryColumnSpec,
	entryTypeCodes,
	fileCode,
	hashHex,
	opaqueCode,
	type StoredColumnName,
	type StoredEntries,
	StoredEntriesError,
	storedEntryColumns,
	whiteoutCode,
} from './entry-columns.js';
export {FinalFilesView} from './final-files-view.js';
export {type NodeId, nodeId, type Row, rootNode, type VersionId} from './ids.js';
export {PathIndex, pathHash} from './path-index.js';
export {PathTree} from './path-tree.js';
export {finishStack, IncrementalStack, stackLayers} from './stack-layers.js';
export {
	addedCode,
	type ChangeKind,
	changeKinds,
	type HideCause,
	hideCauses,
	type LayerChangeCounts,
	type NodeStatus,
	overwrittenCode,
	type StoredTree,
	StoredTreeError,
} from './tree-columns.js';
