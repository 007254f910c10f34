import assert from 'node:assert/strict';
import {test} from 'node:test';
import {normaliseEntryName} from '../../source/image/formats/entry-name.js';
import {formatPlatform, parsePlatform} from '../../source/image/formats/platform.js';
import {type TarHeader, TarParser, TarTruncatedError} from '../../source/image/formats/tar-parser.js';
import {daemonEndpoint, isPlausibleReference} from '../../source/image/sources/daemon/daemon-source.js';

/** One raw 512-byte header, written by hand so GNU-only features (long names, base-256) can be tested. */
function rawHeader(
	name: string,
	typeflag: string,
	size: number,
	options: {base256Uid?: number} = {},
): Buffer {
	const block = Buffer.alloc(512);
	block.write(name.slice(0, 100), 0, 'utf8');
	block.write('0000644\0', 100, 'latin1');
	if (options.base256Uid === undefined) {
		block.write('0000000\0', 108, 'latin1');
	} else {
		block[108] = 0x80;
		block.writeUInt32BE(options.base256Uid, 112);
	}

	block.write('0000000\0', 116, 'latin1');
	block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
	block.write('00000000000\0', 136, 'latin1');
	block.write(typeflag, 156, 'latin1');
	block.write('ustar  \0', 257, 'latin1');
	block.fill(0x20, 148, 156);
	let sum = 0;
	for (const byte of block) sum += byte;
	block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
	return block;
}

const padded = (content: Buffer): Buffer =>
	Buffer.concat([content, Buffer.alloc((512 - (content.length % 512)) % 512)]);

function parseAll(bytes: Buffer, chunkSize: number): Array<TarHeader & {content: string}> {
	const seen: Array<TarHeader & {content: string}> = [];
	let parts: Buffer[] = [];
	const parser = new TarParser({
		header: (header) => {
			parts = [];
			seen.push({...header, content: ''});
		},
		data: (chunk) => {
			parts.push(Buffer.from(chunk));
		},
		end: () => {
			seen.at(-1)!.content = Buffer.concat(parts).toString();
		},
	});
	for (let offset = 0; offset < bytes.length; offset += chunkSize) {
		parser.push(bytes.subarray(offset, offset + chunkSize));
	}

	parser.finish();
	return seen;
}

const longName = `${'dir/'.repeat(40)}file.txt`;
const gnuTar = Buffer.concat([
	rawHeader('././@LongLink', 'L', longName.length + 1),
	padded(Buffer.from(`${longName}\0`)),
	rawHeader('short-name-ignored', '0', 5, {base256Uid: 3_000_000_000}),
	padded(Buffer.from('hello')),
	rawHeader('link', '2', 0),
	Buffer.alloc(1024),
]);

test('GNU long names and base-256 ids parse, whatever the chunk boundaries', () => {
	for (const chunkSize of [1, 7, 512, 100_000]) {
		const entries = parseAll(gnuTar, chunkSize);
		assert.equal(entries.length, 2, `chunk size ${chunkSize}`);
		assert.equal(entries[0]!.name, longName);
		assert.equal(entries[0]!.uid, 3_000_000_000);
		assert.equal(entries[0]!.content, 'hello');
		assert.equal(entries[1]!.name, 'link');
		assert.equal(entries[1]!.typeflag, '2');
	}
});

test('input that stops inside an entry throws TarTruncatedError at finish', () => {
	assert.throws(() => parseAll(gnuTar.subarray(0, 1100), 512), TarTruncatedError);
	assert.throws(() => parseAll(gnuTar.subarray(0, 300), 512), TarTruncatedError);
});

test('a corrupted header checksum is rejected', () => {
	const damaged = Buffer.from(gnuTar);
	damaged[3] = 0x41;
	assert.throws(() => parseAll(damaged, 512), /invalid tar header checksum at offset 0/);
});

test('entry names: leading ./ and /, dot segments, whiteouts, opaque markers, escapes', () => {
	assert.deepEqual(normaliseEntryName('./usr//bin/./tool'), {kind: 'path', path: 'usr/bin/tool'});
	assert.deepEqual(normaliseEntryName('/etc/'), {kind: 'path', path: 'etc'});
	assert.deepEqual(normaliseEntryName('etc/.wh.passwd'), {kind: 'whiteout', path: 'etc/passwd'});
	assert.deepEqual(normaliseEntryName('.wh.tmp'), {kind: 'whiteout', path: 'tmp'});
	assert.deepEqual(normaliseEntryName('var/cache/.wh..wh..opq'), {kind: 'opaque', path: 'var/cache'});
	assert.deepEqual(normaliseEntryName('.wh..wh.plnk/123'), {kind: 'path', path: '.wh..wh.plnk/123'});
	assert.deepEqual(normaliseEntryName('.wh..wh.plnk'), {kind: 'ignored'});
	assert.deepEqual(normaliseEntryName('./'), {kind: 'ignored'});
	assert.deepEqual(normaliseEntryName('a/../../x'), {kind: 'escape'});
	assert.deepEqual(normaliseEntryName('a/../x'), {kind: 'path', path: 'x'});
});

test('platforms parse as os/arch[/variant] and bad ones are a LayerlensError', () => {
	assert.deepEqual(parsePlatform('linux/arm64/v8'), {os: 'linux', architecture: 'arm64', variant: 'v8'});
	assert.equal(formatPlatform({os: 'linux', architecture: 'amd64'}), 'linux/amd64');
	assert.throws(() => parsePlatform('arm64'), /Invalid platform 'arm64'/);
});

test('daemon endpoints honour DOCKER_HOST and the podman sockets; references are checked before connecting', () => {
	assert.equal(daemonEndpoint('docker', {}).address, 'unix:///var/run/docker.sock');
	assert.equal(daemonEndpoint('docker', {DOCKER_HOST: 'tcp://10.0.0.5:2375'}).address, 'tcp://10.0.0.5:2375');
	assert.equal(
		daemonEndpoint('podman', {XDG_RUNTIME_DIR: '/nonexistent-run'}).address,
		'unix:///run/podman/podman.sock',
	);
	assert.equal(isPlausibleReference('busybox'), true);
	assert.equal(isPlausibleReference('localhost:5000/team/app:1.2'), true);
	assert.equal(isPlausibleReference(`alpine@sha256:${'a'.repeat(64)}`), true);
	assert.equal(isPlausibleReference('Bad Ref'), false);
	assert.equal(isPlausibleReference('UPPER/case'), false);
});
