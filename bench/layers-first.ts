/**
The explorer from the daemon, as a user opens it: the CLI in a pseudo-terminal (`script`), timed from its start to
the first frame that lists the layers, and to the explorer's first frame on the whole model (the read and the
analysis done), each against `docker save` of the same image in the same minute.
*/
import {spawn} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {measureShell} from './measure.js';

export type LayersFirstRun = {
	/** From the start of the process to the first frame with the layer list. */
	layerListMs: number;
	/** To the explorer on the read image (`Changes in layer`). */
	explorerMs: number;
	/** `docker save IMAGE > /dev/null`, run right after. */
	dockerSaveMs: number;
};

/** One explorer run in a 120×40 pty; resolves when both frames were seen and `q` ended it. */
export function explorerRun(
	cli: string,
	image: string,
	cacheHome: string,
): Promise<Omit<LayersFirstRun, 'dockerSaveMs'>> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const command = `stty cols 120 rows 40; exec ${process.execPath} ${cli} ${image} --no-cache`;
		// Ink draws only the last frame when CI is set (even empty): the first frames are the point here.
		const {CI: _ci, ...env} = process.env;
		const child = spawn('script', ['-qfec', command, '/dev/null'], {
			env: {...env, XDG_CACHE_HOME: cacheHome, TERM: 'xterm-256color'},
			stdio: ['pipe', 'pipe', 'inherit'],
		});
		let screen = '';
		let layerListMs: number | undefined;
		let explorerMs: number | undefined;
		child.stdout.on('data', (chunk: Buffer) => {
			// Only what is new matters; the tail keeps a phrase cut between two chunks.
			screen = (screen.slice(-200) + stripVTControlCharacters(chunk.toString('utf8'))).slice(-100_000);
			const now = performance.now() - started;
			if (layerListMs === undefined && /Layers \(\d+\)/.test(screen)) layerListMs = now;
			if (explorerMs === undefined && screen.includes('Changes in layer')) {
				explorerMs = now;
				child.stdin.write('q');
			}
		});
		child.on('error', reject);
		child.on('close', (code) => {
			if (layerListMs === undefined || explorerMs === undefined) {
				reject(new Error(`the explorer on ${image} ended (${code}) before both frames were seen`));
				return;
			}

			resolve({layerListMs, explorerMs});
		});
	});
}

export async function benchLayersFirst(
	cli: string,
	image: string,
	runs: number,
	log: (line: string) => void,
): Promise<LayersFirstRun[]> {
	const results: LayersFirstRun[] = [];
	// Untimed: the explorer runs before `docker save` in each run, and must not be the one that reads the
	// image's layer files from disk into the page cache.
	await measureShell(`docker save ${image} > /dev/null`);
	for (let run = 0; run < runs; run++) {
		const cacheHome = await mkdtemp(join(tmpdir(), 'layerlens-bench-layers-first-'));
		try {
			log(`layers first ${image}: run ${run + 1}/${runs}`);
			const explorer = await explorerRun(cli, image, cacheHome);
			const save = await measureShell(`docker save ${image} > /dev/null`);
			results.push({...explorer, dockerSaveMs: save.wallSeconds * 1000});
		} finally {
			await rm(cacheHome, {recursive: true, force: true});
		}
	}

	return results;
}

export type ArchiveLayersFirstRun = {
	/** This checkout: the layer list from the archive's tar headers, then the explorer. */
	after: Omit<LayersFirstRun, 'dockerSaveMs'>;
	/** Another build (the main branch's dist/cli.js), when given: its first frame with the layer list. */
	before?: Omit<LayersFirstRun, 'dockerSaveMs'>;
};

/** The explorer on an archive file, this build and (when given) another, alternating in the same minute. */
export async function benchArchiveLayersFirst(
	cli: string,
	beforeCli: string | undefined,
	archive: string,
	runs: number,
	log: (line: string) => void,
): Promise<ArchiveLayersFirstRun[]> {
	const results: ArchiveLayersFirstRun[] = [];
	for (let run = 0; run < runs; run++) {
		const cacheHome = await mkdtemp(join(tmpdir(), 'layerlens-bench-layers-first-'));
		try {
			log(`layers first ${archive}: run ${run + 1}/${runs}`);
			const after = await explorerRun(cli, archive, cacheHome);
			const before = beforeCli === undefined ? undefined : await explorerRun(beforeCli, archive, cacheHome);
			results.push({after, ...(before === undefined ? {} : {before})});
		} finally {
			await rm(cacheHome, {recursive: true, force: true});
		}
	}

	return results;
}
