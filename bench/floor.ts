import {readFile} from 'node:fs/promises';
import {join} from 'node:path';

function quote(value: string): string {
	return `'${value.replaceAll("'", "'\\''")}'`;
}

/** GNU tar listing every layer of a `docker save` archive: what reading the headers costs at the least. */
export function archiveFloorScript(archive: string): string {
	return `tar -xOf ${quote(archive)} --wildcards '*/layer.tar' | tar -t -i > /dev/null`;
}

type Descriptor = {digest: string};

/** The same for an OCI layout of gzip layers: each blob through `gzip -dc` and `tar -t`. */
export async function ociFloorScript(directory: string): Promise<string> {
	const blob = (digest: string): string => join(directory, 'blobs', ...digest.split(':'));
	const index = JSON.parse(await readFile(join(directory, 'index.json'), 'utf8')) as {
		manifests: Descriptor[];
	};
	const manifest = JSON.parse(await readFile(blob(index.manifests[0]!.digest), 'utf8')) as {
		layers: Descriptor[];
	};
	return manifest.layers
		.map((layer) => `gzip -dc ${quote(blob(layer.digest))} | tar -t > /dev/null`)
		.join(' && ');
}
