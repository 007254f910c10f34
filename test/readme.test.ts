import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import {renderKeyTableMarkdown} from '../source/ui/keymap.js';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const readme = await readFile(join(root, 'README.md'), 'utf8');

function trimLines(text: string): string {
	return text
		.split('\n')
		.map((line) => line.trimEnd())
		.join('\n')
		.trim();
}

test('the README usage block is exactly `layerlens --help`', async () => {
	const {stdout} = await run(process.execPath, ['--import', 'tsx', join(root, 'source/cli.tsx'), '--help'], {
		env: {...process.env, FORCE_COLOR: '0'},
	});
	const block = /```\n\$ layerlens --help\n([\s\S]*?)```/.exec(readme);
	assert.ok(block, 'README has a ```$ layerlens --help``` block');
	assert.equal(trimLines(block[1]!), trimLines(stdout));
});

test('the README key table is generated from the keymap', () => {
	assert.ok(
		readme.includes(renderKeyTableMarkdown().trim()),
		'README key table matches renderKeyTableMarkdown()',
	);
});

test('every finding rule id is documented in the README', async () => {
	const directory = join(root, 'source/analysis/findings');
	const files = await readdir(directory, {recursive: true});
	const ids = new Set<string>();
	for (const file of files.filter((name) => name.endsWith('.ts'))) {
		const text = await readFile(join(directory, file), 'utf8');
		for (const match of text.matchAll(/'(LL-[A-Z]+(?:-[A-Z]+)+)'/g)) {
			ids.add(match[1]!);
		}
	}

	assert.ok(ids.size > 20, `found ${ids.size} rule ids in source`);
	const missing = [...ids].filter((id) => !readme.includes(`\`${id}\``));
	assert.deepEqual(missing, []);
});
