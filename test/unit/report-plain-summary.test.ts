import assert from 'node:assert/strict';
import {test} from 'node:test';
import {formatPlainSummary} from '../../source/report/plain-summary.js';
import {naiveAnalysis} from '../helpers/report-analysis.js';

test('the plain summary reconciles the projection: what stays, a line each, and what goes, by finding', () => {
	const text = formatPlainSummary(naiveAnalysis());
	const lines = text.split('\n');
	const start = lines.findIndex((line) => line.startsWith('Projected size with a builder stage: 130 MB'));
	assert.ok(start > 0, text);
	assert.deepEqual(lines.slice(start + 1, start + 5), [
		'     120 MB  the base image',
		'     9.5 MB  4 paths copied from the build stage',
		'   -24.0 MB  left out: LL-BUILD-DEVDEPS devDependencies installed in the final image',
		'    -3.5 MB  left out: LL-CACHE-NPM npm cache left in the image',
	]);
});

test('no builder stage: the plain summary says so and gives the in-place projection', () => {
	const analysis = naiveAnalysis();
	analysis.suggestion = {...analysis.suggestion!, basedOn: 'none', dockerfile: ''};
	assert.match(
		formatPlainSummary(analysis),
		/^No builder stage needed \(no finding proves a file of your layers build-only\)/m,
	);
});
