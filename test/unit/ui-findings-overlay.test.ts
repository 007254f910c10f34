import assert from 'node:assert/strict';
import {test} from 'node:test';
import {findingLines} from '../../source/ui/overlay-lines.js';
import {naiveAnalysis} from '../helpers/report-analysis.js';

test("the findings overlay lists the base image's findings last, under their own heading", () => {
	const analysis = naiveAnalysis();
	const [largest, ...rest] = [...analysis.findings].sort((a, b) => b.bytes - a.bytes);
	analysis.findings = [{...largest!, fromBase: true}, ...rest];
	const lines = findingLines(analysis);
	const heading = lines.indexOf(
		'From the base image: choose another base (no step of your Dockerfile removes these)',
	);
	assert.ok(heading > 0);
	const baseRow = lines.findIndex((line) => line.includes(`[${largest!.ruleId},`));
	assert.ok(baseRow > heading);
	for (const finding of rest) {
		assert.ok(lines.findIndex((line) => line.includes(`[${finding.ruleId},`)) < heading);
	}

	analysis.findings = [{...largest!, fromBase: true}];
	assert.equal(findingLines(analysis)[0], 'No findings in your layers.');
});
