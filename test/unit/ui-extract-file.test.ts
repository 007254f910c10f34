import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {isLayerlensError} from '../../source/shared/errors.js';
import {extractFile, extractionTarget} from '../../source/shared/extract-file.js';

let base: string;
before(async () => {
	base = await mkdtemp(join(tmpdir(), 'layerlens-extract-'));
});
after(async () => {
	await rm(base, {recursive: true, force: true});
});

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
	await assert.rejects(promise, (error: unknown) => {
		assert.ok(isLayerlensError(error), `not a LayerlensError: ${String(error)}`);
		assert.match(error.message, pattern);
		return true;
	});
}

test('writes the file under its image path and creates parent directories', async () => {
	const target = join(base, 'plain');
	await mkdir(target);
	const written = await extractFile(target, 'usr/lib/libbig.so', Buffer.from('content'));
	assert.equal(written, join(target, 'usr/lib/libbig.so'));
	assert.equal(await readFile(written, 'utf8'), 'content');
	assert.deepEqual(await readdir(join(target, 'usr/lib')), ['libbig.so'], 'no temporary file is left');
});

test('refuses paths that climb out of the target directory', async () => {
	assert.throws(() => extractionTarget(base, '../etc/passwd'), /outside the target directory/);
	assert.throws(() => extractionTarget(base, 'a/../../b'), /outside the target directory/);
	assert.throws(() => extractionTarget(base, ''), /outside the target directory/);
	await rejectsWith(extractFile(base, '../escape.txt', Buffer.from('x')), /outside the target directory/);
	assert.deepEqual(extractionTarget(base, '/etc/./passwd').segments, ['etc', 'passwd']);
});

test('never follows a symlinked directory on the way', async () => {
	const target = join(base, 'linked');
	const elsewhere = join(base, 'elsewhere');
	await mkdir(target);
	await mkdir(elsewhere);
	await symlink(elsewhere, join(target, 'etc'));
	await rejectsWith(extractFile(target, 'etc/passwd', Buffer.from('x')), /is not a plain directory/);
	assert.deepEqual(await readdir(elsewhere), []);
});

test('never writes through a symlink or over an existing file', async () => {
	const target = join(base, 'existing');
	await mkdir(target);
	await writeFile(join(base, 'victim'), 'keep');
	await symlink(join(base, 'victim'), join(target, 'passwd'));
	await rejectsWith(extractFile(target, 'passwd', Buffer.from('x')), /already exists \(EEXIST\)/);
	assert.equal(await readFile(join(base, 'victim'), 'utf8'), 'keep');
	await writeFile(join(target, 'config'), 'old');
	await rejectsWith(extractFile(target, 'config', Buffer.from('new')), /already exists/);
	assert.equal(await readFile(join(target, 'config'), 'utf8'), 'old');
});

test('a missing target directory is a user error', async () => {
	await rejectsWith(extractFile(join(base, 'missing'), 'a', Buffer.from('x')), /Cannot extract into/);
});
