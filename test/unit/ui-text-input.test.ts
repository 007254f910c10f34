import assert from 'node:assert/strict';
import {test} from 'node:test';
import {editsText, editText, textLimits, typedText} from '../../source/ui/text-input.js';

test('a key types its text; space types a space', () => {
	assert.equal(editText('ab', {name: 'c', text: 'c'}, 'filter'), 'abc');
	assert.equal(editText('ab', {name: 'space', text: ' '}, 'path'), 'ab ');
	assert.equal(editText('a', {name: 'space', text: ''}, 'path'), 'a ');
});

test('backspace removes the last character, and nothing from an empty text', () => {
	assert.equal(editText('abc', {name: 'backspace', text: ''}, 'filter'), 'ab');
	assert.equal(editText('', {name: 'backspace', text: ''}, 'filter'), '');
});

test('Ctrl chords and control characters type nothing; pasted text is kept whole', () => {
	assert.equal(editText('a', {name: 'ctrl+a', text: 'a'}, 'filter'), 'a');
	assert.equal(editText('a', {name: 'escape', text: '\u001b'}, 'filter'), 'a');
	assert.equal(editText('a', {name: 'x', text: 'b\u001b[2J'}, 'path'), 'a');
	assert.equal(editText('a', {name: 'paste', text: 'bcd'}, 'path'), 'abcd');
	assert.equal(typedText({name: 'return', text: '\r'}), '');
	assert.equal(editsText({name: 'backspace', text: ''}), true);
	assert.equal(editsText({name: 'up', text: ''}), false);
});

test('each input keeps at most its limit', () => {
	const long = 'x'.repeat(textLimits.filter);
	assert.equal(editText(long, {name: 'y', text: 'y'}, 'filter'), long);
	assert.equal(editText(long, {name: 'y', text: 'y'}, 'path').length, textLimits.filter + 1);
	assert.equal(editText('', {name: 'paste', text: 'z'.repeat(5000)}, 'path').length, textLimits.path);
});
