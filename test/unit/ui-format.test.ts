import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	formatBar,
	formatBytes,
	formatMode,
	formatPercent,
	sanitize,
	sanitizeLines,
	wrap,
} from '../../source/ui/format.js';

test('formatBytes uses decimal units with one decimal, like dive', () => {
	assert.equal(formatBytes(0), '0 B');
	assert.equal(formatBytes(999), '999 B');
	assert.equal(formatBytes(1000), '1.0 kB');
	assert.equal(formatBytes(1500), '1.5 kB');
	assert.equal(formatBytes(70_350), '70.3 kB');
	assert.equal(formatBytes(999_960), '1.0 MB');
	assert.equal(formatBytes(12_345_678), '12.3 MB');
	assert.equal(formatBytes(3_000_000_000), '3.0 GB');
});

test('sanitize shows control characters and escape sequences escaped', () => {
	assert.equal(sanitize('bad\u001B[2Jname'), 'bad\\x1b[2Jname');
	assert.equal(sanitize('a\nb\tc\u007F\u009B'), 'a\\x0ab\\x09c\\x7f\\x9b');
	assert.equal(sanitize('plain/path-ü.txt'), 'plain/path-ü.txt');
	assert.deepEqual(sanitizeLines('one\r\ntwo\tx\n\u001B[31mred'), ['one', 'two    x', '\\x1b[31mred']);
});

test('formatMode prints ls-style permissions with special bits', () => {
	assert.equal(formatMode('dir', 0o755), 'drwxr-xr-x');
	assert.equal(formatMode('file', 0o644), '-rw-r--r--');
	assert.equal(formatMode('file', 0o4755), '-rwsr-xr-x');
	assert.equal(formatMode('file', 0o2644), '-rw-r-Sr--');
	assert.equal(formatMode('dir', 0o1777), 'drwxrwxrwt');
	assert.equal(formatMode('symlink', 0o777), 'lrwxrwxrwx');
});

test('formatBar, wrap and formatPercent', () => {
	assert.equal(formatBar(50, 100, 4), '██  ');
	assert.equal(formatBar(1, 100_000, 4), '█   ');
	assert.equal(formatBar(0, 100, 4), '    ');
	assert.deepEqual(wrap('RUN apt-get update && apt-get install', 16), [
		'RUN apt-get',
		'update &&',
		'apt-get install',
	]);
	assert.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
	assert.equal(formatPercent(0.75), '75.00 %');
	assert.equal(formatPercent(0.99999), '99.99 %');
});
