import assert from 'node:assert/strict';
import test from 'node:test';
import {stackLayers} from '../../source/engine/index.js';
import {createDaemonOrRegistrySource} from '../../source/image/sources/registry/daemon-or-registry.js';
import {
	mirrorsFromDaemon,
	parseMirrorFlag,
	parsePullPolicy,
} from '../../source/image/sources/registry/mirrors.js';
import type {ImageSource} from '../../source/image/types.js';
import {createFileReads, finalVersionSize} from '../../source/run/file-reads.js';
import {LayerlensError} from '../../source/shared/errors.js';
import {dir, file, layer, whiteout} from '../helpers/raw-image-builder.js';

// Layer 0 writes etc/a (5 B) and etc/b (7 B); layer 1 rewrites etc/a (9 B) and deletes etc/b.
const tree = stackLayers([
	layer([dir('etc'), file('etc/a', 5, 'a0'), file('etc/b', 7, 'b0')]),
	layer([file('etc/a', 9, 'a1'), whiteout('etc/b')]),
]);

type Call = {how: 'final' | 'layer'; layer?: number; path: string; limit: number};

function fakeSource(calls: Call[], finalFails = false): ImageSource {
	return {
		kind: 'docker',
		description: 'test',
		load: () => Promise.reject(new Error('not used')),
		async readFile(layerIndex, path, limit) {
			calls.push({how: 'layer', layer: layerIndex, path, limit});
			return Buffer.from(`layer ${layerIndex} ${path}`.slice(0, limit));
		},
		async readFinalFile(path, limit, expectedSize) {
			calls.push({how: 'final', path, limit});
			if (finalFails) throw new LayerlensError('the container says otherwise');
			return Buffer.from(`final ${path} ${expectedSize}`.slice(0, limit));
		},
	};
}

test('only the version the final filesystem shows is final, with the size the analysis found', () => {
	assert.equal(finalVersionSize(tree, 1, 'etc/a'), 9);
	assert.equal(finalVersionSize(tree, 0, 'etc/a'), undefined, 'rewritten by layer 1');
	assert.equal(finalVersionSize(tree, 0, 'etc/b'), undefined, 'deleted by layer 1');
	assert.equal(finalVersionSize(tree, 1, 'etc/b'), undefined, 'layer 1 has only its whiteout');
	assert.equal(finalVersionSize(tree, 0, 'no/such'), undefined);
});

test('a final version goes through the container, a hidden one through its layer, and a second read through memory', async () => {
	const calls: Call[] = [];
	const reads = createFileReads(fakeSource(calls), 'sha256:x', tree);
	assert.equal((await reads.read(1, 'etc/a', 100)).toString(), 'final etc/a 9');
	assert.equal((await reads.read(0, 'etc/b', 100)).toString(), 'layer 0 etc/b');
	assert.equal((await reads.read(1, 'etc/a', 100)).toString(), 'final etc/a 9');
	assert.equal(
		(await reads.read(1, 'etc/a', 5)).toString(),
		'final',
		'a smaller limit is served from the larger copy',
	);
	assert.equal((await reads.read(0, 'etc/b', 3)).toString(), 'lay');
	assert.deepEqual(calls, [
		{how: 'final', path: 'etc/a', limit: 100},
		{how: 'layer', layer: 0, path: 'etc/b', limit: 100},
	]);
});

test('a larger limit than the copy read with is read again (the copy may be cut short)', async () => {
	const calls: Call[] = [];
	const reads = createFileReads(fakeSource(calls), 'sha256:x', tree);
	assert.equal((await reads.read(1, 'etc/a', 5)).toString(), 'final');
	assert.equal((await reads.read(1, 'etc/a', 100)).toString(), 'final etc/a 9');
	assert.equal(calls.length, 2);
});

test('when the container route fails, the layer is read instead', async () => {
	const calls: Call[] = [];
	const reads = createFileReads(fakeSource(calls, true), 'sha256:x', tree);
	assert.equal((await reads.read(1, 'etc/a', 100)).toString(), 'layer 1 etc/a');
	assert.deepEqual(
		calls.map((call) => call.how),
		['final', 'layer'],
	);
});

