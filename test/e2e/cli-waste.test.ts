import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {JsonReport} from '../../source/report/json.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {runCliJson} from '../helpers/run-cli.js';

// `layerlens layerlens-fixture/waste --json` against the table in test/fixtures/images/waste/Dockerfile.
// Layer 0 is busybox-base, whose size is the host's busybox: every figure that includes it is written as
// B + the hand-counted part, with B read from the report.

const availability = await dockerAvailability({images: [fixtureImages.waste]});
const skip = dockerSkip(availability);

let cached: JsonReport | undefined;
async function wasteReport(): Promise<JsonReport> {
	cached ??= await runCliJson<JsonReport>([fixtureImages.waste, '--json']);
	return cached;
}

test('waste fixture: per-layer bytes, file counts and changes are the Dockerfile table', {skip}, async () => {
	assertDockerAvailable(availability);
	const report = await wasteReport();
	assert.equal(report.image.layerCount, 8);
	const user = report.layers.slice(1);
	assert.deepEqual(
		user.map((layer) => layer.sizeBytes),
		[395555, 0, 0, 5000, 93000, 70000, 0],
	);
	// Non-directory entries: L1 has 11 regular files, twin.bin (hard link) and link (symlink) = 14 with
	// deleted-later, a, b, old, grows, shrinks, chmod-me, rewritten-same, original, setuid, ünïcødé, long-name.
	assert.deepEqual(
		user.map((layer) => layer.fileCount),
		[14, 0, 0, 1, 3, 1, 1],
	);
	// [added, modified, removed]. L3's directory whiteout removes the two files under dir-deleted; L4's opaque
	// marker removes old.bin and adds new.bin; L5 rewrites rewritten-same.bin with identical bytes and mode, so
	// only grows and shrinks are modified; L6's chmod and L7's retargeted symlink are modifications.
	assert.deepEqual(
		user.map((layer) => [layer.added, layer.modified, layer.removed]),
		[
			[14, 0, 0],
			[0, 0, 1],
			[0, 0, 2],
			[1, 0, 1],
			[0, 2, 0],
			[0, 1, 0],
			[0, 1, 0],
		],
	);
	assert.deepEqual(
		user.map((layer) => layer.wasteHiddenBytes),
		[0, 100000, 50000, 40000, 113000, 70000, 0],
	);
	assert.deepEqual(
		user.map((layer) => layer.wasteIntroducedBytes),
		[373000, 0, 0, 0, 0, 0, 0],
	);
	// Layer 0 was imported (no Dockerfile step); the seven others are the RUN lines in order.
	assert.deepEqual(
		user.map((layer) => layer.instruction.split(' ')[0]),
		['RUN', 'RUN', 'RUN', 'RUN', 'RUN', 'RUN', 'RUN'],
	);
	assert.equal(user[1]!.instruction, 'RUN rm /data/deleted-later.bin');
	assert.equal(user[5]!.instruction, 'RUN chmod 600 /data/chmod-me.bin');
});

test('waste fixture: image totals count the hard link once and every hidden byte once', {skip}, async () => {
	assertDockerAvailable(availability);
	const report = await wasteReport();
	const base = report.layers[0]!.sizeBytes;
	assert.ok(base > 0, 'busybox-base has bytes');
	// 563555 counts keep/original.bin's 8000 bytes once: twin.bin is a 0-byte link entry to it.
	assert.equal(report.image.sizeBytes, base + 563555);
	assert.equal(report.image.finalSizeBytes, base + 190555);
	assert.equal(report.waste.reclaimableBytes, 373000);
	assert.equal(report.image.sizeBytes - report.image.finalSizeBytes, report.waste.reclaimableBytes);
	// chmod-me (copy-up, 70000) and rewritten-same (3000) were stored again with the same bytes.
	assert.equal(report.waste.sameContentBytes, 73000);
	// original.bin and twin.bin are one inode, not duplicate content.
	assert.equal(report.waste.duplicateBytes, 0);
	assert.deepEqual(report.waste.duplicates, []);
});

