/**
Where the time of a read from the Docker daemon goes, in one run, alternating: `docker save IMAGE`
drained by a plain reader (the floor), the daemon's export API drained (no parse), layerlens reading the
export (`createDaemonSource(...).load`), and layerlens parsing the same archive from a file (the parse rate
without the daemon). For each: when the export request was answered, the first and last byte, and the
CPU seconds spent by dockerd and by this process meanwhile (from /proc).

	node --import tsx bench/daemon-phases.ts [IMAGE] [runs]
*/
import {spawn} from 'node:child_process';
import {createReadStream, readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {request} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Readable} from 'node:stream';
import {readImageArchive} from '../source/image/sources/archive/read-archive.js';
import {createDaemonSource} from '../source/image/sources/daemon/daemon-source.js';

const image = process.argv[2] ?? 'layerlens-fixture/naive';
const runs = Number(process.argv[3] ?? 3);
const ticks = 100;

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuOf(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	return (Number(fields[11]) + Number(fields[12])) / ticks;
}

function dockerdPid(): number {
	const pid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim());
	return pid;
}

const ownCpu = (): number => {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1e6;
};

type Phases = {firstByte: number; lastByte: number; done: number; daemonCpu: number; ownCpu: number};

async function timed(
	body: (mark: (name: 'firstByte' | 'lastByte') => void) => Promise<void>,
): Promise<Phases> {
	const dockerd = dockerdPid();
	const daemonBefore = cpuOf(dockerd);
	const ownBefore = ownCpu();
	const start = performance.now();
	const marks: Record<string, number> = {};
	await body((name) => {
		marks[name] ??= performance.now() - start;
	});
	const done = performance.now() - start;
	return {
		firstByte: marks.firstByte ?? Number.NaN,
		lastByte: marks.lastByte ?? done,
		done,
		daemonCpu: cpuOf(dockerd) - daemonBefore,
		ownCpu: ownCpu() - ownBefore,
	};
}

async function drain(stream: Readable, mark: (name: 'firstByte' | 'lastByte') => void): Promise<number> {
	let bytes = 0;
	for await (const chunk of stream) {
		mark('firstByte');
		bytes += (chunk as Buffer).length;
	}

	mark('lastByte');
	return bytes;
}

const dockerSave = () =>
	timed(async (mark) => {
		const child = spawn('docker', ['save', image], {stdio: ['ignore', 'pipe', 'inherit']});
		await drain(child.stdout, mark);
		await new Promise((resolve) => child.on('close', resolve));
	});

function exportStream(id: string): Promise<Readable> {
	return new Promise((resolve, reject) => {
		const call = request({socketPath: '/var/run/docker.sock', path: `/images/${id}/get`}, resolve);
		call.on('error', reject);
		call.end();
	});
}

const imageId = JSON.parse(
	await new Promise<string>((resolve) => {
		const child = spawn('docker', ['image', 'inspect', image], {stdio: ['ignore', 'pipe', 'inherit']});
		let text = '';
		child.stdout.on('data', (chunk: Buffer) => (text += chunk));
		child.on('close', () => resolve(text));
	}),
)[0].Id as string;

const apiDrain = () =>
	timed(async (mark) => {
		await drain(await exportStream(imageId), mark);
	});

const layerlensDaemon = () =>
	timed(async (mark) => {
		const source = createDaemonSource(image, {});
		await source.load({
			onProgress: (progress) => {
				if (progress.bytesRead > 0) mark('firstByte');
			},
		});
		mark('lastByte');
		await source.dispose?.();
	});

const scratch = await mkdtemp(join(tmpdir(), 'layerlens-daemon-phases-'));
const saved = join(scratch, 'image.tar');
await new Promise((resolve, reject) => {
	const child = spawn('docker', ['save', '-o', saved, image], {stdio: 'inherit'});
	child.on('close', (code) => (code === 0 ? resolve(code) : reject(new Error(`docker save: ${code}`))));
});
// The file read as a stream, as the daemon's export is (no archiveFile: the diff IDs go through the ring).
const layerlensFile = () =>
	timed(async (mark) => {
		await readImageArchive(createReadStream(saved, {highWaterMark: 1024 * 1024}), {
			reference: saved,
			onProgress: (progress) => {
				if (progress.bytesRead > 0) mark('firstByte');
			},
		});
		mark('lastByte');
	});

const cases: Array<[string, () => Promise<Phases>]> = [
	['docker save | drain', dockerSave],
	['export API | drain', apiDrain],
	['export API | layerlens', layerlensDaemon],
	['file | layerlens parse', layerlensFile],
];
const results = new Map<string, Phases[]>(cases.map(([name]) => [name, []]));
try {
	for (let run = 0; run < runs; run++) {
		for (const [name, measureCase] of cases) results.get(name)!.push(await measureCase());
	}
} finally {
	await rm(scratch, {recursive: true, force: true});
}

const median = (values: number[]): number =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`${image}, ${runs} runs, medians; load average ${load}`);
console.log('case | first byte | last byte | done | dockerd CPU | own CPU');
for (const [name, values] of results) {
	const pick = (key: keyof Phases) => median(values.map((value) => value[key]));
	console.log(
		`${name} | ${s(pick('firstByte'))} | ${s(pick('lastByte'))} | ${s(pick('done'))} | ${pick('daemonCpu').toFixed(2)} s | ${pick('ownCpu').toFixed(2)} s`,
	);
}
