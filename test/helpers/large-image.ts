import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

/** Several hundred MB that take the daemon seconds to export: long enough to see the layers while they are read. */
export const largeReadImage = 'layerlens-fixture/large-read';
const base = 'layerlens-fixture/busybox-base';
const label = 'layerlens.fixture.hash';

/** Random bytes do not compress or deduplicate: the export is as large as the layers. */
const recipe = (hash: string) => `FROM ${base}
RUN head -c 250000000 /dev/urandom > /blob-a
RUN head -c 150000000 /dev/urandom > /blob-b
RUN mkdir -p /app && echo ready > /app/state
WORKDIR /app
CMD ["cat", "/app/state"]
LABEL ${label}=${hash}
`;

async function imageLabel(name: string): Promise<string | undefined> {
	try {
		const {stdout} = await run('docker', [
			'image',
			'inspect',
			'--format',
			`{{index .Config.Labels "${label}"}}`,
			name,
		]);
		return stdout.trim();
	} catch {
		return undefined;
	}
}

/**
Builds the large image unless it exists with the hash of its recipe and base (as build-images.sh does for the
fixtures): about half a minute once, nothing after. Needs the busybox base fixture.
*/
export async function ensureLargeReadImage(): Promise<string> {
	const {stdout: baseId} = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', base]);
	const hash = createHash('sha256').update(recipe('')).update(baseId.trim()).digest('hex').slice(0, 12);
	if ((await imageLabel(largeReadImage)) === hash) return largeReadImage;
	const context = await mkdtemp(join(tmpdir(), 'layerlens-large-read-'));
	try {
		await writeFile(join(context, 'Dockerfile'), recipe(hash));
		await run('docker', ['build', '--quiet', '--force-rm', '--tag', largeReadImage, context], {
			env: {...process.env, DOCKER_BUILDKIT: '0'},
			maxBuffer: 16 * 1024 * 1024,
		});
	} finally {
		await rm(context, {recursive: true, force: true});
	}

	return largeReadImage;
}
