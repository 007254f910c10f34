import {existsSync} from 'node:fs';
import {mkdir, rename, rm} from 'node:fs/promises';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {writeImageArchive, writeOciLayoutDirectory} from '../source/image/write/create-image-archive.js';
import type {ImageSpec} from '../source/image/write/image-spec.js';
import {
	generatorVersion,
	manyLayersImage,
	mediumImage,
	mediumImageRevised,
	millionFilesImage,
} from './inputs.js';

export type BenchInput = {
	id: 'a' | 'b' | 'c' | 'd' | 'e';
	label: string;
	/** An archive file, or an OCI layout directory for (d). */
	path: string;
	kind: 'docker-archive' | 'oci-dir';
};

/** Outside the repository and keyed by the generator version, so a changed spec never reuses old bytes. */
export function benchCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const root =
		env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
	return join(root, 'layerlens-bench', `v${generatorVersion}`);
}

type Plan = BenchInput & {spec: () => ImageSpec};

export function benchPlans(directory: string): Plan[] {
	return [
		{
			id: 'a',
			label: '(a) ~1 GB, ~100k files, 7 layers',
			path: join(directory, 'medium.tar'),
			kind: 'docker-archive',
			spec: mediumImage,
		},
		{
			id: 'b',
			label: '(b) 30 layers × 60k files',
			path: join(directory, 'many-layers.tar'),
			kind: 'docker-archive',
			spec: manyLayersImage,
		},
		{
			id: 'c',
			label: '(c) 1M small files, 4 layers',
			path: join(directory, 'million.tar'),
			kind: 'docker-archive',
			spec: millionFilesImage,
		},
		{
			id: 'd',
			label: '(d) = (a) as gzip OCI layout',
			path: join(directory, 'medium-oci'),
			kind: 'oci-dir',
			spec: mediumImage,
		},
		{
			id: 'e',
			label: '(e) the next build of (a), for diff',
			path: join(directory, 'medium-revised.tar'),
			kind: 'docker-archive',
			spec: mediumImageRevised,
		},
	];
}

/** Generate what is missing (written under a temporary name and renamed, so an interrupted run is never reused). */
export async function prepareInputs(
	only: ReadonlySet<string> | undefined,
	log: (line: string) => void,
): Promise<BenchInput[]> {
	const directory = benchCacheDirectory();
	await mkdir(directory, {recursive: true});
	const ready: BenchInput[] = [];
	for (const plan of benchPlans(directory)) {
		if (only !== undefined && !only.has(plan.id)) continue;
		if (!existsSync(plan.path)) {
			const started = performance.now();
			log(`generating ${plan.label} -> ${plan.path}`);
			const temporary = `${plan.path}.partial`;
			await rm(temporary, {recursive: true, force: true});
			if (plan.kind === 'oci-dir') {
				await writeOciLayoutDirectory(plan.spec(), temporary, {format: 'oci', compression: 'gzip'});
			} else {
				await writeImageArchive(plan.spec(), temporary, {format: 'docker-archive'});
			}

			await rename(temporary, plan.path);
			log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
		}

		const {spec: _spec, ...input} = plan;
		ready.push(input);
	}

	return ready;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const only = process.argv.length > 2 ? new Set(process.argv.slice(2)) : undefined;
	await prepareInputs(only, (line) => console.error(line));
}
