import '../helpers/interactive-terminal-env.js';
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type ImageOutline, outlineImage} from '../../source/analysis/image-outline.js';
import type {ImagePreview} from '../../source/image/types.js';
import {keepDiffKey} from '../../source/ui/diff/diff-layers-first.js';
import type {ExplorerData} from '../../source/ui/explorer-data.js';
import {createInitialState} from '../../source/ui/explorer-state.js';
import {
	createLayersFirstState,
	type LayersFirstState,
	layersFirstReducer,
} from '../../source/ui/layers-first-state.js';
import {replayKeys} from '../../source/ui/replay-keys.js';
import {runExplorer} from '../../source/ui/run-explorer.js';
import {fakeTerminal} from '../helpers/render.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';

const size = {columns: 120, rows: 30};
const hex = (digit: string) => digit.repeat(64);

/** The sample image as a daemon would describe it before its export: its history and a size per layer. */
function samplePreview(): ImagePreview {
	const analysis = sampleAnalysis();
	return {
		id: `sha256:${hex('9')}`,
		os: 'linux',
		architecture: 'amd64',
		repoTags: [],
		config: analysis.image.config,
		history: analysis.history.map((entry) => ({createdBy: entry.createdBy, emptyLayer: entry.emptyLayer})),
		layers: analysis.layers.map((_layer, index) => ({
			diffId: `sha256:${String(index).repeat(64)}`,
			expectedBytes: 1_000_000 * (index + 1),
		})),
	};
}

function sampleOutline(): ImageOutline {
	return outlineImage('sample:latest', samplePreview());
}

function press(state: LayersFirstState, ...names: string[]): LayersFirstState {
	return names.reduce(
		(current, name) => layersFirstReducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

test('keys typed before the outline are kept and replayed on it', () => {
	let state = press(createLayersFirstState(size), 'j', 'j');
	assert.equal(state.layer, 0, 'no layers to move over yet');
	assert.equal(state.diverged, false);
	state = layersFirstReducer(state, {type: 'outline', outline: sampleOutline()});
	assert.equal(state.layer, 2);
	assert.deepEqual(
		state.keys.map((key) => key.name),
		['j', 'j'],
	);
});

test('layer keys, panes, help and the pending findings act while the layers are read; every key is kept', () => {
	let state = layersFirstReducer(createLayersFirstState(size), {type: 'outline', outline: sampleOutline()});
	state = press(state, 'G');
	assert.equal(state.layer, sampleOutline().layers.length - 1);
	state = press(state, 'g', 'down', '?');
	assert.equal(state.layer, 1);
	assert.equal(state.overlay?.kind, 'help');
	state = press(state, 'escape', 'f');
	assert.equal(state.overlay?.kind, 'findings');
	assert.match(state.overlay?.lines.join('\n') ?? '', /pending/);
	state = press(state, 'q');
	assert.equal(state.overlay, undefined, 'q closes an overlay, as in the explorer');
	assert.equal(state.exitCode, undefined);
	assert.equal(state.keys.length, 7);
	assert.equal(state.diverged, false);
	assert.equal(press(state, 'q').exitCode, 0);
});

test('a key this view cannot mirror stops the mirroring: q is then text, Ctrl+C still quits', () => {
	let state = layersFirstReducer(createLayersFirstState(size), {type: 'outline', outline: sampleOutline()});
	state = press(state, '/', 'q');
	assert.equal(state.diverged, true);
	assert.equal(state.exitCode, undefined);
	assert.match(state.message ?? '', /kept/);
	assert.equal(press(state, 'ctrl+c').exitCode, 130);
});

test('the explorer opens where the kept keys lead', () => {
	const initial = createInitialState(sampleAnalysis(), {canExport: true, defaultExportName: 'x'}, size);
	const keys = ['j', 'j', '?'].map((name) => ({name, text: name}));
	const state = replayKeys(keys, initial);
	assert.equal(state.layer, 2);
	assert.equal(state.overlay?.kind, 'help');
	const filtered = replayKeys(
		['/', 'q'].map((name) => ({name, text: name})),
		initial,
	);
	assert.equal(filtered.tree.filter, 'q');
	assert.equal(filtered.exitCode, undefined);
});

test('the diff keeps its keys; q quits unless a filter is being typed', () => {
	const filterKeys = ['/'];
	let state = keepDiffKey({keys: [], typingFilter: false}, {name: 'j', text: 'j'}, filterKeys);
	assert.equal(state.quit, undefined);
	assert.equal(keepDiffKey(state, {name: 'q', text: 'q'}, filterKeys).quit, 0);
	state = keepDiffKey(state, {name: '/', text: '/'}, filterKeys);
	state = keepDiffKey(state, {name: 'q', text: 'q'}, filterKeys);
	assert.equal(state.quit, undefined);
	assert.equal(state.keys.length, 3);
	assert.equal(keepDiffKey(state, {name: 'ctrl+c', text: ''}, filterKeys).quit, 130);
});

test('the explorer session: layers while reading, keys typed before the layers act on them and on the explorer', async () => {
	const terminal = fakeTerminal({columns: 120, rows: 30});
	let finishLoad: (value: ExplorerData) => void = () => undefined;
	let sendOutline: () => void = () => undefined;
	const exit = runExplorer({
		title: 'sample:latest',
		load(onProgress, _signal, onOutline) {
			sendOutline = () => {
				onOutline?.(sampleOutline(), samplePreview());
				onProgress({
					bytesRead: 1_500_000,
					layersDone: 1,
					layersRead: [{name: 'a/layer.tar', diffId: `sha256:${'0'.repeat(64)}`, entries: 12}],
					reading: {name: `blobs/sha256/${'1'.repeat(64)}`, sizeBytes: 2_000_000, bytesRead: 500_000},
				});
			};
			return new Promise((resolve) => {
				finishLoad = resolve;
			});
		},
		...terminal,
	});
	await terminal.waitFor('reading sample:latest');
	// Typed before the layers are known: kept, and acted on once they are.
	terminal.stdin.write('?');
	sendOutline();
	await terminal.waitFor('Show all keys');
	terminal.stdin.write('\u001B');
	await terminal.waitFor('reading 25%');
	const shown = terminal.output();
	assert.match(shown, /Layers \(\d+\)/);
	assert.match(shown, /waiting/);
	assert.match(shown, /1\.5 MB of ~/);
	assert.match(shown, /Findings pending/);
	terminal.stdin.write('j');
	finishLoad({analysis: sampleAnalysis(), readFile: async () => Buffer.alloc(0), defaultExportName: 'x'});
	// `?` opened the help, Esc closed it, `j` moved to layer 1: the explorer opens there, the help closed.
	await terminal.waitFor('Changes in layer 1');
	terminal.stdin.write('q');
	assert.equal(await exit, 0);
	assert.equal(terminal.errors(), '');
});
