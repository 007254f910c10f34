import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isEvidenceFile} from '../../source/image/evidence-files.js';

test("captures package databases, the app manifests and each package's own manifest, not every package.json in node_modules", () => {
	assert.equal(isEvidenceFile('var/lib/dpkg/status'), true);
	assert.equal(isEvidenceFile('var/lib/dpkg/info/gcc-12.list'), true);
	assert.equal(isEvidenceFile('app/package.json'), true);
	assert.equal(isEvidenceFile('app/node_modules/.package-lock.json'), true);
	// A package's own manifest names it; one deeper inside a package does not.
	assert.equal(isEvidenceFile('app/node_modules/typescript/package.json'), true);
	assert.equal(isEvidenceFile('app/node_modules/@types/node/package.json'), true);
	assert.equal(isEvidenceFile('app/node_modules/typescript/lib/package.json'), false);
	assert.equal(isEvidenceFile('app/node_modules/typescript/package.json', 300 * 1024), false);
	assert.equal(isEvidenceFile('usr/lib/python3/site-packages/a-1.0.dist-info/RECORD'), true);
	assert.equal(isEvidenceFile('usr/lib/python3/site-packages/a-1.0.dist-info/METADATA'), false);
	assert.equal(isEvidenceFile('var/lib/dpkg/diversions'), true);
	assert.equal(isEvidenceFile('app/node_modules/a/node_modules/.package-lock.json'), false);
	assert.equal(isEvidenceFile('usr/bin/node'), false);
});
