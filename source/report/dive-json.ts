import {layerHeaderBytes} from '../analysis/dive-efficiency.js';
import type {DiveEfficiency} from '../analysis/types.js';
import type {EntryType, ParsedLayer, RawImage} from '../image/types.js';

/**
dive's `--json` export (dive 0.13), field for field and in dive's key order, so a pipeline written against
dive reads layerlens' file unchanged. Every figure is dive's, quirks included: a layer's size is the sum of
its tar header sizes, `inefficientBytes` counts the kept copy, the file list is the layer's own tree.
*/
export type DiveExport = {
	layer: DiveLayer[];
	image: {
		sizeBytes: number;
		inefficientBytes: number;
		efficiencyScore: number;
		fileReference: Array<{count: number; sizeBytes: number; file: string}>;
	};
};

export type DiveLayer = {
	index: number;
	/** The first segment of the layer's entry name in the archive (`<id>` of `<id>/layer.tar`, `blobs`). */
	id: string;
	/** The config's diff ID, as dive takes it from the history entry. */
	digestId: string;
	sizeBytes: number;
	/** `created_by` without `/bin/sh -c `; `(missing)` when the history has no entry for the layer. */
	command: string;
	fileList: DiveFileInfo[];
};

/** A tar header as dive keeps it (its `filetree.FileInfo`). */
export type DiveFileInfo = {
	path: string;
	typeFlag: number;
	linkName: string;
	size: number;
	/** Go's os.FileMode bits: permissions, setuid 1<<23, setgid 1<<22, sticky 1<<20, dir 1<<31, symlink 1<<27. */
	fileMode: number;
	uid: number;
	gid: number;
	isDir: boolean;
};

const typeFlags: Record<EntryType, number> = {
	file: 48,
	hardlink: 49,
	symlink: 50,
	char: 51,
	block: 52,
	dir: 53,
	fifo: 54,
	// Whiteouts and opaque markers are regular (empty) files in the tar.
	whiteout: 48,
	opaque: 48,
};

const goModeBits: Partial<Record<EntryType, number>> = {
	dir: 2 ** 31,
	symlink: 2 ** 27,
	block: 2 ** 26,
	char: 2 ** 26 + 2 ** 21,
	fifo: 2 ** 25,
};

/** tar's mode (perm plus setuid/setgid/sticky) as Go's os.FileMode, as dive's JSON writes it. */
export function goFileMode(mode: number, type: EntryType): number {
	let bits = mode & 0o777;
	if (mode & 0o4000) bits += 2 ** 23;
	if (mode & 0o2000) bits += 2 ** 22;
	if (mode & 0o1000) bits += 2 ** 20;
	return bits + (goModeBits[type] ?? 0);
}

type Node = {info: DiveFileInfo | undefined; children: Map<string, Node>};

const emptyInfo: DiveFileInfo = {
	path: '',
	typeFlag: 0,
	linkName: '',
	size: 0,
	fileMode: 0,
	uid: 0,
	gid: 0,
	isDir: false,
};

/**
One layer's file list as dive builds it: its own tree (parents it never names appear as empty entries),
children by name, each child before its parent; a whiteout as its literal `.wh.` name. An opaque marker
creates its directory when missing but is itself never listed (dive drops `.wh..wh..` names).
*/
export function diveFileList(layer: ParsedLayer): DiveFileInfo[] {
	const root: Node = {info: undefined, children: new Map()};
	const {entries} = layer;
	for (let row = 0; row < entries.count; row++) {
		const type = entries.type(row);
		const path = entries.path(row);
		const names = path === '' ? [] : path.split('/');
		if (type === 'whiteout') {
			names.push(`.wh.${names.pop()}`);
		}

		let node = root;
		for (const name of names) {
			let child = node.children.get(name);
			if (child === undefined) {
				child = {info: undefined, children: new Map()};
				node.children.set(name, child);
			}

			node = child;
		}

		if (type === 'opaque' || node === root) continue;
		node.info = {
			path: names.join('/'),
			typeFlag: typeFlags[type],
			linkName: entries.linkTarget(row) ?? '',
			size: entries.size(row),
			fileMode: goFileMode(entries.mode(row), type),
			uid: entries.uid(row),
			gid: entries.gid(row),
			isDir: type === 'dir',
		};
	}

	const list: DiveFileInfo[] = [];
	const visit = (node: Node) => {
		// Go's sort.Strings: byte order, which code-unit order equals for every name outside the astral planes.
		for (const name of [...node.children.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
			const child = node.children.get(name)!;
			visit(child);
			list.push(child.info ?? emptyInfo);
		}
	};

	visit(root);
	return list;
}

/**
dive's layers of an image. `entryNames` are the layers' entry names in the archive read; a source with no
archive (a registry, an OCI directory, the demo) has none, and the layer's blob digest stands in for the id.
History entries map to layers as dive maps them: in order, skipping empty-layer entries.
*/
export function diveLayers(raw: RawImage, entryNames: readonly string[] | undefined): DiveLayer[] {
	let historyIndex = 0;
	return raw.layers.map((layer, index) => {
		while (historyIndex < raw.history.length && raw.history[historyIndex]!.emptyLayer) {
			historyIndex++;
		}

		const history = raw.history[historyIndex];
		historyIndex++;
		const name = entryNames?.[index];
		return {
			index,
			id: name === undefined ? (layer.digest ?? layer.diffId).replace(/^sha256:/, '') : name.split('/')[0]!,
			digestId: history === undefined ? '' : (raw.diffIds[index] ?? layer.declaredDiffId ?? layer.diffId),
			sizeBytes: layerHeaderBytes(layer),
			command: history === undefined ? '(missing)' : (history.createdBy ?? '').replace(/^\/bin\/sh -c /, ''),
			fileList: diveFileList(layer),
		};
	});
}

export function toDiveExport(layers: DiveLayer[], efficiency: DiveEfficiency): DiveExport {
	return {
		layer: layers,
		image: {
			sizeBytes: layers.reduce((sum, layer) => sum + layer.sizeBytes, 0),
			inefficientBytes: efficiency.wastedBytes,
			efficiencyScore: efficiency.score,
			fileReference: efficiency.inefficiencies.map((item) => ({
				count: item.count,
				sizeBytes: item.cumulativeSizeBytes,
				file: item.path,
			})),
		},
	};
}

/** Go's encoding/json escapes <, > and & (its HTML-safe default): dive's file has them as \u003c, \u003e, \u0026. */
export function goJsonEscapes(json: string): string {
	return json.replace(/[<>&]/g, (character) => `\\u00${character.charCodeAt(0).toString(16)}`);
}
