import assert from 'node:assert/strict';
import {test} from 'node:test';
import {addSample, layerOfEntry, rateOf, readPicture, secondsLeft} from '../../source/image/read-progress.js';
import {layerMakingEntries, previewFromDaemon} from '../../source/image/sources/daemon/daemon-preview.js';
import type {ImagePreview} from '../../source/image/types.js';
import {formatDuration} from '../../source/ui/read-status.js';

const hex = (digit: string) => digit.repeat(64);

const preview: ImagePreview = {
	id: `sha256:${hex('9')}`,
	os: 'linux',
	architecture: 'amd64',
	repoTags: [],
	config: {env: [], exposedPorts: [], labels: {}, volumes: []},
	history: [],
	layers: [
		{diffId: `sha256:${hex('a')}`, expectedBytes: 100_000_000},
		{diffId: `sha256:${hex('b')}`, expectedBytes: 50_000_000},
		{diffId: `sha256:${hex('c')}`, expectedBytes: 0},
	],
};

test('an entry named by its digest is its layer, whatever its size', () => {
	const none = [false, false, false];
	assert.equal(layerOfEntry(preview, `blobs/sha256/${hex('b')}`, 1, none), 1);
	assert.equal(layerOfEntry(preview, `${hex('c')}.tar`, 99, none), 2);
});

test('an entry named otherwise is the unread layer it is closest above; none when it fits none or two', () => {
	const none = [false, false, false];
	// docker save 20.10 names layers by a v1 ID: their tar sizes are the files plus headers.
	assert.equal(layerOfEntry(preview, `${hex('0')}/layer.tar`, 103_000_000, none), 0);
	assert.equal(layerOfEntry(preview, `${hex('0')}/layer.tar`, 51_000_000, none), 1);
	assert.equal(layerOfEntry(preview, `${hex('0')}/layer.tar`, 2048, none), 2);
	assert.equal(layerOfEntry(preview, `${hex('0')}/layer.tar`, 51_000_000, [false, true, false]), undefined);
	assert.equal(
		layerOfEntry(preview, `${hex('0')}/layer.tar`, 40_000_000, none),
		undefined,
		'smaller than any',
	);
	const twins: ImagePreview = {
		...preview,
		layers: [
			{diffId: `sha256:${hex('a')}`, expectedBytes: 0},
			{diffId: `sha256:${hex('b')}`, expectedBytes: 0},
		],
	};
	assert.equal(layerOfEntry(twins, `${hex('0')}/layer.tar`, 1024, [false, false]), undefined);
});

test('the picture: read layers by diff ID, the one being read and how far, the share of the expected bytes', () => {
	const picture = readPicture(preview, {
		bytesRead: 130_000_000,
		layersDone: 1,
		layersRead: [{name: `${hex('1')}/layer.tar`, diffId: `sha256:${hex('a')}`, entries: 1234}],
		reading: {name: `blobs/sha256/${hex('b')}`, sizeBytes: 52_000_000, bytesRead: 26_000_000},
	});
	assert.deepEqual(picture.states, ['read', 'reading', 'waiting']);
	assert.equal(picture.readingIndex, 1);
	assert.deepEqual(picture.entries, [1234, undefined, undefined]);
	assert.equal(picture.expectedBytes, 150_000_000);
	assert.equal(picture.fraction, 125_000_000 / 150_000_000);
	assert.deepEqual(readPicture(undefined, {bytesRead: 5, layersDone: 0}), {states: [], entries: []});
});

test('without layer sizes the image size is the expectation, never reached before the read says so', () => {
	const bare: ImagePreview = {
		...preview,
		layers: preview.layers.map(({diffId}) => ({diffId})),
		sizeBytes: 1000,
	};
	const picture = readPicture(bare, {bytesRead: 5000, layersDone: 0});
	assert.equal(picture.expectedBytes, 1000);
	assert.equal(picture.fraction, 0.99);
	assert.deepEqual(picture.states, ['waiting', 'waiting', 'waiting']);
});

