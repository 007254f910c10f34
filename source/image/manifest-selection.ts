import {LayerlensError} from '../errors.js';
import {asArray, asRecord, asString, parseJsonDocument} from './json-document.js';
import {formatPlatform, hostPlatform, type PlatformSpec, platformMatches} from './platform.js';

/** Reads a small document of the archive or layout by its path (`blobs/sha256/<hex>`, `index.json`). */
export type DocumentReader = (name: string) => Promise<Buffer | undefined>;

export type ManifestChoice = {name: string; manifest: Record<string, unknown>; tag?: string};

const indexTypes = new Set([
	'application/vnd.oci.image.index.v1+json',
	'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const maxIndexDepth = 4;

export function blobPath(digest: string): string {
	const [algorithm, hex] = digest.split(':');
	return `blobs/${algorithm}/${hex}`;
}

type Candidate = {name: string; manifest: Record<string, unknown>; platform?: PlatformSpec; tag?: string};

function descriptorPlatform(descriptor: Record<string, unknown>): PlatformSpec | undefined {
	const platform = asRecord(descriptor.platform);
	const os = asString(platform.os);
	const architecture = asString(platform.architecture);
	if (os === undefined || architecture === undefined) {
		return undefined;
	}

	const variant = asString(platform.variant);
	return variant === undefined ? {os, architecture} : {os, architecture, variant};
}

function isAttestation(descriptor: Record<string, unknown>, platform: PlatformSpec | undefined): boolean {
	const annotations = asRecord(descriptor.annotations);
	return (
		annotations['vnd.docker.reference.type'] === 'attestation-manifest' ||
		(platform?.os === 'unknown' && platform.architecture === 'unknown')
	);
}

/**
Every image manifest an index leads to that is present, nested indexes followed. Blobs are found by
name and their bytes are not checked against the digest, so a crafted blob can list itself: an index
met again on its own path is a cycle and an error, one met again elsewhere is skipped (a shared
child, or a fan-out of the same blob that would otherwise be walked N^depth times), and nesting stops
with an error below `maxIndexDepth` (issue 17: an index pointing to itself hung the load).
*/
async function collectCandidates(
	index: Record<string, unknown>,
	read: DocumentReader,
	where: string,
	depth: number,
	inheritedTag: string | undefined,
	walk: {path: string[]; seen: Set<string>},
): Promise<Candidate[]> {
	const found: Candidate[] = [];
	for (const item of asArray(index.manifests)) {
		const descriptor = asRecord(item);
		const digest = asString(descriptor.digest);
		const platform = descriptorPlatform(descriptor);
		if (digest === undefined || isAttestation(descriptor, platform)) {
			continue;
		}

		const name = blobPath(digest);
		if (walk.path.includes(name)) {
			throw new LayerlensError(
				`the image index in ${where} refers back to ${[...walk.path, name].join(' → ')} (a cycle)`,
				{hint: 'The archive is damaged or crafted; export the image again'},
			);
		}

		if (walk.seen.has(name)) {
			continue;
		}

		walk.seen.add(name);
		const bytes = await read(name);
		if (bytes === undefined) {
			// A single-platform save of a multi-platform image names the other platforms without their blobs.
			continue;
		}

		const annotations = asRecord(descriptor.annotations);
		const tag =
			asString(annotations['io.containerd.image.name']) ??
			asString(annotations['org.opencontainers.image.ref.name']) ??
			inheritedTag;
		const document = asRecord(parseJsonDocument(bytes, name, where));
		const mediaType = asString(descriptor.mediaType) ?? asString(document.mediaType);
		const isIndex =
			indexTypes.has(mediaType ?? '') || (document.manifests !== undefined && document.layers === undefined);
		if (isIndex) {
			if (depth + 1 > maxIndexDepth) {
				throw new LayerlensError(
					`the image index in ${where} nests indexes more than ${maxIndexDepth} deep (${[...walk.path, name].join(' → ')})`,
					{hint: 'The archive is damaged or crafted; export the image again'},
				);
			}

			walk.path.push(name);
			for (const candidate of await collectCandidates(document, read, where, depth + 1, tag, walk)) {
				found.push(candidate);
			}

			walk.path.pop();
			continue;
		}

		found.push({name, manifest: document, ...(platform ? {platform} : {}), ...(tag ? {tag} : {})});
	}

	return found;
}

async function platformOfConfig(
	candidate: Candidate,
	read: DocumentReader,
	where: string,
): Promise<PlatformSpec> {
	const digest = asString(asRecord(candidate.manifest.config).digest);
	const bytes = digest === undefined ? undefined : await read(blobPath(digest));
	const config = bytes === undefined ? {} : asRecord(parseJsonDocument(bytes, blobPath(digest!), where));
	const variant = asString(config.variant);
	return {
		os: asString(config.os) ?? 'unknown',
		architecture: asString(config.architecture) ?? 'unknown',
		...(variant === undefined ? {} : {variant}),
	};
}

/**
Choose the image manifest from an OCI index: the asked platform, else the only one, else the host's.
When nothing fits, the error lists what the index offers.
*/
export async function selectManifest(
	index: Record<string, unknown>,
	read: DocumentReader,
	where: string,
	wanted: PlatformSpec | undefined,
): Promise<ManifestChoice> {
	const candidates = await collectCandidates(index, read, where, 0, undefined, {
		path: ['index.json'],
		seen: new Set(),
	});
	if (candidates.length === 0) {
		throw new LayerlensError(`index.json in ${where} names no image manifest that the archive contains`, {
			hint: 'The archive is incomplete; export the image again',
		});
	}

	for (const candidate of candidates) {
		candidate.platform ??= await platformOfConfig(candidate, read, where);
	}

	if (wanted === undefined && candidates.length === 1) {
		return candidates[0]!;
	}

	const target = wanted ?? hostPlatform();
	const match = candidates.find((candidate) => platformMatches(candidate.platform!, target));
	if (match !== undefined) {
		return match;
	}

	const offered = [...new Set(candidates.map((candidate) => formatPlatform(candidate.platform!)))].join(', ');
	throw new LayerlensError(
		`${where} has no image for platform ${formatPlatform(target)}; it offers ${offered}`,
		{
			hint: 'Choose one with --platform',
		},
	);
}