test('--pull takes docker words only; mirror URLs are hosts without paths or credentials', () => {
	assert.equal(parsePullPolicy('always'), 'always');
	assert.throws(() => parsePullPolicy('ALWAYS'), /not one of missing, always, never/);
	assert.deepEqual(parseMirrorFlag('http://127.0.0.1:5000/'), {
		url: 'http://127.0.0.1:5000',
		host: '127.0.0.1:5000',
		plainHttp: true,
	});
	assert.deepEqual(parseMirrorFlag('mirror.example.com'), {
		url: 'https://mirror.example.com',
		host: 'mirror.example.com',
		plainHttp: false,
	});
	assert.throws(() => parseMirrorFlag('https://mirror.example.com/v2/'), /no path/);
	assert.throws(() => parseMirrorFlag('ftp://mirror.example.com'), /not http/);
	const secret = (() => {
		try {
			parseMirrorFlag('https://me:s3cret@mirror.example.com');
			return '';
		} catch (error) {
			return (error as LayerlensError).line;
		}
	})();
	assert.match(secret, /carries credentials/);
	assert.doesNotMatch(secret, /s3cret/);
	assert.deepEqual(
		mirrorsFromDaemon(['https://a.example/', 42, 'not a url ::', 'http://b.example:5000']).map((m) => m.url),
		['https://a.example', 'http://b.example:5000'],
	);
	assert.deepEqual(mirrorsFromDaemon(undefined), []);
});

function stubSource(kind: ImageSource['kind'], cacheKey: () => Promise<string>): ImageSource {
	return {
		kind,
		description: kind,
		load: () => Promise.reject(new Error('not used')),
		readFile: () => Promise.reject(new Error('not used')),
		cacheKey,
	};
}

const notFound = new LayerlensError("image 'app' not found", {cause: {statusCode: 404}});
const isNotFound = (error: unknown) => error === notFound;

test('a short name falls back to the registry only when the daemon says it lacks the image', async () => {
	const lines: string[] = [];
	const registry = stubSource('registry', async () => 'registry-key');
	const choice = {
		candidates: async () => [{source: registry, where: 'the registry'}],
		announce: (line: string) => lines.push(line),
		reason: 'app is not in the docker daemon',
	};
	const missing = createDaemonOrRegistrySource(
		stubSource('docker', () => Promise.reject(notFound)),
		choice,
		'not-found',
		isNotFound,
	);
	assert.equal(await missing.cacheKey?.(), 'registry-key');
	assert.equal(missing.kind, 'registry');
	assert.deepEqual(lines, ['app is not in the docker daemon; reading the registry']);

	const down = new LayerlensError('cannot connect to the docker daemon');
	const unreachable = createDaemonOrRegistrySource(
		stubSource('docker', () => Promise.reject(down)),
		choice,
		'not-found',
		isNotFound,
	);
	await assert.rejects(unreachable.cacheKey!(), /cannot connect to the docker daemon/);
});

test('mirrors are tried in order; when every candidate fails after a not-found, the line names both', async () => {
	const lines: string[] = [];
	const refused = new LayerlensError('connection refused');
	const unknown = new LayerlensError('manifest unknown', {hint: 'Check the tag'});
	const source = createDaemonOrRegistrySource(
		stubSource('docker', () => Promise.reject(notFound)),
		{
			candidates: async () => [
				{source: stubSource('registry', () => Promise.reject(refused)), where: 'mirror'},
				{source: stubSource('registry', () => Promise.reject(unknown)), where: 'hub'},
			],
			announce: (line) => lines.push(line),
			reason: 'app is not in the docker daemon',
		},
		'not-found',
		isNotFound,
	);
	await assert.rejects(source.cacheKey!(), (error: LayerlensError) => {
		assert.equal(
			error.line,
			'app is not in the docker daemon, and reading it from its registry failed: manifest unknown. Check the tag',
		);
		return true;
	});
	assert.deepEqual(lines, []);
});
