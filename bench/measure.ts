import {spawn} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export type Measurement = {
	wallSeconds: number;
	/** User + system CPU of the command and every child it waited for. */
	cpuSeconds: number;
	/** Largest resident set of the command or any of its children. */
	peakRssBytes: number;
};

/** Run a command under GNU time and read wall, CPU and peak RSS from its report; a failing command throws. */
export async function measure(
	command: string,
	args: readonly string[],
	env: NodeJS.ProcessEnv = process.env,
): Promise<Measurement> {
	const directory = await mkdtemp(join(tmpdir(), 'layerlens-bench-'));
	const report = join(directory, 'time');
	try {
		const stderr: Buffer[] = [];
		const code = await new Promise<number | null>((resolve, reject) => {
			const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', report, command, ...args], {
				env,
				stdio: ['ignore', 'ignore', 'pipe'],
			});
			child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
			child.on('error', reject);
			child.on('close', resolve);
		});
		if (code !== 0) {
			throw new Error(
				`${command} ${args.join(' ')} exited with ${code}: ${Buffer.concat(stderr).toString().slice(-500)}`,
			);
		}

		const [wall, user, system, rssKb] = (await readFile(report, 'utf8'))
			.trim()
			.split('\n')
			.at(-1)!
			.split(' ')
			.map(Number);
		return {wallSeconds: wall!, cpuSeconds: user! + system!, peakRssBytes: rssKb! * 1024};
	} finally {
		await rm(directory, {recursive: true, force: true});
	}
}

/** A shell pipeline, measured as a whole (GNU time counts the children bash waited for). */
export function measureShell(script: string): Promise<Measurement> {
	return measure('/bin/bash', ['-o', 'pipefail', '-c', script]);
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median of each figure over `runs` runs. */
export function medianOf(results: readonly Measurement[]): Measurement {
	return {
		wallSeconds: median(results.map((result) => result.wallSeconds)),
		cpuSeconds: median(results.map((result) => result.cpuSeconds)),
		peakRssBytes: median(results.map((result) => result.peakRssBytes)),
	};
}

/** Alternate the two commands run by run, so a noisy neighbour hits both alike; returns both medians. */
export async function measurePair(
	runs: number,
	first: () => Promise<Measurement>,
	second: () => Promise<Measurement>,
): Promise<[Measurement, Measurement]> {
	const a: Measurement[] = [];
	const b: Measurement[] = [];
	for (let run = 0; run < runs; run++) {
		a.push(await first());
		b.push(await second());
	}

	return [medianOf(a), medianOf(b)];
}
