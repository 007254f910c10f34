/**
Fuzzing the archive reader and the analysis: valid archives of each flavour are mutated (byte flips, tar
header fields rewritten with a valid checksum, splices, truncation) and run through readImageArchive →
analyzeImage. Each case must either succeed or fail with a LayerlensError: never another exception,
never a hang, never a heap blow-up.

The cases run in a worker thread so a case that loops forever or runs out of memory can be stopped
(`terminate`) and named; the worker is restarted after it. Failing inputs are kept in
test/fixtures/fuzz/ (set LAYERLENS_FUZZ_SAVE=1 to write new ones) and replayed first.
*/
import assert from 'node:assert/strict';
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Readable} from 'node:stream';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {readImageArchive} from '../../source/image/sources/archive/read-archive.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {type ArchiveOptions, buildImageArchive, type ImageSpec} from '../helpers/fixture-writer.js';
import {hiddenFileShapes} from '../helpers/hidden-file-shapes.js';

const seed = 0x1a7e_11e5;
const casesPerFlavour = 1000;
/** Extra cases for each crafted layer of issue 17 (typeflag/name/size combinations Docker reads its own way). */
const casesPerShape = 100;
/** No single case may take longer than this (they take milliseconds). */
const caseTimeoutMs = 5000;
/** The worker's old-space limit: a case that needs more is a memory bug. */
const heapLimitMb = 256;
const regressionDirectory = fileURLToPath(new URL('../fixtures/fuzz/', import.meta.url));

const spec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD rootfs.tar /',
			files: [
				{path: 'etc', type: 'dir'},
				{path: 'etc/os-release', content: 'ID=alpine\n'},
				{path: 'bin/tool', size: 900, seed: 1},
				{path: 'bin/link', type: 'symlink', linkTarget: 'tool'},
				{path: 'bin/hard', type: 'hardlink', linkTarget: 'bin/tool'},
			],
		},
		{
			createdBy: 'RUN rm /bin/tool && mkdir /app',
			files: [
				{path: 'bin/tool', type: 'whiteout'},
				{path: 'app', type: 'opaque'},
				{path: 'app/a.txt', content: 'a'},
			],
		},
		{createdBy: 'COPY . /app', files: [{path: 'app/b', size: 700, seed: 2}]},
	],
	emptyHistory: [{createdBy: 'CMD ["tool"]'}],
	config: {cmd: ['tool']},
	repoTags: ['fuzz:1'],
};

const flavours: Array<[string, ArchiveOptions]> = [
	['classic', {}],
	['containerd-gzip', {format: 'containerd', compression: 'gzip'}],
	['oci-tar', {format: 'oci', compression: 'none'}],
];

/** mulberry32: small, seeded, the same sequence on every machine. */
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

/** Offsets of every ustar header, outer and nested (a plain layer.tar inside the archive has its own). */
function headerOffsets(archive: Buffer): number[] {
	const offsets: number[] = [];
	for (let offset = 0; offset + 512 <= archive.length; offset += 512) {
		if (archive.toString('latin1', offset + 257, offset + 262) === 'ustar') {
			offsets.push(offset);
		}
	}

	return offsets;
}

function writeChecksum(archive: Buffer, header: number): void {
	archive.fill(0x20, header + 148, header + 156);
	let sum = 0;
	for (let index = header; index < header + 512; index++) {
		sum += archive[index]!;
	}

	archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, header + 148, 'latin1');
}

/** Tar header fields worth lying in: name, mode, size, mtime, typeflag, linkname, prefix. */
const headerFields: Array<[number, number]> = [
	[0, 100],
	[100, 8],
	[124, 12],
	[136, 12],
	[156, 1],
	[157, 100],
	[345, 155],
];

const fieldValues = [
	'77777777777',
	'00000000000',
	'99999999999',
	'\u0080\u0000\u0000\u0000\u0000\u0000\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff',
	'\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff',
	'../../etc/passwd',
	'/abs/path',
	'manifest.json',
	'x',
	'L',
	'x',
	'g',
	'1',
	'2',
	'5',
	'\u0000',
	'00000001000',
	'00000000001',
	'\u001b[2J',
];

type Mutation = {description: string; bytes: Buffer};

