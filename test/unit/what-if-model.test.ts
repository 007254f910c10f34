import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import type {ImageAnalysis} from '../../source/analysis/types.js';
import type {WhatIfMark} from '../../source/analysis/what-if/marks.js';
import {type WhatIfFigures, WhatIfModel} from '../../source/analysis/what-if/what-if-model.js';
import type {TarEntry} from '../../source/image/types.js';
import {dir, file, layer, rawImage, whiteout} from '../helpers/raw-image-builder.js';

/*
Layer 0: app/a 100, app/nm/ts/x 1000, app/nm/ts/y 500, etc/conf 10.
Layer 1: app/a 120 (overwrites), tmp/build 300, app/nm/ts/x 1000 again (a copy-up).
Layer 2: deletes tmp/build, adds app/b 50.
Final: app/a 120 + x 1000 + y 500 + etc/conf 10 + app/b 50 = 1680.
*/
const layers: TarEntry[][] = [
	[
		dir('app'),
		file('app/a', 100, 'a0'),
		dir('app/nm'),
		dir('app/nm/ts'),
		file('app/nm/ts/x', 1000, 'x'),
		file('app/nm/ts/y', 500, 'y'),
		dir('etc'),
		file('etc/conf', 10, 'c'),
	],
	[
		dir('app'),
		file('app/a', 120, 'a1'),
		dir('tmp'),
		file('tmp/build', 300, 'b'),
		file('app/nm/ts/x', 1000, 'x'),
	],
	[whiteout('tmp/build'), file('app/b', 50, 'ab')],
];

function analyse(entries: TarEntry[][]): ImageAnalysis {
	return analyzeImage(rawImage(entries.map((each) => layer(each))));
}

function modelOf(
	analysis: ImageAnalysis,
	suggestion?: WhatIfModelSuggestion,
	findings: {ruleId: string; paths: string[]}[] = analysis.findings,
) {
	return new WhatIfModel({
		tree: analysis.tree,
		layers: analysis.layers,
		finalSizeBytes: analysis.image.finalSizeBytes,
		findings,
		...(suggestion ? {suggestion} : {}),
	});
}

type WhatIfModelSuggestion = {projectedSizeBytes: number; removedParts: {ruleId: string}[]};

/** The figures an analysis reports itself: what the model's figures must equal for the image rebuilt without the marked bytes. */
function analysedFigures(analysis: ImageAnalysis) {
	const {score, wastedBytes, userSizeBytes, wastedUserPercent} = analysis.efficiency;
	return {
		layerSizes: analysis.layers.map((each) => each.sizeBytes),
		finalSizeBytes: analysis.image.finalSizeBytes,
		efficiency: {score, wastedBytes, userSizeBytes, wastedUserPercent},
	};
}

