import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {previewArchiveFile} from '../../source/image/sources/archive/archive-preview.js';
import {scanArchiveHeaders} from '../../source/image/sources/archive/header-scan.js';
import {previewOciDirectory} from '../../source/image/sources/oci/oci-directory-preview.js';
import {resolveImageSource} from '../../source/image/sources/open-source.js';
import {
	type ArchiveOptions,
	buildImageArchive,
	type ImageSpec,
	readArchiveBuffer,
	withTemporaryDirectory,
	writeOciLayoutDirectory,
} from '../helpers/fixture-writer.js';

const spec: ImageSpec = {
	layers: [
		{createdBy: 'ADD rootfs.tar /', files: [{path: 'bin/tool', size: 70_000, seed: 1}]},
		{createdBy: 'RUN make', files: [{path: 'app/out', size: 5000, seed: 2}]},
		{createdBy: 'COPY tool /bin/tool', files: [{path: 'bin/tool', size: 70_000, seed: 1}]},
	],
	emptyHistory: [{createdBy: 'CMD ["tool"]'}],
	config: {cmd: ['tool']},
	repoTags: ['demo:1'],
};

const formats: Array<[string, ArchiveOptions]> = [
	['docker-archive', {format: 'docker-archive'}],
	['docker-archive with linked duplicate layers', {format: 'docker-archive', linkDuplicateLayers: true}],
	['OCI archive, plain layers', {format: 'oci', compression: 'none'}],
	['OCI archive, layers before the index', {format: 'oci', compression: 'gzip', layersFirst: true}],
	['containerd archive', {format: 'containerd', compression: 'gzip'}],
];

for (const [name, options] of formats) {
	test(`header pre-scan: the preview of a ${name} matches the read, layer for layer`, async () => {
		await withTemporaryDirectory(async (directory) => {
			const archive = await buildImageArchive(spec, options);
			const path = join(directory, 'image.tar');
			await writeFile(path, archive);
			const preview = await previewArchiveFile(path);
			const image = await readArchiveBuffer(archive);
			assert.ok(preview, 'a preview from the headers');
			assert.equal(preview.id, image.id);
			assert.deepEqual(
				preview.layers.map((layer) => layer.diffId),
				image.layers.map((layer) => layer.diffId),
			);
			assert.deepEqual(
				preview.history?.map((entry) => entry.createdBy),
				image.history.map((entry) => entry.createdBy),
			);
			assert.deepEqual(preview.repoTags, image.repoTags);
			// Each layer's expected bytes are its stored entry's: never zero, never unknown.
			for (const layer of preview.layers) assert.ok((layer.expectedBytes ?? 0) > 0);
			// The source hands the same preview to the explorer.
			const source = await resolveImageSource(path);
			assert.equal((await source.preview?.())?.id, image.id);
		});
	});
}

test('header pre-scan: an OCI layout directory previews from index.json without reading a blob', async () => {
	await withTemporaryDirectory(async (directory) => {
		await writeOciLayoutDirectory(spec, directory);
		const preview = await previewOciDirectory(directory);
		assert.ok(preview);
		assert.equal(preview.layers.length, 3);
		assert.ok(preview.layers.every((layer) => layer.digest?.startsWith('sha256:')));
		assert.equal(preview.history?.at(-1)?.createdBy, 'CMD ["tool"]');
	});
});

test('header pre-scan: truncated, hostile and non-tar files give no preview (the read names the fault), never a hang', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = await buildImageArchive(spec, {format: 'docker-archive'});
		const cases: Array<[string, Buffer]> = [
			['truncated in a layer', archive.subarray(0, Math.floor(archive.length / 2))],
			['truncated in a header', archive.subarray(0, 700)],
			['text', Buffer.from('not an archive at all\n')],
			['empty', Buffer.alloc(0)],
			['zeros', Buffer.alloc(4096)],
		];
		// A header claiming a huge entry (base-256 size) in a tiny file: seeking past the end stops the scan.
		const huge = Buffer.from(archive.subarray(0, 512));
		huge[124] = 0x80;
		huge.fill(0xff, 125, 136);
		huge.fill(0x20, 148, 156);
		const sum = huge.reduce((total, byte) => total + byte, 0);
		huge.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
		cases.push(['a huge declared size', Buffer.concat([huge, Buffer.alloc(1024)])]);
		for (const [label, bytes] of cases) {
			const path = join(directory, `${label}.tar`);
			await writeFile(path, bytes);
			assert.equal(await previewArchiveFile(path), undefined, label);
		}

		// A FIFO with no writer: never opened (that would block), no preview; the read streams it.
		const fifo = join(directory, 'fifo.tar');
		execFileSync('mkfifo', [fifo]);
		assert.equal(await previewArchiveFile(fifo), undefined, 'fifo');

		// An intact archive with no manifest: scanned, but nothing to preview.
		assert.ok(scanArchiveHeaders(join(directory, 'zeros.tar')));
	});
});

test('header pre-scan: a truncated archive still fails its read with one clear line', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = await buildImageArchive(spec, {format: 'docker-archive'});
		const path = join(directory, 'cut.tar');
		await writeFile(path, archive.subarray(0, Math.floor(archive.length / 2)));
		const source = await resolveImageSource(path);
		assert.equal(await source.preview?.(), undefined);
		await assert.rejects(source.load({}), /archive truncated|no manifest/);
	});
});
