import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before} from 'node:test';
import type {JsonReport} from '../../source/report/json.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {
	pushBlob,
	pushManifest,
	type RunningRegistry,
	registryAvailability,
	registrySkip,
	skopeoCopy,
	startRegistry,
} from '../helpers/registry.js';
import {describeRun, runCli, runCliJson, userErrorProblems} from '../helpers/run-cli.js';

// Shared by the registry-*.test.ts files (each starts its own registries). Images read straight from a real registry (Debian's docker-registry on loopback) must give the numbers the
// daemon gives for the same image, with the daemon out of reach (DOCKER_HOST pointing nowhere).

const dockerState = await dockerAvailability({images: [fixtureImages.waste]});
const registryState = await registryAvailability();
export const skip = dockerSkip(dockerState) || registrySkip(registryState);
/** No daemon: a closed port on loopback. */
export const noDaemon = {DOCKER_HOST: 'tcp://127.0.0.1:9', LAYERLENS_REGISTRY_PASSWORD: undefined};
export const daemonImage = `docker-daemon:${fixtureImages.waste}:latest`;

export let open: RunningRegistry | undefined;
export let workDir = '';
export let fromDaemon: JsonReport;

/** What depends on the way in, not on the image (as in cli-sources.test.ts): reference, source, tags, storage of blobs. */
export function model(report: JsonReport): unknown {
	const {reference: _reference, source: _source, repoTags: _repoTags, ...image} = report.image;
	return {
		...report,
		image,
		layers: report.layers.map(
			({compression: _compression, compressedSizeBytes: _compressed, digest: _digest, ...layer}) => layer,
		),
	};
}

/** The model without the image ID: an image converted to OCI by skopeo has other config bytes, the same layers. */
export function withoutId(report: JsonReport): unknown {
	const modelled = model(report) as {image: Record<string, unknown>};
	const {id: _id, ...image} = modelled.image;
	return {...modelled, image};
}

export async function readJson(
	args: string[],
	env: Record<string, string | undefined> = {},
): Promise<JsonReport> {
	return runCliJson<JsonReport>([...args, '--json'], {env: {...noDaemon, ...env}, timeoutMs: 120_000});
}

export async function expectUserError(
	args: string[],
	pattern: RegExp,
	env: Record<string, string | undefined> = {},
): Promise<void> {
	const result = await runCli([...args, '--json'], {env: {...noDaemon, ...env}, timeoutMs: 120_000});
	assert.deepEqual(userErrorProblems(result, pattern), [], describeRun(result));
}

before(async () => {
	if (skip) return;
	assertDockerAvailable(dockerState);
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-registry-'));
	open = await startRegistry();
	await skopeoCopy(daemonImage, `docker://${open.host}/waste:latest`, ['--dest-tls-verify=false']);
	fromDaemon = await runCliJson<JsonReport>([fixtureImages.waste, '--json']);
});

after(async () => {
	await open?.stop();
	if (workDir !== '') await rm(workDir, {recursive: true, force: true});
});

/** An OCI layout's image (index.json → manifest → config and layers) uploaded blob by blob, tagged `latest`. */
export async function pushLayout(host: string, repository: string, layout: string): Promise<void> {
	const blob = (digest: string) => readFile(join(layout, 'blobs', ...digest.split(':')));
	const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
		manifests: Array<{digest: string}>;
	};
	const manifestBytes = await blob(index.manifests[0]!.digest);
	const manifest = JSON.parse(manifestBytes.toString()) as {
		config: {digest: string};
		layers: Array<{digest: string}>;
	};
	for (const descriptor of [manifest.config, ...manifest.layers]) {
		await pushBlob(host, repository, await blob(descriptor.digest));
	}

	await pushManifest(host, repository, 'latest', manifestBytes, 'application/vnd.oci.image.manifest.v1+json');
}
