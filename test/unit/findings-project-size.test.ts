import assert from 'node:assert/strict';
import {test} from 'node:test';
import {findFindings, projectSize} from '../../source/analysis/findings/index.js';
import type {Finding} from '../../source/analysis/types.js';
import {naive} from '../helpers/naive-node-input.js';
import {finalFile, ruleInput} from '../helpers/rule-input.js';

test('the naive Node image: final size, projected size and bytes per category add up', () => {
	const projection = projectSize(naive, findFindings(naive));
	// Every file in helpers/naive-node-input.ts, added by hand.
	assert.equal(projection.finalSizeBytes, 17_271);
	assert.deepEqual(projection.byCategory, {'build-only': 11_076, cache: 3100, waste: 0, secret: 30});
	// Left: package.json 120, package-lock.json 300, .package-lock.json 500, express 1000, debug 200, lodash 145, README 200, dist 600.
	assert.equal(projection.projectedSizeBytes, 3065);
	assert.equal(projection.hiddenWasteBytes, 0);
});

function finding(ruleId: string, category: Finding['category'], paths: string[], bytes: number): Finding {
	return {
		ruleId,
		category,
		confidence: 'high',
		title: ruleId,
		evidence: [],
		groups: [],
		paths,
		layerIndex: 1,
		bytes,
		fix: '',
	};
}

test('a path in two findings counts once, for the larger finding; hard links count 0; hidden waste is separate', () => {
	const input = ruleInput({
		files: [
			finalFile('a', 100, 1),
			finalFile('b', 50, 1),
			finalFile('c', 0, 1, {type: 'hardlink', linkTarget: 'a'}),
			finalFile('d', 10, 1),
		],
	});
	const projection = projectSize(input, [
		finding('LL-CACHE-X', 'cache', ['a', 'c'], 100),
		finding('LL-BUILD-X', 'build-only', ['a', 'b'], 150),
		finding('LL-WASTE-DELETED', 'waste', ['gone'], 7000),
		finding('LL-WASTE-DUPLICATE', 'waste', ['d'], 10),
	]);
	assert.equal(projection.finalSizeBytes, 160);
	assert.deepEqual(projection.byCategory, {'build-only': 150, cache: 0, waste: 10, secret: 0});
	assert.equal(projection.projectedSizeBytes, 0);
	assert.equal(projection.hiddenWasteBytes, 7000);
});
