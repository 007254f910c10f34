import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {
	FinalFileColumns,
	fileBytesAt,
	filesWhere,
	fileViewAt,
	fileViews,
	layerAt,
	pathAt,
	someFile,
	typeAt,
} from '../../source/analysis/final-file-list.js';
import {buildRuleInput, filesByPath} from '../../source/analysis/rule-input.js';
import type {ImageAnalysis} from '../../source/analysis/types.js';
import type {ExecInfo} from '../../source/image/types.js';
import {contentHash, dir, file, layer, rawImage, symlink, whiteout} from '../helpers/raw-image-builder.js';

/** The content hash of the version of `path` visible in the final filesystem. */
function finalHash(analysis: ImageAnalysis, path: string): string | undefined {
	const {tree} = analysis;
	const node = tree.find(path);
	const visible = node === undefined ? undefined : tree.finalVersion(node);
	return visible === undefined ? undefined : tree.hash(visible);
}

test('the rules see the final non-directory files, each from the layer whose version is visible', () => {
	const raw = rawImage([
		layer([dir('app'), file('app/a.js', 10, 'ha'), file('app/tmp.log', 5), symlink('app/link', 'a.js')]),
		layer([file('app/a.js', 12, 'hb', {mode: 0o755, uid: 1000, gid: 1000}), whiteout('app/tmp.log')]),
	]);
	const analysis = analyzeImage(raw);
	const input = buildRuleInput(analysis, raw);
	assert.deepEqual(
		[...input.files],
		[
			{path: 'app/a.js', type: 'file', size: 12, mode: 0o755, uid: 1000, gid: 1000, layer: 1},
			{path: 'app/link', type: 'symlink', size: 0, mode: 0o777, uid: 0, gid: 0, linkTarget: 'a.js', layer: 0},
		],
	);
	// Final files carry no hash: the visible version's content hash is read from the tree.
	assert.equal(finalHash(analysis, 'app/a.js'), contentHash('hb'));
	assert.equal(input.layers.length, 2);
	assert.equal(input.history.length, 2);
	assert.deepEqual(input.config, raw.config);
	assert.equal(input.waste.reclaimableBytes, 15);
});

test('the final files as columns: each position read alone, walked, and out of range, as an array of them would be', () => {
	const raw = rawImage([
		layer([dir('usr'), file('usr/a', 1, 'a1'), file('usr/b', 2, 'b1'), symlink('usr/c', 'a')]),
		layer([file('usr/b', 3, 'b2', {uid: 7}), whiteout('usr/a'), file('usr/d', 4, 'd2')]),
	]);
	const files = buildRuleInput(analyzeImage(raw), raw).files;
	assert.ok(files instanceof FinalFileColumns);
	const walked = [...files];
	assert.deepEqual(
		walked.map((entry) => [entry.path, entry.size, entry.uid, entry.layer]),
		[
			['usr/b', 3, 7, 1],
			['usr/c', 0, 0, 0],
			['usr/d', 4, 0, 1],
		],
	);
	assert.equal(files.length, walked.length);
	for (let position = 0; position < files.length; position++) {
		assert.deepEqual(files.at(position), walked[position]);
		assert.equal(files.path(position), walked[position]!.path);
		assert.equal(pathAt(files, position), pathAt(walked, position));
		assert.equal(typeAt(files, position), walked[position]!.type);
		assert.equal(fileBytesAt(files, position), fileBytesAt(walked, position));
		// The view a test over every file sees reads each field as the whole file has it.
		const view = fileViewAt(files, position);
		const whole = walked[position]!;
		for (const field of [
			'path',
			'type',
			'size',
			'mode',
			'uid',
			'gid',
			'layer',
			'linkTarget',
			'exec',
		] as const) {
			assert.deepEqual(view[field], whole[field], `${whole.path} ${field}`);
		}

		assert.equal(layerAt(files, position), whole.layer);
	}

	assert.deepEqual(
		[...fileViews(files)].map((view) => view.path),
		walked.map((entry) => entry.path),
	);
	// What a test keeps is the whole file, and only what passed it.
	assert.deepEqual(
		filesWhere(files, (view) => view.uid === 7 || view.type === 'symlink'),
		[walked[0], walked[1]],
	);
	assert.equal(
		someFile(files, (view) => view.linkTarget === 'a'),
		true,
	);
	assert.equal(
		someFile(files, (view) => view.path === 'usr/a'),
		false,
	);

	assert.deepEqual(
		walked.map((_, position) => fileBytesAt(files, position)),
		[3, 0, 4],
		'a symlink has no bytes of its own',
	);
	assert.equal(files.at(-1), undefined);
	assert.equal(files.at(files.length), undefined);
	// A second walk gives equal files, made anew (a reader keeps only what it holds).
	assert.deepEqual([...files], walked);
	assert.notEqual(files.at(0), files.at(0));
	assert.equal(filesByPath({files}).get('usr/d')?.size, 4);
	assert.equal(filesByPath({files}).get('usr/a'), undefined);
});

