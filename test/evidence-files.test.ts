import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isEvidenceFile} from '../source/image/evidence-files.js';

test('captures package databases and the app manifests, not every package.json in node_modules', () => {
	assert.equal(isEvidenceFile('var/lib/dpkg/status'), true);
	assert.equal(isEvidenceFile('var/lib/dpkg/info/gcc-12.list'), true);
	assert.equal(isEvidenceFile('app/package.json'), true);
	assert.equal(isEvidenceFile('app/node_modules/.package-lock.json'), true);
	assert.equal(isEvidenceFile('app/node_modules/typescript/package.json'), false);
	assert.equal(isEvidenceFile('app/node_modules/a/node_modules/.package-lock.json'), false);
	assert.equal(isEvidenceFile('usr/bin/node'), false);
});
