import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import type {ImageAnalysis} from '../../source/analysis/types.js';
import type {NodeId} from '../../source/engine/index.js';
import type {TarEntry} from '../../source/image/types.js';
import {
	contentHash,
	dir,
	file,
	hardlink,
	layer,
	opaque,
	rawImage,
	symlink,
	whiteout,
} from '../helpers/raw-image-builder.js';
import {layerNodePaths, type NodeSnapshot, nodeSnapshot, versionSnapshot} from '../helpers/tree-snapshot.js';

function analyze(...layers: TarEntry[][]): ImageAnalysis {
	return analyzeImage(rawImage(layers.map((entries) => layer(entries))));
}

function nodeId(analysis: ImageAnalysis, path: string): NodeId {
	const found = analysis.tree.find(path);
	assert.ok(found !== undefined, `no node for ${path}`);
	return found;
}

function node(analysis: ImageAnalysis, path: string): NodeSnapshot {
	return nodeSnapshot(analysis.tree, nodeId(analysis, path));
}

/** The version of `path` visible in the filesystem stacked from layers 0..layer, as an object. */
function versionAt(analysis: ImageAnalysis, path: string, layer: number) {
	return versionSnapshot(analysis.tree, analysis.tree.versionAt(nodeId(analysis, path), layer));
}

function finalVersion(analysis: ImageAnalysis, path: string) {
	return versionSnapshot(analysis.tree, analysis.tree.finalVersion(nodeId(analysis, path)));
}

function layerNodes(analysis: ImageAnalysis, layer: number): string[] {
	return layerNodePaths(analysis.tree, layer);
}

/** [layer, kind, hiddenBy, hideCause] per version: the whole history of a path in one line. */
function history(analysis: ImageAnalysis, path: string) {
	return node(analysis, path).versions.map((version) => [
		version.layer,
		version.kind,
		version.hiddenBy,
		version.hideCause,
	]);
}

function counts(analysis: ImageAnalysis) {
	return analysis.layers.map((item) => [item.added, item.modified, item.removed]);
}

test('a file whiteout deletes the file from the layers below', () => {
	const analysis = analyze([dir('a'), file('a/x', 100), file('a/y', 50)], [whiteout('a/x')]);
	assert.deepEqual(history(analysis, 'a/x'), [[0, 'added', 1, 'deleted']]);
	assert.deepEqual(node(analysis, 'a/x').removedIn, [1]);
	assert.deepEqual(counts(analysis), [
		[2, 0, 0],
		[0, 0, 1],
	]);
	assert.equal(analysis.layers[1]!.fileCount, 0);
	assert.equal(analysis.layers[1]!.sizeBytes, 0);
	assert.deepEqual(layerNodes(analysis, 1), ['a/x']);
	assert.equal(analysis.image.finalSizeBytes, 50);
	assert.equal(analysis.waste.reclaimableBytes, 100);
	assert.deepEqual(analysis.waste.items, [
		{path: 'a/x', bytes: 100, cause: 'deleted', addedInLayer: 0, hiddenInLayer: 1, sameContent: false},
	]);
	assert.equal(analysis.layers[0]!.wasteIntroducedBytes, 100);
	assert.equal(analysis.layers[1]!.wasteHiddenBytes, 100);
	assert.equal(versionAt(analysis, 'a/x', 0)?.entry.size, 100);
	assert.equal(versionAt(analysis, 'a/x', 1), undefined);
});

test('a directory whiteout counts every byte below it', () => {
	const analysis = analyze(
		[dir('a'), dir('a/b'), file('a/b/c', 300), file('a/d', 200), symlink('a/l', 'd')],
		[whiteout('a')],
	);
	assert.deepEqual(history(analysis, 'a'), [[0, 'added', 1, 'deleted']]);
	assert.deepEqual(history(analysis, 'a/b'), [[0, 'added', 1, 'directory-deleted']]);
	assert.deepEqual(history(analysis, 'a/b/c'), [[0, 'added', 1, 'directory-deleted']]);
	assert.deepEqual(history(analysis, 'a/l'), [[0, 'added', 1, 'directory-deleted']]);
	for (const path of ['a', 'a/b', 'a/b/c', 'a/d', 'a/l']) {
		assert.deepEqual(node(analysis, path).removedIn, [1], path);
	}

	// a/b/c, a/d and a/l: the directories themselves are not counted.
	assert.deepEqual(counts(analysis)[1], [0, 0, 3]);
	assert.equal(analysis.waste.reclaimableBytes, 500);
	assert.deepEqual(
		analysis.waste.items.map((item) => [item.path, item.bytes, item.cause]),
		[
			['a/b/c', 300, 'directory-deleted'],
			['a/d', 200, 'directory-deleted'],
		],
	);
	assert.equal(analysis.layers[1]!.wasteHiddenBytes, 500);
	assert.equal(analysis.image.finalSizeBytes, 0);
});

