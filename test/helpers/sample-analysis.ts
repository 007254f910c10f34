import type {Finding, HistoryEntry, ImageAnalysis, LayerSummary} from '../../source/analysis/types.js';
import {none} from '../../source/engine/ids.js';
import {EntryColumns, nodeId, pathHash} from '../../source/engine/index.js';
import {PathTreeBuilder} from '../../source/engine/path-tree-builder.js';
import {
	type ChangeKind,
	changeKinds,
	deletedCode,
	directoryDeletedCode,
	overwrittenCode,
} from '../../source/engine/tree-columns.js';
import type {EntryType, TarEntry} from '../../source/image/types.js';
import {contentHash} from './raw-image-builder.js';

/** One tar entry of a hand-written layer; `delete` stands for a `.wh.` whiteout of `path`. */
export type SampleEntry = {
	path: string;
	type?: EntryType;
	size?: number;
	mode?: number;
	uid?: number;
	gid?: number;
	linkTarget?: string;
	/** A label for the content (see contentHash): equal labels, equal content. */
	hash?: string;
	delete?: true;
};

export type SampleLayer = {instruction: string; entries: SampleEntry[]};
export type SampleHistory = {instruction: string; afterLayerIndex: number};

function toEntry(item: SampleEntry): TarEntry {
	if (item.delete) {
		return {path: item.path, type: 'whiteout', size: 0, mode: 0, uid: 0, gid: 0, mtime: 1_700_000_000};
	}

	return {
		path: item.path,
		type: item.type ?? 'file',
		size: item.type && item.type !== 'file' ? 0 : (item.size ?? 0),
		mode: item.mode ?? (item.type === 'dir' ? 0o755 : 0o644),
		uid: item.uid ?? 0,
		gid: item.gid ?? 0,
		mtime: 1_700_000_000,
		...(item.linkTarget === undefined ? {} : {linkTarget: item.linkTarget}),
		...(item.hash === undefined ? {} : {hash: contentHash(item.hash)}),
	};
}

function visibleVersion(tree: PathTreeBuilder, node: number): number {
	return tree.finalVersion(node);
}

function hideSubtree(tree: PathTreeBuilder, node: number, layer: number, isTop: boolean): void {
	const version = visibleVersion(tree, node);
	if (version !== none) tree.hide(version, layer, isTop ? deletedCode : directoryDeletedCode);

	for (const child of tree.children(node)) hideSubtree(tree, child, layer, false);
}

