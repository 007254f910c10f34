import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {skopeoCopy, startRegistry} from '../test/helpers/registry.js';
import {type Measurement, measure, measurePair, measureShell} from './measure.js';

export type RegistryBenchResult = {image: string; tool: Measurement; floor: Measurement};

/**
The registry source against its floor: `skopeo copy docker://… dir:…` of the same image from the same
loopback registry (Debian's docker-registry), alternating run by run. Both download every blob and check
its digest; layerlens also decompresses and parses every layer, skopeo writes them to disk.
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
					`rm -rf '${target}' && skopeo copy --quiet --src-tls-verify=false docker://${reference} dir:'${target}' && rm -rf '${target}'`,
				),
		);
		return {image, tool, floor};
	} finally {
		await registry.stop();
		await rm(scratch, {recursive: true, force: true});
	}
}