test('evidence text comes only from the layer whose version survives', () => {
	const raw = rawImage([
		layer(
			[
				file('app/package.json', 30, 'p1'),
				file('etc/os-release', 20, 'o1'),
				file('app/package-lock.json', 9),
			],
			[
				{path: 'app/package.json', text: '{"v":1}', truncated: false},
				{path: 'etc/os-release', text: 'ID=debian', truncated: false},
				{path: 'app/package-lock.json', text: '{"lock":1}', truncated: false},
			],
		),
		layer(
			// package.json rewritten and captured again; the lockfile rewritten but not captured this time.
			[file('app/package.json', 31, 'p2'), whiteout('etc/os-release'), file('app/package-lock.json', 11)],
			[{path: 'app/package.json', text: '{"v":2}', truncated: false}],
		),
	]);
	const input = buildRuleInput(analyzeImage(raw), raw);
	assert.deepEqual([...input.evidence], [['app/package.json', '{"v":2}']]);
});

test('what a file needs to run reaches the rules from the version that is visible', () => {
	const elf: ExecInfo = {kind: 'elf', bits: 64, machine: 62, type: 'dyn', needed: ['libc.so.6'], runpath: []};
	const script: ExecInfo = {kind: 'script', interpreter: '/usr/bin/env', argument: 'python3'};
	const raw = rawImage([
		layer([file('usr/bin/tool', 10, 'h1', {exec: elf}), file('app/run', 3, 'h2', {exec: script})]),
		// tool replaced by a file that is no longer ELF: its old exec must not survive.
		layer([file('usr/bin/tool', 11, 'h3'), file('usr/lib/libx.so', 4, 'h4', {exec: elf})]),
	]);
	const analysis = analyzeImage(raw);
	const files = new Map([...buildRuleInput(analysis, raw).files].map((entry) => [entry.path, entry]));
	assert.equal(files.get('usr/bin/tool')?.exec, undefined);
	assert.deepEqual(files.get('app/run'), {
		path: 'app/run',
		type: 'file',
		size: 3,
		mode: 0o644,
		uid: 0,
		gid: 0,
		exec: script,
		layer: 0,
	});
	assert.equal(finalHash(analysis, 'app/run'), contentHash('h2'));
	assert.deepEqual(files.get('usr/lib/libx.so')?.exec, elf);
});

test("the files by path give each path's position, the later file when a path is listed twice", () => {
	const entry = (path: string, layer: number) => ({
		path,
		type: 'file' as const,
		size: 1,
		mode: 0o644,
		uid: 0,
		gid: 0,
		layer,
	});
	const once = filesByPath({files: [entry('a', 0), entry('b', 1)]});
	assert.equal(once.unique, true);
	assert.equal(once.positionOf('b'), 1);
	assert.equal(once.positionOf('c'), -1);
	const twice = filesByPath({files: [entry('a', 0), entry('b', 1), entry('a', 2)]});
	assert.equal(twice.unique, false);
	assert.equal(twice.positionOf('a'), 2);
	assert.equal(twice.get('a')?.layer, 2);
});

test('the files by path over columns answer as a table over the same files does, through the tree', () => {
	const raw = rawImage([
		layer([dir('usr'), file('usr/a', 1, 'a1'), file('usr/b', 2, 'b1'), symlink('usr/c', 'a'), dir('usr/e')]),
		layer([file('usr/b', 3, 'b2'), whiteout('usr/a'), file('usr/d', 4, 'd2'), file('usr/e/f', 5, 'f')]),
	]);
	const files = buildRuleInput(analyzeImage(raw), raw).files;
	assert.ok(files instanceof FinalFileColumns);
	const overColumns = filesByPath({files});
	const overArray = filesByPath({files: [...files]});
	assert.equal(overColumns.unique, true);
	// The whited-out file, a directory, the root and a path never seen are not final files.
	for (const path of ['usr/a', 'usr/b', 'usr/c', 'usr/d', 'usr/e', 'usr/e/f', 'usr', '', 'nope', 'usr/b/']) {
		assert.equal(overColumns.positionOf(path), overArray.positionOf(path), path);
		assert.equal(overColumns.has(path), overArray.has(path), path);
		assert.deepEqual(overColumns.get(path), overArray.get(path), path);
	}

	assert.equal(overColumns.positionOf('usr/a'), -1);
	assert.equal(overColumns.get('usr/e/f')?.size, 5);
});
