import assert from 'node:assert/strict';
import {test} from 'node:test';
import {formatBytes, formatExactBytes} from '../../source/shared/format-bytes.js';

test('formats with decimal units like dive and docker images', () => {
	assert.equal(formatBytes(0), '0 B');
	assert.equal(formatBytes(999), '999 B');
	assert.equal(formatBytes(1000), '1.0 kB');
	assert.equal(formatBytes(6405), '6.4 kB');
	assert.equal(formatBytes(1_220_598), '1.2 MB');
	assert.equal(formatBytes(123_456_789), '123 MB');
	assert.equal(formatBytes(-2500), '-2.5 kB');
	assert.equal(formatBytes(99_960), '100 kB');
	assert.equal(formatBytes(999_600), '1.0 MB');
	assert.equal(formatExactBytes(32_025), '32,025 B');
});
