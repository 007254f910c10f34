import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {type FaultProxy, getBuffer, startFaultProxy} from '../helpers/registry.js';
import {expectUserError, fromDaemon, model, open, readJson, skip} from './registry-setup.js';

describe('faults between layerlens and the registry', {skip}, () => {
	let proxy: FaultProxy;
	before(async () => {
		proxy = await startFaultProxy(open!.host);
	});
	after(async () => {
		await proxy.stop();
	});

	test('a connection cut in the middle of a blob is resumed with a Range request', async () => {
		proxy.requests.length = 0;
		let cut = false;
		proxy.rule = (incoming, response, forward) => {
			if (cut || !incoming.url?.includes('/blobs/') || incoming.headers.range !== undefined) {
				forward();
				return;
			}

			void getBuffer(`http://${open!.host}${incoming.url}`).then((blob) => {
				if (blob.body.length < 4096) {
					response.writeHead(blob.status, {'content-length': String(blob.body.length)}).end(blob.body);
					return;
				}

				cut = true;
				response.writeHead(200, {
					'content-length': String(blob.body.length),
					'content-type': 'application/octet-stream',
				});
				response.write(blob.body.subarray(0, Math.floor(blob.body.length / 2)), () =>
					response.socket?.destroy(),
				);
			});
		};
		try {
			const report = await readJson([`${proxy.host}/waste:latest`]);
			assert.ok(cut, 'no blob was cut');
			assert.ok(
				proxy.requests.some((entry) => /^bytes=\d+-$/.test(String(entry.headers.range ?? ''))),
				'no Range request after the cut',
			);
			assert.deepEqual(model(report), model(fromDaemon));
		} finally {
			proxy.rule = undefined;
		}
	});

	test('a 429 with Retry-After is waited out and retried', async () => {
		proxy.requests.length = 0;
		let limited = 0;
		proxy.rule = (incoming, response, forward) => {
			if (limited === 0 && incoming.url?.includes('/manifests/')) {
				limited++;
				response
					.writeHead(429, {'retry-after': '1', 'content-type': 'application/json'})
					.end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
				return;
			}

			forward();
		};
		try {
			const report = await readJson([`${proxy.host}/waste:latest`]);
			assert.equal(limited, 1);
			assert.ok(proxy.requests.filter((entry) => entry.url.includes('/manifests/')).length >= 2);
			assert.deepEqual(model(report), model(fromDaemon));
		} finally {
			proxy.rule = undefined;
		}
	});

	test('a 429 whose Retry-After is far off fails at once, saying when to try again', async () => {
		proxy.rule = (incoming, response, forward) => {
			if (incoming.url?.includes('/manifests/')) {
				response.writeHead(429, {'retry-after': '3600'}).end();
				return;
			}

			forward();
		};
		try {
			await expectUserError(
				[`${proxy.host}/waste:latest`],
				/rate limiting.*allows more after \d{4}-\d\d-\d\dT/,
			);
		} finally {
			proxy.rule = undefined;
		}
	});

	test('a blob whose bytes do not match its digest is refused', async () => {
		proxy.rule = (incoming, response, forward) => {
			if (!incoming.url?.includes('/blobs/')) {
				forward();
				return;
			}

			void getBuffer(`http://${open!.host}${incoming.url}`).then((blob) => {
				const altered = Buffer.from(blob.body);
				// Layers only (the config is a few KiB): a flipped byte near the end, where gzip keeps its CRC.
				if (altered.length > 16_384) altered[altered.length - 9]! ^= 0xff;
				response.writeHead(blob.status, {'content-length': String(altered.length)}).end(altered);
			});
		};
		try {
			await expectUserError(
				[`${proxy.host}/waste:latest`],
				/digest mismatch in layer \d+ of .*the registry sent sha256:[a-f0-9]{64}, the manifest names sha256:/,
			);
		} finally {
			proxy.rule = undefined;
		}
	});

	test('HTTP_PROXY carries every request to an --insecure-registry host only the proxy can resolve', async () => {
		proxy.requests.length = 0;
		const report = await readJson(
			['registry.invalid:5000/waste', '--insecure-registry', 'registry.invalid:5000'],
			{
				HTTP_PROXY: `http://${proxy.host}`,
				HTTPS_PROXY: `http://${proxy.host}`,
				NO_PROXY: '',
			},
		);
		assert.deepEqual(model(report), model(fromDaemon));
		assert.ok(
			proxy.requests.some((entry) =>
				entry.url.startsWith('http://registry.invalid:5000/v2/waste/blobs/sha256:'),
			),
			JSON.stringify(proxy.requests.map((entry) => entry.url)),
		);
	});
});
