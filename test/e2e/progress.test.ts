import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createDaemonSource} from '../../source/image/sources/daemon/daemon-source.js';
import type {LoadProgress} from '../../source/image/types.js';
import {progressText} from '../../source/run/progress-line.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';

// The progress line never compares the export stream's tar bytes with the daemon's file-byte Size.

const availability = await dockerAvailability({images: [fixtureImages.naive]});

test('progress from the real daemon: no total in another unit, the layer count from inspect', {
	skip: dockerSkip(availability),
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	const seen: LoadProgress[] = [];
	const raw = await createDaemonSource(fixtureImages.naive).load({
		onProgress: (progress) => seen.push(progress),
	});
	assert.ok(seen.length > 0);
	for (const progress of seen) {
		assert.ok(
			progress.bytesTotal === undefined || progress.bytesTotal >= progress.bytesRead,
			`"${progressText(progress, 0)}" compares ${progress.bytesRead} read with a total of ${progress.bytesTotal}`,
		);
		assert.equal(progress.layersTotal, raw.layers.length);
		assert.doesNotMatch(progressText(progress, 0), / of /);
	}

	const last = seen.at(-1)!;
	assert.equal(last.layersDone, raw.layers.length);
	assert.ok(last.bytesRead > 300e6, 'the naive image streams hundreds of MB');
});

test('the progress text drops a total that the bytes read have passed', () => {
	assert.equal(
		progressText({bytesRead: 363e6, bytesTotal: 349e6, layersDone: 3, layersTotal: 8}, 1.2),
		'reading 363 MB, layers 3/8, 1.2s',
	);
	assert.equal(
		progressText({bytesRead: 100e6, bytesTotal: 349e6, layersDone: 1}, 2),
		'reading 100 MB of 349 MB, layers 1, 2.0s',
	);
});
