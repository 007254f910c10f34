import assert from 'node:assert/strict';
import {test} from 'node:test';
import {columnsOf} from '../../source/engine/entry-columns.js';
import {EntryColumns, entryColumnSpec, StoredEntriesError, type TarEntry} from '../../source/engine/index.js';

const entries: TarEntry[] = [
	{path: 'usr', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 1_700_000_000},
	{
		path: 'usr/bin/tool',
		type: 'file',
		size: 1234,
		mode: 0o755,
		uid: 1000,
		gid: 1000,
		mtime: 1_700_000_001,
		hash: '0123456789abcdef',
	},
	{
		path: 'usr/bin/alias',
		type: 'symlink',
		size: 0,
		mode: 0o777,
		uid: 0,
		gid: 0,
		mtime: 1_700_000_002,
		linkTarget: 'tool',
	},
	{
		path: 'usr/bin/run',
		type: 'file',
		size: 20,
		mode: 0o755,
		uid: 0,
		gid: 0,
		mtime: 1_700_000_003,
		exec: {kind: 'script', interpreter: '/bin/sh'},
	},
];

test('every column of the spec is allocated and grows with the rows', () => {
	const columns = new EntryColumns(1);
	for (let index = 0; index < 300; index++) columns.set(columns.append(), entries[index % entries.length]!);
	const byName = columnsOf(columns);
	for (const {name} of entryColumnSpec) assert.ok(byName[name].length >= 300, `${name} grew`);
	assert.deepEqual(columns.entry(299), entries[299 % entries.length]);
});

test('toStored and fromStored give back the same rows, path hashes recomputed', () => {
	const columns = EntryColumns.fromEntries(entries);
	const stored = columns.toStored();
	assert.deepEqual(
		Object.keys(stored.columns),
		entryColumnSpec.filter((c) => c.stored).map((c) => c.name),
	);
	const back = EntryColumns.fromStored(stored);
	assert.deepEqual(back.toEntries(), entries);
	assert.deepEqual(
		Array.from({length: back.count}, (_, row) => back.pathHash(row)),
		Array.from({length: columns.count}, (_, row) => columns.pathHash(row)),
	);
});

test('a stored value no tar header could give is refused', () => {
	const forge = (change: (stored: ReturnType<EntryColumns['toStored']>) => void) => {
		const stored = EntryColumns.fromEntries(entries).toStored();
		const copy = {
			...stored,
			columns: {...stored.columns, sizes: stored.columns.sizes.slice(), types: stored.columns.types.slice()},
		};
		change(copy);
		return () => EntryColumns.fromStored(copy);
	};

	assert.throws(
		forge((stored) => (stored.columns.sizes[1] = 0.5)),
		StoredEntriesError,
	);
	assert.throws(
		forge((stored) => (stored.columns.types[0] = 200)),
		StoredEntriesError,
	);
	assert.throws(
		forge((stored) => (stored.paths[0] = '../etc')),
		StoredEntriesError,
	);
	assert.throws(
		forge((stored) => (stored.linkRows = Int32Array.of(9))),
		StoredEntriesError,
	);
	assert.doesNotThrow(forge(() => undefined));
});

test('a content hash set as 64 bits reads back as the same 16 hex digits, high bit and zeros included', () => {
	const columns = new EntryColumns();
	const values = [
		0n,
		1n,
		0xffff_ffffn,
		0x1_0000_0000n,
		0x0123_4567_89ab_cdefn,
		0xffff_ffff_ffff_ffffn,
		0x8000_0000_0000_0001n,
	];
	for (const bits of values) {
		const row = columns.append();
		columns.set(row, {path: `f${row}`, type: 'file', size: 1, mode: 0o644, uid: 0, gid: 0, mtime: 0});
		columns.setHashBits(row, bits);
		assert.equal(columns.hash(row), bits.toString(16).padStart(16, '0'));
	}
});