/**
A small, literal version of the analysis engine's stacking rules, enough to hand-build test images:
versions per layer with kind and hiddenBy, removals, and the per-layer touched nodes.
*/
export function buildAnalysis(
	layers: SampleLayer[],
	emptyHistory: SampleHistory[] = [],
	findings: Finding[] = [],
): ImageAnalysis {
	const columns = layers.map((layer) => EntryColumns.fromEntries(layer.entries.map(toEntry)));
	const builder = new PathTreeBuilder(columns);
	const layerNodes: number[][] = layers.map(() => []);
	layers.forEach((layer, index) => {
		layer.entries.forEach((item, row) => {
			const node = builder.ensure(item.path, pathHash(item.path));
			layerNodes[index]!.push(node);
			if (item.delete) {
				builder.recordRemoval(node, index);
				hideSubtree(builder, node, index, true);
				return;
			}

			const entry = columns[index]!.entry(row);
			const previous = visibleVersion(builder, node);
			let kind: ChangeKind = 'added';
			if (previous !== none) {
				const before = columns[builder.versionLayer[previous]!]!.entry(builder.versionRow[previous]!);
				const same =
					before.type === entry.type &&
					before.size === entry.size &&
					before.mode === entry.mode &&
					before.hash === entry.hash;
				kind = same ? 'unchanged' : 'modified';
				builder.hide(previous, index, overwrittenCode);
			}

			builder.addVersion(node, index, row, changeKinds.indexOf(kind));
		});
	});
	builder.layerNodes = layerNodes.map((nodes) => Int32Array.from(nodes));
	const tree = builder.finish();

	const summaries: LayerSummary[] = layers.map((layer, index) => {
		let sizeBytes = 0;
		let fileCount = 0;
		const counts = {added: 0, modified: 0, removed: 0};
		let wasteIntroducedBytes = 0;
		let wasteHiddenBytes = 0;
		for (const node of layerNodes[index]!) {
			const version = tree.versions(nodeId(node)).find((candidate) => tree.layerOf(candidate) === index);
			if (version === undefined) {
				counts.removed++;
				continue;
			}

			if (tree.type(version) !== 'dir') fileCount++;
			sizeBytes += tree.size(version);
			if (tree.kind(version) === 'added') counts.added++;
			if (tree.kind(version) === 'modified') counts.modified++;
			if (tree.isHidden(version)) wasteIntroducedBytes += tree.size(version);
		}

		tree.forEachNode((node) => {
			for (const version of tree.versions(node)) {
				if (tree.hiddenIn(version) === index) wasteHiddenBytes += tree.size(version);
			}
		});
		return {
			index,
			diffId: `sha256:${String(index).repeat(64)}`,
			compression: 'gzip',
			tarSizeBytes: sizeBytes + 10_240,
			instruction: layer.instruction,
			createdBy: `/bin/sh -c #(nop) ${layer.instruction}`,
			sizeBytes,
			fileCount,
			...counts,
			wasteIntroducedBytes,
			wasteHiddenBytes,
		};
	});

	const history: HistoryEntry[] = [];
	for (let index = -1; index < layers.length; index++) {
		if (index >= 0) {
			history.push({
				createdBy: summaries[index]!.createdBy!,
				instruction: layers[index]!.instruction,
				instructionKind: layers[index]!.instruction.split(' ')[0]!,
				emptyLayer: false,
				layerIndex: index,
				afterLayerIndex: index - 1,
			});
		}

		for (const empty of emptyHistory.filter((item) => item.afterLayerIndex === index)) {
			history.push({
				createdBy: `/bin/sh -c #(nop) ${empty.instruction}`,
				instruction: empty.instruction,
				instructionKind: empty.instruction.split(' ')[0]!,
				emptyLayer: true,
				layerIndex: null,
				afterLayerIndex: index,
			});
		}
	}

	const items: ImageAnalysis['waste']['items'] = [];
	tree.forEachNode((node) => {
		for (const version of tree.versions(node)) {
			const hiddenIn = tree.hiddenIn(version);
			if (hiddenIn !== undefined && tree.size(version) > 0) {
				items.push({
					path: tree.pathOf(node),
					bytes: tree.size(version),
					cause: tree.cause(version) ?? 'overwritten',
					addedInLayer: tree.layerOf(version),
					hiddenInLayer: hiddenIn,
					sameContent: false,
				});
			}
		}
	});
	const sizeBytes = summaries.reduce((sum, layer) => sum + layer.sizeBytes, 0);
	const reclaimableBytes = items.reduce((sum, item) => sum + item.bytes, 0);
	return {
		image: {
			reference: 'sample:latest',
			id: `sha256:${'a'.repeat(64)}`,
			source: 'demo',
			os: 'linux',
			architecture: 'amd64',
			repoTags: ['sample:latest'],
			sizeBytes,
			finalSizeBytes: sizeBytes - reclaimableBytes,
			layerCount: layers.length,
			config: {env: [], exposedPorts: [], labels: {}, volumes: []},
		},
		layers: summaries,
		history,
		efficiency: {
			score: 0.75,
			wastedBytes: 20_650,
			userSizeBytes: 79_867,
			wastedUserPercent: 0.2585,
			inefficiencies: [],
		},
		waste: {reclaimableBytes, sameContentBytes: 0, duplicateBytes: 0, items, duplicates: []},
		findings,
		warnings: [],
		tree,
	};
}

export const readmeText = 'hello\nworld\n';
/** A name carrying a terminal escape (clear screen), to check that names are shown escaped. */
export const hostileName = 'bad\u001B[2Jname.txt';

