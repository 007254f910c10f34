/**
Differential fuzzing of the tar reader against Go's archive/tar, the reader Docker unpacks layers with
(test/fixtures/go-tar-oracle, built with the host's Go: 1.19, the Go Docker 20.10.24 is built with).
The crafted shapes of issue 17 and a plain layer are mutated (typeflags, names with and without a
trailing `/`, sizes in octal and base-256, inserted PAX/GNU records, byte flips, cuts) with a seeded
generator; whenever Go reads a layer without error (so Docker would extract it), layerlens must hand
out the same headers: same type, name, link target and data size. Where Go fails, Docker refuses the
layer and there is nothing to hide.

Skipped when `go` is not installed (the e2e test against the daemon covers the named shapes then).
*/
import assert from 'node:assert/strict';
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {TarParser} from '../../source/image/formats/tar-parser.js';
import {collect, createLayerTarStream} from '../helpers/fixture-writer.js';
import {hiddenFileShapes} from '../helpers/hidden-file-shapes.js';
import {gnuLong, headerBlock, pax} from '../helpers/tar-blocks.js';

const seed = 0x60_7a_12;
const cases = 4000;
const goAvailable = spawnSync('go', ['version']).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'layerlens-go-oracle-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

type Listed = {typeflag: string; name: string; linkname: string; size: number; sparse?: boolean};
type Listing = {entries: Listed[]; error?: string};