function comparable(figures: WhatIfFigures) {
	const {layerSizes, finalSizeBytes, efficiency} = figures;
	return {layerSizes, finalSizeBytes, efficiency};
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
const without = (prefix: string) =>
	layers.map((entries) => entries.filter((entry) => !under(entry.path, prefix)));

test('no marks: the figures are the analysis', () => {
	const analysis = analyse(layers);
	const figures = modelOf(analysis).apply([]);
	assert.deepEqual(comparable(figures), analysedFigures(analysis));
	assert.deepEqual(figures.layerSizes, [1610, 1420, 50]);
	assert.equal(figures.finalSizeBytes, 1680);
	assert.equal(figures.projectedSizeBytes, 1680);
	assert.equal(figures.finalSavedBytes, 0);
	assert.equal(figures.storedSavedBytes, 0);
});

test('a directory mark removes every version below it from every layer', () => {
	const analysis = analyse(layers);
	const figures = modelOf(analysis).apply([{kind: 'path', path: 'app/nm/ts', action: 'remove'}]);
	assert.deepEqual(figures.layerSizes, [110, 420, 50]);
	assert.equal(figures.finalSizeBytes, 180);
	assert.equal(figures.finalSavedBytes, 1500);
	// The copy-up in layer 1 is stored bytes too: 1500 + 1000.
	assert.equal(figures.storedSavedBytes, 2500);
	assert.deepEqual(comparable(figures), analysedFigures(analyse(without('app/nm/ts'))));
});

test('a file a later layer deletes saves stored bytes only, nothing in the final filesystem', () => {
	const analysis = analyse(layers);
	const figures = modelOf(analysis).apply([{kind: 'path', path: '/tmp/build', action: 'remove'}]);
	assert.equal(figures.finalSavedBytes, 0);
	assert.equal(figures.storedSavedBytes, 300);
	assert.deepEqual(figures.layerSizes, [1610, 1120, 50]);
	assert.deepEqual(comparable(figures), analysedFigures(analyse(without('tmp/build'))));
});

test('nested marks count once, and unmarking the outer one leaves the inner one in force', () => {
	const analysis = analyse(layers);
	const model = modelOf(analysis);
	const outer: WhatIfMark = {kind: 'path', path: 'app/nm', action: 'remove'};
	const inner: WhatIfMark = {kind: 'path', path: 'app/nm/ts/y', action: 'builder'};
	const both = model.apply([outer, inner]);
	assert.equal(both.finalSavedBytes, 1500);
	assert.deepEqual(model.shares([outer, inner]), [
		{finalBytes: 1000, storedBytes: 2000},
		{finalBytes: 0, storedBytes: 0},
	]);
	const innerOnly = model.apply([inner]);
	assert.equal(innerOnly.finalSavedBytes, 500);
	assert.deepEqual(innerOnly.layerSizes, [1110, 1420, 50]);
	const none = model.apply([]);
	assert.deepEqual(comparable(none), analysedFigures(analysis));
});

test('a layer mark brings back what the layer overwrote; the efficiency is that of the image without it', () => {
	const analysis = analyse(layers);
	const figures = modelOf(analysis).apply([{kind: 'layer', layer: 1, action: 'remove'}]);
	// app/a is 100 again (layer 0's), x is layer 0's copy: 100 + 1000 + 500 + 10 + 50.
	assert.equal(figures.finalSizeBytes, 1660);
	assert.equal(figures.finalSavedBytes, 20);
	assert.deepEqual(figures.layerSizes, [1610, 0, 50]);
	assert.equal(figures.storedSavedBytes, 1420);
	assert.deepEqual(comparable(figures), analysedFigures(analyse([layers[0]!, [], layers[2]!])));
});

test('a layer mark on the layer that deletes a file brings the file back: the final filesystem grows', () => {
	const analysis = analyse(layers);
	const figures = modelOf(analysis).apply([{kind: 'layer', layer: 2, action: 'remove'}]);
	assert.equal(figures.finalSizeBytes, 1680 - 50 + 300);
	assert.equal(figures.finalSavedBytes, -250);
	assert.deepEqual(comparable(figures), analysedFigures(analyse([layers[0]!, layers[1]!, []])));
});

test('a finding or a package mark removes its paths; the projection only loses what it keeps', () => {
	const analysis = analyse(layers);
	const findings = [{ruleId: 'LL-X', paths: ['app/nm/ts/y']}];
	const model = modelOf(analysis, {projectedSizeBytes: 1180, removedParts: [{ruleId: 'LL-X'}]}, findings);
	assert.equal(model.apply([]).projectedSizeBytes, 1180);
	const figures = model.apply([
		{kind: 'package', name: 'ts', paths: ['app/nm/ts/x', 'app/nm/ts/y'], action: 'builder'},
	]);
	// y is already out of the projection: only x (1000) leaves it.
	assert.equal(figures.projectedSizeBytes, 180);
	assert.equal(figures.finalSizeBytes, 180);
	const finding = model.apply([
		{kind: 'finding', ruleId: 'LL-Y', title: 'etc', paths: ['etc/conf', 'no/such/path'], action: 'remove'},
	]);
	assert.equal(finding.finalSavedBytes, 10);
	assert.equal(finding.projectedSizeBytes, 1170);
});

test('the same target marked twice counts once', () => {
	const analysis = analyse(layers);
	const figures = modelOf(analysis).apply([
		{kind: 'path', path: 'etc/conf', action: 'remove'},
		{kind: 'path', path: '/etc/conf', action: 'builder'},
	]);
	assert.equal(figures.finalSavedBytes, 10);
});
