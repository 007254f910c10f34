import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	barItems,
	commandFor,
	helpLines,
	keymap,
	keyName,
	keyPresses,
	renderKeyTableMarkdown,
} from '../../source/ui/keymap.js';

test('keyName names arrows, vim keys, control keys and space', () => {
	assert.equal(keyName('', {downArrow: true}), 'down');
	assert.equal(keyName('j', {}), 'j');
	assert.equal(keyName('G', {shift: true}), 'G');
	assert.equal(keyName('c', {ctrl: true}), 'ctrl+c');
	assert.equal(keyName('', {tab: true, shift: true}), 'shift+tab');
	assert.equal(keyName('', {delete: true}), 'backspace');
	assert.equal(keyName(' ', {}), 'space');
	assert.equal(keyName('', {escape: true, meta: true}), 'escape');
	assert.equal(keyName('\r', {return: true}), 'enter');
});

test('commandFor resolves per scope, most specific first', () => {
	assert.equal(commandFor('j', ['layers', 'global']), 'layerDown');
	assert.equal(commandFor('j', ['tree', 'global']), 'down');
	assert.equal(commandFor('q', ['tree', 'global']), 'quit');
	assert.equal(commandFor('q', ['overlay']), 'overlayClose');
	assert.equal(commandFor('j', ['filter']), undefined);
	assert.equal(commandFor('1', ['tree', 'global']), 'hideAdded');
});

test('no key is bound twice within a scope', () => {
	const seen = new Map<string, string>();
	for (const [command, binding] of Object.entries(keymap)) {
		for (const key of binding.keys) {
			const id = `${binding.scope}:${key}`;
			assert.equal(seen.get(id), undefined, `${id} is bound to ${seen.get(id)} and ${command}`);
			seen.set(id, command);
		}
	}

	// Pane keys must not shadow global ones either.
	for (const [id] of seen) {
		const [scope, key] = id.split(':');
		if (scope === 'tree' || scope === 'layers') {
			assert.equal(seen.get(`global:${key}`), undefined, `${id} shadows a global key`);
		}
	}
});

test('the help bar, the ? overlay and the README table come from the same table', () => {
	const table = renderKeyTableMarkdown();
	const lines = table.trimEnd().split('\n');
	assert.equal(lines[0], '| Where | Keys | Action |');
	assert.equal(lines.length, 2 + Object.keys(keymap).length);
	assert.ok(
		table.includes(
			'| Everywhere | <kbd>/</kbd> <kbd>Ctrl+F</kbd> <kbd>Ctrl+/</kbd> | Filter paths by regular expression |',
		),
	);
	assert.ok(table.includes('| Everywhere | <kbd>q</kbd> <kbd>Ctrl+C</kbd> | Quit |'));
	assert.ok(helpLines().some((line) => line.includes('w') && line.includes('Only wasted files')));
	assert.deepEqual(
		barItems(['layers', 'global']).map((item) => `${item.keys} ${item.help}`),
		[
			'd suggestion',
			'/ filter',
			'↓ layer',
			'Enter details',
			'q quit',
			'Tab pane',
			'? keys',
			'f findings',
			'P packages',
			'e export',
		],
	);
});

test('a run of characters read at once counts as one key press each', () => {
	assert.deepEqual(
		keyPresses('jjk', {}).map((press) => press.name),
		['j', 'j', 'k'],
	);
	assert.deepEqual(
		keyPresses('j\r\t \u007F\u0003', {}).map((press) => press.name),
		['j', 'enter', 'tab', 'space', 'backspace', 'ctrl+c'],
	);
	assert.deepEqual(keyPresses('j', {}), [{name: 'j', text: 'j'}]);
	assert.deepEqual(
		keyPresses('\u001B[B', {downArrow: true}).map((press) => press.name),
		['down'],
	);
});