/**
The sample image every UI test uses. Sizes, in bytes:
- layer 0 `FROM base`: bin/sh 1000, bin/bash → sh (symlink), etc/passwd 200, etc/config 300 = 1500
- layer 1 `RUN apt-get install -y libbig`: usr/lib/libbig.so 50000, tmp/cache.tar 20000, etc/config 350 (modified) = 70350
- layer 2 `COPY . /app`: app/main.js 1500, app/node_modules/typescript/tsc.js 8000, app/README.md 12, app/<hostile> 5 = 9517
- layer 3 `RUN rm -rf /tmp/cache.tar`: deletes tmp/cache.tar = 0
Waste: tmp/cache.tar 20000 (deleted by 3) + etc/config 300 (overwritten by 1) = 20300.
Build-only finding: app/node_modules/typescript/tsc.js, 8000 B, layer 2.
Empty-layer history: ENV PATH=/usr/bin after layer 0, WORKDIR /app after layer 1, CMD ["node"] after layer 3.
*/
export function sampleAnalysis(): ImageAnalysis {
	const finding: Finding = {
		ruleId: 'LL-BUILD-DEVDEPS',
		category: 'build-only',
		confidence: 'high',
		title: 'TypeScript compiler shipped in the runtime image',
		evidence: ['typescript is a devDependency in app/package.json'],
		groups: [{path: 'app/node_modules/typescript/', count: 1, bytes: 8000}],
		paths: ['app/node_modules/typescript/tsc.js'],
		layerIndex: 2,
		bytes: 8000,
		fix: 'Install with npm ci --omit=dev in the final stage',
	};
	const cacheFinding: Finding = {
		ruleId: 'LL-CACHE-TMP',
		category: 'waste',
		confidence: 'medium',
		title: 'Archive left in /tmp',
		evidence: ['tmp/cache.tar is deleted in a later layer'],
		groups: [{path: 'tmp/', count: 1, bytes: 20_000}],
		paths: [],
		layerIndex: 1,
		bytes: 20_000,
		fix: 'Delete it in the same RUN that creates it',
	};
	return buildAnalysis(
		[
			{
				instruction: 'FROM base',
				entries: [
					{path: 'bin', type: 'dir'},
					{path: 'bin/sh', size: 1000, mode: 0o755},
					{path: 'bin/bash', type: 'symlink', linkTarget: 'sh', mode: 0o777},
					{path: 'etc', type: 'dir'},
					{path: 'etc/passwd', size: 200},
					{path: 'etc/config', size: 300},
					{path: 'tmp', type: 'dir', mode: 0o1777},
				],
			},
			{
				instruction: 'RUN apt-get install -y libbig',
				entries: [
					{path: 'usr', type: 'dir'},
					{path: 'usr/lib', type: 'dir'},
					{path: 'usr/lib/libbig.so', size: 50_000, mode: 0o755},
					{path: 'tmp/cache.tar', size: 20_000},
					{path: 'etc/config', size: 350},
				],
			},
			{
				instruction: 'COPY . /app',
				entries: [
					{path: 'app', type: 'dir'},
					{path: 'app/main.js', size: 1500, uid: 1000, gid: 1000},
					{path: 'app/node_modules/typescript/tsc.js', size: 8000},
					{path: 'app/README.md', size: readmeText.length},
					{path: `app/${hostileName}`, size: 5},
				],
			},
			{instruction: 'RUN rm -rf /tmp/cache.tar', entries: [{path: 'tmp/cache.tar', delete: true}]},
		],
		[
			{instruction: 'ENV PATH=/usr/bin', afterLayerIndex: 0},
			{instruction: 'WORKDIR /app', afterLayerIndex: 1},
			{instruction: 'CMD ["node"]', afterLayerIndex: 3},
		],
		[finding, cacheFinding],
	);
}

/** `fileCount` files spread over directories of 100, all added by layer 0, with layer 1 deleting one directory. */
export function largeAnalysis(fileCount: number): ImageAnalysis {
	const entries: SampleEntry[] = [];
	for (let index = 0; index < fileCount; index++) {
		entries.push({path: `data/d${Math.floor(index / 100)}/f${index}`, size: index % 1000});
	}

	return buildAnalysis([
		{instruction: 'COPY data /data', entries},
		{instruction: 'RUN rm -rf /data/d0', entries: [{path: 'data/d0', delete: true}]},
	]);
}
