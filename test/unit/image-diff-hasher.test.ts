import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {test} from 'node:test';
import {DiffHasher} from '../../source/image/hashing/diff-hasher.js';

/** 12 MiB of varied bytes: past the inline limit, so the worker and its ring (8 × 1 MiB) wrap around. */
function sample(seed: number): Buffer {
	const bytes = Buffer.alloc(12 * 1024 * 1024 + 123);
	for (let index = 0; index < bytes.length; index += 4096) {
		bytes.writeUInt32LE((index * 2_654_435_761 + seed) >>> 0, index);
	}

	return bytes;
}

/** Feed `bytes` in uneven chunks, as a decoder hands them over. */
function feed(hasher: DiffHasher, bytes: Buffer, sizes: number[]): void {
	let offset = 0;
	for (let index = 0; offset < bytes.length; index++) {
		const size = sizes[index % sizes.length]!;
		hasher.update(bytes.subarray(offset, offset + size));
		offset += size;
	}
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

test('a large stream hashed on the worker equals a plain SHA-256', async () => {
	const bytes = sample(1);
	const hasher = new DiffHasher();
	feed(hasher, bytes, [1, 511, 70_000, 1_048_576, 3_000_001]);
	assert.equal(await hasher.digest(), sha256(bytes));
});

test('small streams stay inline and are still right (empty included)', async () => {
	const empty = new DiffHasher();
	assert.equal(await empty.digest(), sha256(Buffer.alloc(0)));
	const small = new DiffHasher();
	small.update(Buffer.from('hello'));
	assert.equal(await small.digest(), sha256(Buffer.from('hello')));
});

test('two streams at once: one uses the worker, the other falls back, both right; then the worker is reused', async () => {
	const first = sample(2);
	const second = sample(3);
	const a = new DiffHasher();
	const b = new DiffHasher();
	feed(a, first, [65_536]);
	feed(b, second, [100_000]);
	assert.deepEqual(await Promise.all([a.digest(), b.digest()]), [sha256(first), sha256(second)]);
	const again = new DiffHasher();
	feed(again, second, [1_048_576]);
	assert.equal(await again.digest(), sha256(second));
});