test('waste fixture: every hidden file with its cause, the layer that added it and the one that hid it', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const report = await wasteReport();
	const items = report.waste.items
		.map((item) => [
			item.path,
			item.bytes,
			item.cause,
			item.addedInLayer,
			item.hiddenInLayer,
			item.sameContent,
		])
		.sort(([a], [b]) => String(a).localeCompare(String(b)));
	assert.deepEqual(items, [
		['data/chmod-me.bin', 70000, 'overwritten', 1, 6, true],
		['data/deleted-later.bin', 100000, 'deleted', 1, 2, false],
		['data/dir-deleted/a.bin', 20000, 'directory-deleted', 1, 3, false],
		['data/dir-deleted/b.bin', 30000, 'directory-deleted', 1, 3, false],
		['data/grows.bin', 50000, 'overwritten', 1, 5, false],
		['data/opaque/old.bin', 40000, 'opaque-directory', 1, 4, false],
		['data/rewritten-same.bin', 3000, 'overwritten', 1, 5, true],
		['data/shrinks.bin', 60000, 'overwritten', 1, 5, false],
	]);
	assert.equal(
		report.waste.items.reduce((sum, item) => sum + item.bytes, 0),
		373000,
	);
});

test('waste fixture: the dive-compatible figures, quirks included', {skip}, async () => {
	assertDockerAvailable(availability);
	const report = await wasteReport();
	const base = report.layers[0]!.sizeBytes;
	const {efficiency} = report;
	assert.equal(efficiency.userSizeBytes, 563555);
	// dive leaves out the directory whiteout (50000) and the opaque directory (40000), and counts both
	// versions of every overwritten path.
	assert.equal(efficiency.wastedBytes, 446000);
	assert.equal(efficiency.wastedUserPercent, 446000 / 563555);
	assert.equal(efficiency.score, (base + 300555) / (base + 613555));
	assert.deepEqual(efficiency.inefficiencies, [
		{path: '/data/chmod-me.bin', count: 2, cumulativeSizeBytes: 140000},
		{path: '/data/grows.bin', count: 2, cumulativeSizeBytes: 130000},
		{path: '/data/deleted-later.bin', count: 2, cumulativeSizeBytes: 100000},
		{path: '/data/shrinks.bin', count: 2, cumulativeSizeBytes: 70000},
		{path: '/data/rewritten-same.bin', count: 2, cumulativeSizeBytes: 6000},
		{path: '/data/link', count: 2, cumulativeSizeBytes: 0},
	]);
});

test('waste fixture: the waste findings cover every hidden byte once, by the step that hid it', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const report = await wasteReport();
	assert.ok(
		report.findings.every((finding) => finding.category === 'waste'),
		'busybox and /data hold nothing build-only',
	);
	const findings = report.findings
		.map(
			(finding) => [finding.ruleId, finding.bytes, finding.groups.map((group) => group.path).sort()] as const,
		)
		.sort((a, b) => b[1] - a[1]);
	assert.deepEqual(findings, [
		['LL-WASTE-OVERWRITTEN', 110000, ['data/grows.bin', 'data/shrinks.bin']],
		['LL-WASTE-LATE-CLEANUP', 100000, ['data/deleted-later.bin']],
		['LL-WASTE-COPY-UP', 70000, ['data/chmod-me.bin']],
		['LL-WASTE-LATE-CLEANUP', 50000, ['data/dir-deleted/a.bin', 'data/dir-deleted/b.bin']],
		['LL-WASTE-LATE-CLEANUP', 40000, ['data/opaque/old.bin']],
		['LL-WASTE-COPY-UP', 3000, ['data/rewritten-same.bin']],
	]);
	assert.equal(
		report.findings.reduce((sum, finding) => sum + finding.bytes, 0),
		report.waste.reclaimableBytes,
	);
	assert.deepEqual(report.warnings, []);
});