/** One mutated archive; the same `(base, index)` always gives the same bytes. */
export function mutate(bases: Buffer[], baseIndex: number, caseIndex: number): Mutation {
	const random = createRandom(seed ^ (baseIndex * 7919) ^ (caseIndex * 104_729));
	const pick = (count: number): number => Math.floor(random() * count);
	const base = bases[baseIndex]!;
	const kind = pick(5);
	if (kind === 0) {
		const length = pick(base.length);
		return {description: `truncate at ${length}`, bytes: base.subarray(0, length)};
	}

	const bytes = Buffer.from(base);
	if (kind === 1) {
		const flips = 1 + pick(8);
		for (let flip = 0; flip < flips; flip++) {
			bytes[pick(bytes.length)] = pick(256);
		}

		// Half the time every header gets a valid checksum again, so the flips reach the deeper checks.
		const resum = random() < 0.5;
		if (resum) {
			for (const header of headerOffsets(bytes)) {
				writeChecksum(bytes, header);
			}
		}

		return {description: `${flips} random bytes${resum ? ', checksums fixed' : ''}`, bytes};
	}

	if (kind === 2 || kind === 3) {
		const headers = headerOffsets(bytes);
		const header = headers[pick(headers.length)]!;
		const [start, length] = headerFields[pick(headerFields.length)]!;
		const value = fieldValues[pick(fieldValues.length)]!;
		bytes.fill(0, header + start, header + start + length);
		bytes.write(value.slice(0, length), header + start, 'latin1');
		// Mostly keep the checksum valid, so the lie gets past the first check.
		if (kind === 2) {
			writeChecksum(bytes, header);
		}

		return {description: `header at ${header} field ${start} = ${JSON.stringify(value)}`, bytes};
	}

	const other = bases[pick(bases.length)]!;
	const from = pick(other.length);
	const length = 1 + pick(Math.min(4096, other.length - from));
	const at = pick(bytes.length);
	const spliced = Buffer.concat([
		bytes.subarray(0, at),
		other.subarray(from, from + length),
		bytes.subarray(at),
	]);
	return {description: `splice ${length} bytes at ${at}`, bytes: spliced};
}

const shapes = hiddenFileShapes();
const baseNames = [...flavours.map(([name]) => name), ...shapes.map((shape) => `shape: ${shape.name}`)];
const totalCases = casesPerFlavour * flavours.length + casesPerShape * shapes.length;

export async function buildBases(): Promise<Buffer[]> {
	return Promise.all([
		...flavours.map(async ([, options]) => buildImageArchive(spec, options)),
		...shapes.map(async (shape) =>
			buildImageArchive({
				layers: [{createdBy: 'ADD crafted.tar /', files: [], rawTar: shape.layer}],
				config: {cmd: ['/app/run']},
			}),
		),
	]);
}

type Outcome = {ok: true} | {ok: false; error: string};

/** Success and LayerlensError are both fine; anything else is a bug. */
export async function analyse(bytes: Buffer): Promise<Outcome> {
	try {
		// Two chunks so the parser also sees a chunk boundary inside the input.
		const cut = bytes.length >> 1;
		const input = Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]);
		const {image} = await readImageArchive(input, {reference: 'fuzz.tar'});
		analyzeImage(image);
		return {ok: true};
	} catch (error) {
		if (isLayerlensError(error)) {
			if (error.line.includes('\n')) {
				return {ok: false, error: `LayerlensError spans lines: ${JSON.stringify(error.line)}`};
			}

			return {ok: true};
		}

		return {ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error)};
	}
}

type WorkerMessage =
	| {kind: 'start'; id: number}
	| {kind: 'done'; id: number; outcome: Outcome}
	| {kind: 'finished'; heapUsedMb: number};

async function workerMain(): Promise<void> {
	const {from, to} = workerData as {from: number; to: number};
	const bases = await buildBases();
	for (let id = from; id < to; id++) {
		parentPort!.postMessage({kind: 'start', id} satisfies WorkerMessage);
		const {bytes} = mutate(bases, id % bases.length, Math.floor(id / bases.length));
		const outcome = await analyse(bytes);
		parentPort!.postMessage({kind: 'done', id, outcome} satisfies WorkerMessage);
	}

	globalThis.gc?.();
	parentPort!.postMessage({
		kind: 'finished',
		heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20,
	} satisfies WorkerMessage);
}