function createRandom(start: number): () => number {
	let state = start >>> 0;
	return () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

function fixChecksum(bytes: Buffer, at: number): void {
	bytes.fill(0x20, at + 148, at + 156);
	let sum = 0;
	for (let index = at; index < at + 512; index++) sum += bytes[index]!;
	bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
}

function headerOffsets(bytes: Buffer): number[] {
	const offsets: number[] = [];
	for (let at = 0; at + 512 <= bytes.length; at += 512) {
		if (bytes.toString('latin1', at + 257, at + 262) === 'ustar') offsets.push(at);
	}

	return offsets;
}

const typeflags = ['0', '\0', '5', '2', '1', '6', '7', 'x', 'g', 'L', 'K', 'S', 'Z', 'D'];
const sizes = [
	'00000000000\0',
	'00000001000\0',
	'00000000001\0',
	'  1000 \0    ',
	'0000100000x\0',
	'77777777777\0',
];
const names = ['app/cache/', 'app/cache', 'root/.ssh/id_rsa', 'dir/', '', '/', './x/', 'a//b/'];

/** Extra headers to insert: meta records that change how the next header reads. */
function insertions(): Buffer[] {
	return [
		pax([['size', '512']]),
		pax([['size', '0']]),
		pax([['path', 'inserted/pax-path/']]),
		pax([['path', '']]),
		pax([['size', '1024']], 'g'),
		pax([['path', 'global/path']], 'g'),
		pax([
			['GNU.sparse.major', '1'],
			['GNU.sparse.minor', '0'],
			['GNU.sparse.name', 'sparse/name'],
		]),
		gnuLong('inserted/long-name/'),
		gnuLong('inserted/long-link', 'K'),
		gnuLong(''),
		headerBlock({name: 'inserted/nul-dir/', typeflag: '\0', size: 512}),
		headerBlock({name: 'inserted/zero-slash/', typeflag: '0', size: 512}),
		headerBlock({name: 'inserted/symlink', typeflag: '2', linkname: 't', size: 512}),
		Buffer.alloc(512),
	];
}

function mutate(bases: Buffer[], index: number): Buffer {
	const random = createRandom(seed ^ Math.imul(index, 0x9e_37_79_b1));
	const pick = (count: number): number => Math.floor(random() * count);
	const bytes = Buffer.from(bases[index % bases.length]!);
	const rounds = 1 + pick(3);
	let result = bytes;
	for (let round = 0; round < rounds; round++) {
		const headers = headerOffsets(result);
		const at = headers[pick(headers.length)];
		if (at === undefined) break;
		const kind = pick(6);
		if (kind === 0) {
			result.write(typeflags[pick(typeflags.length)]!, at + 156, 1, 'latin1');
		} else if (kind === 1) {
			result.fill(0, at + 124, at + 136);
			const value = sizes[pick(sizes.length)]!;
			if (random() < 0.3) {
				result[at + 124] = 0x80;
				result.writeUIntBE(pick(4) * 512 + pick(3), at + 130, 6);
			} else {
				result.write(value, at + 124, 12, 'latin1');
			}
		} else if (kind === 2) {
			result.fill(0, at, at + 100);
			result.write(names[pick(names.length)]!, at, 100, 'latin1');
		} else if (kind === 3) {
			const pool = insertions();
			const blocks = result.length / 512;
			const where = pick(Math.max(1, blocks)) * 512;
			result = Buffer.concat([result.subarray(0, where), pool[pick(pool.length)]!, result.subarray(where)]);
			continue;
		} else if (kind === 4) {
			for (let flip = 0; flip < 1 + pick(4); flip++) result[at + pick(512)] = pick(256);
		} else {
			result = result.subarray(0, pick(result.length / 512 + 1) * 512);
			continue;
		}

		fixChecksum(result, at);
	}

	return result;
}

function layerlensListing(bytes: Buffer): Listing {
	const entries: Listed[] = [];
	const parser = new TarParser({
		header: (header) => {
			entries.push({
				typeflag: header.typeflag,
				name: header.name,
				linkname: header.linkname,
				size: header.size,
			});
		},
		data: () => undefined,
		end: () => undefined,
	});
	try {
		// Two chunks, so a header split across chunks is read too.
		const cut = (bytes.length >> 1) + 7;
		void parser.push(bytes.subarray(0, cut));
		void parser.push(bytes.subarray(cut));
		parser.finish();
		return {entries};
	} catch (error) {
		return {entries, error: (error as Error).message};
	}
}

async function goListings(inputs: Buffer[]): Promise<Listing[]> {
	const binary = join(scratch, 'go-tar-oracle');
	const source = fileURLToPath(new URL('../fixtures/go-tar-oracle/main.go', import.meta.url));
	execFileSync('go', ['build', '-o', binary, source], {cwd: scratch, stdio: 'pipe'});
	const child = spawn(binary, [], {stdio: ['pipe', 'pipe', 'inherit']});
	const output = collect(child.stdout);
	for (const input of inputs) {
		child.stdin.write(`${input.length}\n`);
		child.stdin.write(input);
	}

	child.stdin.end();
	const lines = (await output).toString('utf8').trim().split('\n');
	return lines.map((line) => JSON.parse(line) as Listing);
}

const comparable = (listed: Listed, sparse: boolean): string =>
	// A sparse file's Size is its logical size in Go; layerlens reports the stored bytes.
	JSON.stringify([
		listed.typeflag,
		listed.name.replaceAll('\uFFFD', '?'),
		listed.linkname.replaceAll('\uFFFD', '?'),
		sparse ? -1 : listed.size,
	]);

test(`${cases} mutated layers: wherever Go's archive/tar reads a layer, layerlens reads the same headers`, {
	skip: goAvailable ? false : 'go is not installed',
	timeout: 300_000,
}, async () => {
	const plain = await collect(
		createLayerTarStream({
			files: [
				{path: 'etc', type: 'dir'},
				{path: 'etc/os-release', content: 'ID=alpine\n'},
				{path: 'bin/tool', size: 900, seed: 1},
				{path: 'bin/link', type: 'symlink', linkTarget: 'tool'},
				{path: `deep/${'d'.repeat(120)}/long.txt`, content: 'long'},
				{path: 'app/.env', content: 'SECRET=1\n'},
			],
		}) as AsyncIterable<Buffer>,
	);
	const bases = [plain, ...hiddenFileShapes().map((shape) => shape.layer)];
	const inputs = Array.from({length: cases}, (_, index) => mutate(bases, index));
	const go = await goListings([...bases, ...inputs]);
	const mismatches: string[] = [];
	let compared = 0;
	for (const [index, input] of [...bases, ...inputs].entries()) {
		const expected = go[index]!;
		if (expected.error !== undefined) continue;
		compared++;
		const actual = layerlensListing(input);
		const want = expected.entries.map((listed) => comparable(listed, listed.sparse === true));
		const got = actual.entries.map((listed, position) =>
			comparable(listed, expected.entries[position]?.sparse === true),
		);
		if (actual.error !== undefined || JSON.stringify(want) !== JSON.stringify(got)) {
			mismatches.push(
				`case ${index - bases.length}: go ${JSON.stringify(want)}; layerlens ${JSON.stringify(got)} ${actual.error ?? ''}`,
			);
		}
	}

	assert.deepEqual(mismatches.slice(0, 12), [], `${mismatches.length} of ${compared} readable cases differ`);
	// The mutations must leave plenty of layers Go reads, or the comparison says little.
	assert.ok(compared > cases / 4, `only ${compared} of ${cases} mutated layers are readable by Go`);
});
