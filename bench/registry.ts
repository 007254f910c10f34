import {mkdtemp, rm} from 'node:fs/promises';
import {availableParallelism, tmpdir} from 'node:os';
import {join} from 'node:path';
import {skopeoCopy, startRegistry} from '../test/helpers/registry.js';
import {type Measurement, measure, measurePair, measureShell} from './measure.js';

/** Every gzip file of `directory` decompressed to nowhere, one `gzip -dc` per core at a time. */
function parallelGunzip(directory: string): string {
	const gzipFiles = `for f in '${directory}'/*; do [ "$(head -c2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ] && printf '%s\\0' "$f" || true; done`;
	return `(${gzipFiles}) | xargs -0 -r -P ${availableParallelism()} -n 1 sh -c 'gzip -dc "$0" > /dev/null'`;
}

export type RegistryBenchResult = {image: string; tool: Measurement; floor: Measurement};

/**
The registry source against its floor: `skopeo copy docker://… dir:…` of the same image from the same
loopback registry (Debian's docker-registry), then every gzip blob it wrote decompressed by `gzip -dc`,
as many at once as there are cores; alternating run by run. Both download every blob, check its digest and
decompress it; layerlens also parses every layer and hashes its files, the floor writes the blobs to disk.
*/
export async function benchRegistry(
	image: string,
	runs: number,
	cli: string,
	log: (line: string) => void,
): Promise<RegistryBenchResult> {
	const registry = await startRegistry();
	const scratch = await mkdtemp(join(tmpdir(), 'layerlens-bench-registry-'));
	try {
		log(`registry: pushing ${image} to ${registry.host}`);
		await skopeoCopy(`docker-daemon:${image}:latest`, `docker://${registry.host}/bench:latest`, [
			'--dest-tls-verify=false',
		]);
		const reference = `${registry.host}/bench:latest`;
		const target = join(scratch, 'dir');
		log(`registry: ${runs} runs`);
		const [tool, floor] = await measurePair(
			runs,
			() =>
				measure(process.execPath, [
					cli,
					reference,
					'--source',
					'registry',
					'--no-cache',
					'--json',
					'--output',
					'/dev/null',
				]),
			() =>
				measureShell(
					`rm -rf '${target}' && skopeo copy --quiet --src-tls-verify=false docker://${reference} dir:'${target}' && ${parallelGunzip(target)} && rm -rf '${target}'`,
				),
		);
		return {image, tool, floor};
	} finally {
		await registry.stop();
		await rm(scratch, {recursive: true, force: true});
	}
}