test('an opaque directory hides the lower contents but not its own layer, in any tar order', () => {
	const analysis = analyze(
		[dir('a'), file('a/old', 100), file('a/keep', 40, 'hk')],
		// The new file comes before the marker in the tar: markers still only apply to the layers below.
		[dir('a'), file('a/new', 10), opaque('a'), file('a/keep', 40, 'hk')],
	);
	assert.deepEqual(history(analysis, 'a/old'), [[0, 'added', 1, 'opaque-directory']]);
	assert.deepEqual(node(analysis, 'a/old').removedIn, [1]);
	// Written again by the same layer: a replacement with identical content, not a removal.
	assert.deepEqual(history(analysis, 'a/keep'), [
		[0, 'added', 1, 'overwritten'],
		[1, 'unchanged', -1, undefined],
	]);
	assert.deepEqual(node(analysis, 'a/keep').removedIn, []);
	assert.deepEqual(history(analysis, 'a/new'), [[1, 'added', -1, undefined]]);
	assert.deepEqual(history(analysis, 'a'), [
		[0, 'added', 1, 'overwritten'],
		[1, 'unchanged', -1, undefined],
	]);
	assert.deepEqual(counts(analysis)[1], [1, 0, 1]);
	assert.equal(analysis.waste.reclaimableBytes, 140);
	assert.equal(analysis.waste.sameContentBytes, 40);
	assert.deepEqual(
		analysis.waste.items.map((item) => [item.path, item.bytes, item.cause, item.sameContent]),
		[
			['a/old', 100, 'opaque-directory', false],
			['a/keep', 40, 'overwritten', true],
		],
	);
	assert.equal(analysis.image.finalSizeBytes, 50);
	assert.equal(analysis.layers[1]!.fileCount, 2);
	assert.equal(analysis.layers[1]!.sizeBytes, 50);
});

test('overwriting with a bigger and then a smaller file wastes both earlier copies', () => {
	const analysis = analyze([file('f', 100, 'hA')], [file('f', 300, 'hB')], [file('f', 50, 'hC')]);
	assert.deepEqual(history(analysis, 'f'), [
		[0, 'added', 1, 'overwritten'],
		[1, 'modified', 2, 'overwritten'],
		[2, 'modified', -1, undefined],
	]);
	assert.deepEqual(counts(analysis), [
		[1, 0, 0],
		[0, 1, 0],
		[0, 1, 0],
	]);
	assert.equal(analysis.waste.reclaimableBytes, 400);
	assert.equal(analysis.waste.sameContentBytes, 0);
	assert.deepEqual(
		analysis.waste.items.map((item) => [item.bytes, item.addedInLayer, item.hiddenInLayer]),
		[
			[300, 1, 2],
			[100, 0, 1],
		],
	);
	assert.deepEqual(
		analysis.layers.map((item) => [item.wasteIntroducedBytes, item.wasteHiddenBytes]),
		[
			[100, 0],
			[300, 100],
			[0, 300],
		],
	);
	assert.equal(analysis.image.sizeBytes, 450);
	assert.equal(analysis.image.finalSizeBytes, 50);
});

test('a chmod copy-up is modified, and its waste is same-content', () => {
	const analysis = analyze(
		[dir('bin'), file('bin/tool', 1000, 'hT', {mode: 0o644})],
		[dir('bin'), file('bin/tool', 1000, 'hT', {mode: 0o755})],
	);
	assert.deepEqual(history(analysis, 'bin/tool'), [
		[0, 'added', 1, 'overwritten'],
		[1, 'modified', -1, undefined],
	]);
	assert.deepEqual(counts(analysis)[1], [0, 1, 0]);
	assert.equal(analysis.waste.reclaimableBytes, 1000);
	assert.equal(analysis.waste.sameContentBytes, 1000);
	assert.equal(analysis.waste.items[0]!.sameContent, true);
});

test('a rewrite that changes only the mtime is unchanged and counted neither added nor modified', () => {
	const analysis = analyze(
		[file('etc/motd', 20, 'hm', {mtime: 1})],
		[file('etc/motd', 20, 'hm', {mtime: 2})],
	);
	assert.deepEqual(history(analysis, 'etc/motd'), [
		[0, 'added', 1, 'overwritten'],
		[1, 'unchanged', -1, undefined],
	]);
	assert.deepEqual(counts(analysis)[1], [0, 0, 0]);
	assert.equal(analysis.waste.sameContentBytes, 20);
	assert.deepEqual(layerNodes(analysis, 1), ['etc/motd']);
});

test('hard links count 0 bytes and are not duplicates of their target', () => {
	const analysis = analyze([
		dir('usr'),
		file('usr/a', 500, 'hX'),
		hardlink('usr/b', 'usr/a'),
		file('usr/c', 500, 'hX'),
	]);
	assert.equal(analysis.layers[0]!.sizeBytes, 1000);
	assert.equal(analysis.layers[0]!.fileCount, 3);
	assert.deepEqual(counts(analysis)[0], [3, 0, 0]);
	assert.equal(analysis.image.finalSizeBytes, 1000);
	assert.equal(analysis.waste.duplicateBytes, 500);
	assert.deepEqual(analysis.waste.duplicates, [
		{hash: contentHash('hX'), sizeBytes: 500, paths: ['usr/a', 'usr/c'], duplicateBytes: 500},
	]);
	assert.equal(finalVersion(analysis, 'usr/b')?.entry.linkTarget, 'usr/a');
});