type Failure = {id: number; reason: string};

/** Run cases [from, to) in a worker; a hang or a crash is recorded against the case and the rest go on. */
function runRange(from: number, to: number, failures: Failure[]): Promise<number> {
	return new Promise((resolve) => {
		const worker = new Worker(
			`import('tsx/esm/api').then(({register}) => { register(); return import(${JSON.stringify(import.meta.url)}); })`,
			{eval: true, workerData: {from, to}, resourceLimits: {maxOldGenerationSizeMb: heapLimitMb}},
		);
		let current = from - 1;
		let settled = false;
		let timer: NodeJS.Timeout | undefined;
		const settle = (next: number | undefined, heapUsedMb = 0): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			void worker.terminate();
			if (next === undefined) {
				resolve(heapUsedMb);
			} else {
				void runRange(next, to, failures).then(resolve);
			}
		};

		const arm = (): void => {
			clearTimeout(timer);
			// Building the bases takes a moment before the first case starts.
			timer = setTimeout(
				() => {
					failures.push({id: current, reason: `no answer within ${caseTimeoutMs} ms (hang)`});
					settle(current + 1 < to ? current + 1 : undefined);
				},
				current < from ? caseTimeoutMs * 4 : caseTimeoutMs,
			);
		};

		arm();
		worker.on('message', (message: WorkerMessage) => {
			if (message.kind === 'start') {
				current = message.id;
				arm();
			} else if (message.kind === 'done') {
				if (!message.outcome.ok) {
					failures.push({id: message.id, reason: message.outcome.error});
				}
			} else {
				settle(undefined, message.heapUsedMb);
			}
		});
		worker.on('error', (error) => {
			failures.push({id: current, reason: `worker died: ${error.message}`});
			settle(current + 1 < to ? current + 1 : undefined);
		});
		worker.on('exit', () => {
			if (!settled) {
				failures.push({id: current, reason: 'worker exited early'});
				settle(current + 1 < to ? current + 1 : undefined);
			}
		});
	});
}

function regressionCases(): string[] {
	try {
		return readdirSync(regressionDirectory)
			.filter((name) => name.endsWith('.bin'))
			.sort();
	} catch {
		return [];
	}
}

if (isMainThread) {
	test('kept regression cases from earlier fuzzing still end in success or a LayerlensError', async () => {
		const names = regressionCases();
		for (const name of names) {
			const outcome = await analyse(readFileSync(join(regressionDirectory, name)));
			assert.deepEqual(outcome, {ok: true}, name);
		}
	});

	test(`${totalCases} mutated archives (3 flavours, ${shapes.length} crafted layers): success or LayerlensError, no hang, bounded heap`, {
		timeout: 180_000,
	}, async () => {
		const failures: Failure[] = [];
		const total = totalCases;
		// Two workers, one per core.
		const half = Math.floor(total / 2);
		const heaps = await Promise.all([runRange(0, half, failures), runRange(half, total, failures)]);
		if (failures.length > 0 && process.env.LAYERLENS_FUZZ_SAVE === '1') {
			const bases = await buildBases();
			mkdirSync(regressionDirectory, {recursive: true});
			for (const failure of failures) {
				const {bytes} = mutate(bases, failure.id % bases.length, Math.floor(failure.id / bases.length));
				writeFileSync(join(regressionDirectory, `case-${failure.id}.bin`), bytes);
			}
		}

		const bases = await buildBases();
		const described = failures.slice(0, 5).map((failure) => {
			const {description} = mutate(bases, failure.id % bases.length, Math.floor(failure.id / bases.length));
			const flavour = baseNames[failure.id % bases.length]!;
			return `case ${failure.id} (${flavour}, ${description}): ${failure.reason}`;
		});
		assert.deepEqual(described, [], `${failures.length} failing cases`);
		for (const heap of heaps) {
			assert.ok(heap < 128, `worker heap after all cases: ${heap.toFixed(1)} MiB`);
		}
	});
} else {
	await workerMain();
}
