import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {readSaveStream} from './save-archive.js';

type SaveManifestItem = {Config: string; RepoTags: string[] | null; Layers: string[]};

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
Turns a classic `docker save` archive (Docker 20.10 writes no index.json) into an OCI image layout
directory: the config and every layer become blobs, layers gzip-compressed as a registry would store
them, with an OCI manifest and an index that names the image `refName`. No skopeo needed, no network.
*/
export async function writeOciLayoutFromSave(
	archivePath: string,
	directory: string,
	refName: string,
): Promise<void> {
	const saved = await readSaveStream(createReadStream(archivePath), () => true);
	const manifestText = saved.kept.get('manifest.json');
	if (!manifestText) {
		throw new Error(`${archivePath} has no manifest.json`);
	}

	const [item] = JSON.parse(manifestText.toString('utf8')) as SaveManifestItem[];
	if (!item) {
		throw new Error(`${archivePath} holds no image`);
	}

	const blobs = join(directory, 'blobs', 'sha256');
	await mkdir(blobs, {recursive: true});
	const putBlob = async (data: Buffer, mediaType: string) => {
		const digest = sha256(data);
		await writeFile(join(blobs, digest), data);
		return {mediaType, digest: `sha256:${digest}`, size: data.length};
	};

	const config = await putBlob(entry(saved.kept, item.Config), 'application/vnd.oci.image.config.v1+json');
	const layers = [];
	for (const path of item.Layers) {
		layers.push(
			await putBlob(gzipSync(entry(saved.kept, path)), 'application/vnd.oci.image.layer.v1.tar+gzip'),
		);
	}

	const manifest = await putBlob(
		Buffer.from(
			JSON.stringify({
				schemaVersion: 2,
				mediaType: 'application/vnd.oci.image.manifest.v1+json',
				config,
				layers,
			}),
		),
		'application/vnd.oci.image.manifest.v1+json',
	);
	await writeFile(join(directory, 'oci-layout'), JSON.stringify({imageLayoutVersion: '1.0.0'}));
	await writeFile(
		join(directory, 'index.json'),
		JSON.stringify({
			schemaVersion: 2,
			mediaType: 'application/vnd.oci.image.index.v1+json',
			manifests: [{...manifest, annotations: {'org.opencontainers.image.ref.name': refName}}],
		}),
	);
}

function entry(kept: Map<string, Buffer>, name: string): Buffer {
	const data = kept.get(name);
	if (!data) {
		throw new Error(`the save archive has no ${name}`);
	}

	return data;
}
