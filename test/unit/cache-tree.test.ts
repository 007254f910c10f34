import assert from 'node:assert/strict';
import test from 'node:test';
import {decodeCachedImage, encodeCachedImage} from '../../source/cache/image-cache.js';
import {EntryColumns, nodeId, PathTree, StoredTreeError, stackLayers} from '../../source/engine/index.js';
import type {ParsedLayer, RawImage, TarEntry} from '../../source/image/types.js';

const file = (path: string, size: number, hash: string): TarEntry => ({
	path,
	type: 'file',
	size,
	mode: 0o644,
	uid: 0,
	gid: 0,
	mtime: 1,
	hash: hash.padStart(16, '0'),
});
const dir = (path: string): TarEntry => ({path, type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 1});
const marker = (path: string, type: 'whiteout' | 'opaque'): TarEntry => ({
	path,
	type,
	size: 0,
	mode: 0,
	uid: 0,
	gid: 0,
	mtime: 1,
});

function layer(entries: TarEntry[], index: number): ParsedLayer {
	return {
		diffId: `sha256:${String(index).padStart(64, '0')}`,
		compression: 'none',
		tarSizeBytes: 1024,
		entries: EntryColumns.fromEntries(entries),
		captured: [],
	};
}

/** Implicit parents, an overwrite, a whiteout, an opaque directory and a file replacing a directory. */
function sampleImage(): RawImage {
	const layers = [
		[
			dir('etc'),
			file('etc/a.conf', 10, 'a'),
			file('usr/lib/deep/x.so', 500, 'b'),
			file('tmp/cache/1', 40, 'c'),
		],
		[file('etc/a.conf', 12, 'd'), marker('tmp/cache', 'whiteout'), file('opt/tool', 7, 'e')],
		[marker('usr/lib', 'opaque'), file('usr/lib/new.so', 30, 'f'), file('opt', 3, 'g')],
	].map(layer);
	return {
		reference: 'sample.tar',
		id: `sha256:${'1'.repeat(64)}`,
		source: 'docker-archive',
		os: 'linux',
		architecture: 'amd64',
		repoTags: [],
		config: {env: [], exposedPorts: [], labels: {}, volumes: []},
		history: [],
		diffIds: layers.map((item) => item.diffId),
		layers,
		warnings: [],
	};
}

/** Everything a reader of the tree can see, node by node and version by version. */
function describe(tree: PathTree): string[] {
	const lines: string[] = [];
	tree.forEachNode((node) => {
		const versions = tree
			.versions(node)
			.map(
				(version) =>
					`${tree.layerOf(version)}:${tree.kind(version)}:${tree.hiddenIn(version) ?? -1}:${tree.cause(version) ?? '-'}:${tree.size(version)}`,
			);
		lines.push(
			`${tree.pathOf(node)} parent=${tree.parentOf(node) ?? -1} [${versions.join(' ')}] removed=${tree.removedIn(node).join(',')}`,
		);
	});
	for (let layerIndex = 0; layerIndex < tree.layers.length; layerIndex++) {
		lines.push(`layer ${layerIndex}: ${tree.touchedIn(layerIndex).join(',')}`);
	}

	return lines;
}

test('the stacked tree stored with the entries comes back the same: every node, version, removal and layer list', () => {
	const image = sampleImage();
	const tree = stackLayers(image.layers);
	const decoded = decodeCachedImage(encodeCachedImage('k', image, [], tree), 'k');
	assert.ok(decoded.tree, 'the tree is stored');
	assert.deepEqual(describe(decoded.tree), describe(tree));
	for (let node = 0; node < tree.nodeCount; node++) {
		assert.equal(decoded.tree.find(tree.pathOf(nodeId(node))), node, `find ${tree.pathOf(nodeId(node))}`);
	}

	assert.equal(decoded.tree.find('usr/lib/none'), undefined);
	// The same tree as stacking the decoded entries again.
	assert.deepEqual(describe(stackLayers(decoded.raw.layers)), describe(tree));
});

test('a cache file without a tree decodes without one (the caller stacks)', () => {
	const decoded = decodeCachedImage(encodeCachedImage('k', sampleImage(), []), 'k');
	assert.equal(decoded.tree, undefined);
});

test('a stored tree whose links do not hold together is refused, never walked', () => {
	const image = sampleImage();
	const tree = stackLayers(image.layers);
	const columns = image.layers.map((item) => item.entries);
	const copy = () => {
		const stored = tree.toStored();
		return {
			...stored,
			parents: stored.parents.slice(),
			nextSibling: stored.nextSibling.slice(),
			firstChild: stored.firstChild.slice(),
			previousVersion: stored.previousVersion.slice(),
			versionRow: stored.versionRow.slice(),
		};
	};

	assert.deepEqual(
		describe(PathTree.fromStored(columns, copy())),
		describe(tree),
		'an untouched copy restores',
	);

	const loop = copy();
	// A sibling link back to an earlier node would make the walk go round for ever.
	const withSibling = loop.nextSibling.findIndex((sibling) => sibling !== -1);
	loop.nextSibling[loop.nextSibling[withSibling]!] = withSibling;
	assert.throws(() => PathTree.fromStored(columns, loop), StoredTreeError);

	const parentAfterChild = copy();
	parentAfterChild.parents[1] = 5;
	assert.throws(() => PathTree.fromStored(columns, parentAfterChild), StoredTreeError);

	const versionCycle = copy();
	versionCycle.previousVersion[0] = versionCycle.previousVersion.length - 1;
	assert.throws(() => PathTree.fromStored(columns, versionCycle), StoredTreeError);

	const missingEntry = copy();
	missingEntry.versionRow[0] = 10_000;
	assert.throws(() => PathTree.fromStored(columns, missingEntry), StoredTreeError);
});
