import '../helpers/interactive-terminal-env.js';
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {ImageAnalysis} from '../../source/analysis/types.js';
import {LayerlensError} from '../../source/shared/errors.js';
import type {ExplorerData} from '../../source/ui/explorer-data.js';
import {runExplorer} from '../../source/ui/run-explorer.js';
import {fakeTerminal, keys} from '../helpers/render.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';

function data(analysis: ImageAnalysis = sampleAnalysis()): ExplorerData {
	return {analysis, readFile: async () => Buffer.alloc(0), defaultExportName: 'layerlens-sample'};
}

test('shows progress while loading, then the explorer; q exits with 0', async () => {
	const terminal = fakeTerminal();
	let finishLoad: (value: ExplorerData) => void = () => undefined;
	const exit = runExplorer({
		title: 'sample:latest',
		load(onProgress) {
			onProgress({bytesRead: 2_500_000, bytesTotal: 10_000_000, layersDone: 1, layersTotal: 4});
			return new Promise((resolve) => {
				finishLoad = resolve;
			});
		},
		...terminal,
	});
	await terminal.waitFor('2.5 MB of 10.0 MB · layer 1/4');
	assert.ok(terminal.output().includes('reading sample:latest'));
	finishLoad(data());
	await terminal.waitFor('Changes in layer 0');
	terminal.stdin.write('q');
	assert.equal(await exit, 0);
	assert.equal(terminal.errors(), '');
});

test('a load error prints its one line and exits with 2', async () => {
	const terminal = fakeTerminal();
	const exit = await runExplorer({
		title: 'missing:latest',
		load: async () => {
			throw new LayerlensError('No image missing:latest in the Docker daemon', {hint: 'Pull it first'});
		},
		...terminal,
	});
	assert.equal(exit, 2);
	assert.equal(terminal.errors(), 'layerlens: No image missing:latest in the Docker daemon. Pull it first\n');
});

test('a load error naming an escape sequence prints it as text', async () => {
	const terminal = fakeTerminal();
	const exit = await runExplorer({
		title: 'x',
		load: async () => {
			throw new LayerlensError('layer 1 (\u001B]0;pwned\u0007\u009B2J) is missing');
		},
		...terminal,
	});
	assert.equal(exit, 2);
	assert.equal(terminal.errors(), 'layerlens: layer 1 (\\x1b]0;pwned\\x07\\x9b2J) is missing\n');
});

test('Ctrl+C while loading exits with 130; SIGTERM with 143', async () => {
	const interrupted = fakeTerminal();
	const pending = () => new Promise<ExplorerData>(() => undefined);
	const exit = runExplorer({title: 'x', load: pending, ...interrupted});
	await interrupted.waitFor('q or Ctrl+C to cancel');
	interrupted.stdin.write(keys.ctrlC);
	assert.equal(await exit, 130);

	const terminated = fakeTerminal();
	const second = runExplorer({title: 'x', load: pending, ...terminated});
	await terminated.waitFor('q or Ctrl+C to cancel');
	process.emit('SIGTERM');
	assert.equal(await second, 143);
	assert.equal(process.listenerCount('SIGTERM'), 0, 'the handler is removed again');
	assert.equal(process.listenerCount('SIGINT'), 0);
	assert.equal(process.listenerCount('SIGHUP'), 0);
});

test('a crash in the UI is reported with where to report it, and exits with 1', async () => {
	const terminal = fakeTerminal();
	const broken = {...sampleAnalysis(), layers: undefined} as unknown as ImageAnalysis;
	const exit = await runExplorer({title: 'x', load: async () => data(broken), ...terminal});
	assert.equal(exit, 1);
	assert.match(terminal.errors(), /^layerlens crashed: /);
	assert.match(
		terminal.errors(),
		/Please report it at https:\/\/github\.com\/layerlens\/layerlens\/issues\n$/,
	);
});

test('refuses to start without a terminal on stdin', async () => {
	const terminal = fakeTerminal();
	Object.assign(terminal.stdin, {isTTY: false});
	await assert.rejects(runExplorer({title: 'x', load: async () => data(), ...terminal}), /needs a terminal/);
});