test('rate over the last seconds, time left from the share still to read', () => {
	let samples = addSample([], {atMs: 0, bytes: 0});
	assert.equal(rateOf(samples), undefined);
	samples = addSample(samples, {atMs: 1000, bytes: 10_000_000});
	samples = addSample(samples, {atMs: 2000, bytes: 20_000_000});
	assert.equal(rateOf(samples), 10_000_000);
	// Old samples fall out of the window: the rate follows a change.
	for (let second = 3; second <= 12; second++)
		samples = addSample(samples, {atMs: second * 1000, bytes: 20_000_000 + (second - 2) * 1_000_000});
	assert.ok(Math.abs(rateOf(samples)! - 1_000_000) < 1, String(rateOf(samples)));
	// A second read (a diff's other image) starts its own rate.
	assert.deepEqual(addSample(samples, {atMs: 13_000, bytes: 5}), [{atMs: 13_000, bytes: 5}]);
	// Reset to nothing, the next read's wait for its first byte is no part of its rate.
	let next = addSample(samples, {atMs: 13_000, bytes: 0});
	assert.deepEqual(next, []);
	next = addSample(next, {atMs: 16_500, bytes: 3_900});
	assert.equal(rateOf(next), undefined, 'one sample after the wait: no rate yet (it was 1.1 kB/s)');
	next = addSample(next, {atMs: 17_500, bytes: 50_003_900});
	assert.equal(rateOf(next), 50_000_000);
	assert.equal(secondsLeft({states: [], entries: [], fraction: 0.5, expectedBytes: 100}, 10), 5);
	assert.equal(secondsLeft({states: [], entries: []}, 10), undefined);
});

test('which history entries made a layer: bytes, then RUN/COPY/ADD, then WORKDIR; unsure is none', () => {
	const classic = [
		{Size: 116_668_337, CreatedBy: ''},
		{Size: 98_932_688, CreatedBy: '/bin/sh -c #(nop) COPY file:3a55 in /usr/local/bin/node'},
		{Size: 0, CreatedBy: '/bin/sh -c #(nop)  CMD ["node"]'},
		{Size: 0, CreatedBy: '/bin/sh -c #(nop) WORKDIR /app'},
		{Size: 0, CreatedBy: '/bin/sh -c true'},
	];
	assert.deepEqual(layerMakingEntries(classic, 3), [true, true, false, false, true]);
	assert.deepEqual(layerMakingEntries(classic, 4), [true, true, false, true, true]);
	assert.equal(layerMakingEntries(classic, 6), undefined);
	assert.equal(layerMakingEntries(classic, 1), undefined);
	const buildkit = [
		{Size: 5_000_000, CreatedBy: 'ADD rootfs.tar / # buildkit'},
		{Size: 0, CreatedBy: 'ENV A=1'},
		{Size: 0, CreatedBy: 'RUN |1 X=2 /bin/sh -c true # buildkit'},
	];
	assert.deepEqual(layerMakingEntries(buildkit, 2), [true, false, true]);
});

test('the daemon preview: history oldest first, each layer its size, the config from inspect', () => {
	const made = previewFromDaemon(
		{
			Id: `sha256:${hex('9')}`,
			RepoTags: ['app:1'],
			Os: 'linux',
			Architecture: 'arm64',
			Config: {Env: ['A=1'], Cmd: ['run'], ExposedPorts: {'80/tcp': {}}},
			RootFS: {Layers: [`sha256:${hex('a')}`, `sha256:${hex('b')}`]},
		},
		[
			{Created: 1_700_000_100, CreatedBy: '/bin/sh -c #(nop)  CMD ["run"]', Size: 0},
			{Created: 1_700_000_050, CreatedBy: '/bin/sh -c make', Size: 2000},
			{Created: 1_700_000_000, CreatedBy: '', Size: 1000, Comment: 'base'},
		],
	);
	assert.deepEqual(
		made.layers.map((layer) => layer.expectedBytes),
		[1000, 2000],
	);
	assert.deepEqual(
		made.history?.map((record) => [record.createdBy, record.emptyLayer]),
		[
			[undefined, false],
			['/bin/sh -c make', false],
			['/bin/sh -c #(nop)  CMD ["run"]', true],
		],
	);
	assert.equal(made.history?.[0]?.created, new Date(1_700_000_000_000).toISOString());
	assert.deepEqual(made.config.cmd, ['run']);
	assert.deepEqual(made.config.exposedPorts, ['80/tcp']);
	assert.equal(made.architecture, 'arm64');
	const unsure = previewFromDaemon({Id: 'x', RootFS: {Layers: [`sha256:${hex('a')}`]}}, []);
	assert.equal(unsure.history, undefined);
	assert.equal(unsure.layers[0]?.expectedBytes, undefined);
});

test('time left reads in seconds, minutes, then hours', () => {
	assert.equal(formatDuration(0.2), '1 s');
	assert.equal(formatDuration(59), '59 s');
	assert.equal(formatDuration(61), '1 min 01 s');
	assert.equal(formatDuration(3599), '59 min 59 s');
	assert.equal(formatDuration(59.6), '1 min 00 s');
	assert.equal(formatDuration(3599.7), '1 h 00 min');
	assert.equal(formatDuration(5857 * 60 + 7), '97 h 37 min');
});