test('a retargeted symlink is modified (dive shows it unmodified); the same target is unchanged', () => {
	const analysis = analyze(
		[symlink('lib', 'usr/lib'), symlink('bin', 'usr/bin')],
		[symlink('lib', 'usr/lib64'), symlink('bin', 'usr/bin')],
	);
	assert.deepEqual(history(analysis, 'lib'), [
		[0, 'added', 1, 'overwritten'],
		[1, 'modified', -1, undefined],
	]);
	assert.equal(node(analysis, 'bin').versions[1]!.kind, 'unchanged');
	assert.deepEqual(counts(analysis)[1], [0, 1, 0]);
	assert.equal(analysis.waste.reclaimableBytes, 0);
	assert.deepEqual(analysis.waste.items, []);
});

test('a directory replaced by a file hides everything below it, and a file replaced by a directory again', () => {
	const analysis = analyze(
		[dir('a'), file('a/x', 70), dir('a/s'), file('a/s/y', 30)],
		[file('a', 5, 'h5')],
		[dir('a'), file('a/z', 1)],
	);
	assert.deepEqual(history(analysis, 'a'), [
		[0, 'added', 1, 'overwritten'],
		[1, 'modified', 2, 'overwritten'],
		[2, 'modified', -1, undefined],
	]);
	assert.deepEqual(history(analysis, 'a/x'), [[0, 'added', 1, 'parent-replaced']]);
	assert.deepEqual(history(analysis, 'a/s'), [[0, 'added', 1, 'parent-replaced']]);
	assert.deepEqual(history(analysis, 'a/s/y'), [[0, 'added', 1, 'parent-replaced']]);
	assert.deepEqual(node(analysis, 'a/s/y').removedIn, [1]);
	// Layer 1: `a` is now a file (modified), a/x and a/s/y are gone. Layer 2: a/z is new, the file `a` is gone.
	assert.deepEqual(counts(analysis), [
		[2, 0, 0],
		[0, 1, 2],
		[1, 0, 1],
	]);
	assert.equal(analysis.waste.reclaimableBytes, 105);
	assert.deepEqual(
		analysis.waste.items.map((item) => [item.path, item.bytes, item.cause, item.hiddenInLayer]),
		[
			['a/x', 70, 'parent-replaced', 1],
			['a/s/y', 30, 'parent-replaced', 1],
			['a', 5, 'overwritten', 2],
		],
	);
	// Nothing below the old directory comes back with the new one.
	assert.equal(versionAt(analysis, 'a/x', 2), undefined);
	assert.equal(analysis.image.finalSizeBytes, 1);
});

test('a file where a later layer writes a path below it is replaced by an implicit directory', () => {
	const analysis = analyze([file('p', 10)], [file('p/q', 3)]);
	assert.deepEqual(history(analysis, 'p'), [[0, 'added', 1, 'overwritten']]);
	assert.deepEqual(counts(analysis)[1], [1, 0, 1]);
	assert.equal(analysis.waste.reclaimableBytes, 10);
	assert.equal(analysis.image.finalSizeBytes, 3);
});

test('parents that have no tar header are created without versions', () => {
	const analysis = analyze([file('usr/local/bin/x', 10)]);
	assert.deepEqual(node(analysis, 'usr').versions, []);
	assert.deepEqual(node(analysis, 'usr/local/bin').versions, []);
	assert.equal(node(analysis, 'usr/local/bin/x').parent, 'usr/local/bin');
	assert.deepEqual(layerNodes(analysis, 0), ['usr/local/bin/x']);
});

test('a whiteout for a path that never existed is a no-op', () => {
	const analysis = analyze([file('a', 10)], [whiteout('ghost'), whiteout('a/b'), opaque('nowhere')]);
	assert.equal(analysis.tree.find('ghost'), undefined);
	assert.equal(analysis.tree.find('a/b'), undefined);
	assert.deepEqual(counts(analysis)[1], [0, 0, 0]);
	assert.deepEqual(layerNodes(analysis, 1), []);
	assert.deepEqual(history(analysis, 'a'), [[0, 'added', -1, undefined]]);
	assert.equal(analysis.waste.reclaimableBytes, 0);
});

test('a path deleted and added again later is added, and the deletion stays recorded', () => {
	const analysis = analyze([file('x', 8, 'h8')], [whiteout('x')], [file('x', 8, 'h8')]);
	assert.deepEqual(history(analysis, 'x'), [
		[0, 'added', 1, 'deleted'],
		[2, 'added', -1, undefined],
	]);
	assert.deepEqual(node(analysis, 'x').removedIn, [1]);
	assert.deepEqual(counts(analysis), [
		[1, 0, 0],
		[0, 0, 1],
		[1, 0, 0],
	]);
	// Hidden by a deletion, so not "same content" even though layer 2 writes the same bytes.
	assert.equal(analysis.waste.sameContentBytes, 0);
	assert.equal(versionAt(analysis, 'x', 1), undefined);
	assert.equal(versionAt(analysis, 'x', 2)?.layer, 2);
});
