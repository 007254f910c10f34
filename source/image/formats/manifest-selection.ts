import {LayerlensError} from '../../shared/errors.js';
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

/** The only digests layerlens reads: anything else (`sha256:../../v2/x`) would become a path or a URL. */
const digestPattern = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(text: string): boolean {
	return digestPattern.test(text);
}

/** `digest` when it is `sha256:` + 64 or `sha512:` + 128 lower-case hex digits, else one error line naming `what`. */
export function checkedDigest(digest: unknown, what: string, where: string): string {
	if (typeof digest === 'string' && digestPattern.test(digest)) return digest;
	const shown = typeof digest === 'string' ? JSON.stringify(digest.slice(0, 80)) : 'no digest';
	throw new LayerlensError(
		`${what} in ${where} names ${shown}, not a digest (sha256: + 64 or sha512: + 128 hex digits)`,
		{hint: 'The image is damaged or crafted; refused before anything was read by that name'},
	);
}

export function blobPath(digest: string): string {
	const [algorithm, hex] = checkedDigest(digest, 'a descriptor', 'the image').split(':');
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

		const name = blobPath(checkedDigest(digest, 'the image index', where));
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

	throw noPlatform(
		where,
		target,
		candidates.map((candidate) => candidate.platform!),
	);
}

/** Platforms an error line lists before it only counts the rest. */
const maxListedPlatforms = 5;

function noPlatform(where: string, target: PlatformSpec, offered: PlatformSpec[]): LayerlensError {
	const distinct = [...new Set(offered.map(formatPlatform))];
	const listed = distinct.slice(0, maxListedPlatforms).join(', ');
	const more = distinct.length - maxListedPlatforms;
	return new LayerlensError(
		`${where} has no image for platform ${formatPlatform(target)}; it offers ${listed}${more > 0 ? ` and ${more} more` : ''}`,
		{hint: 'Choose one with --platform'},
	);
}

export type IndexChild = {digest: string; descriptor: Record<string, unknown>; isIndex: boolean};

/**
The child of a (registry) index to read, chosen from the platforms the index itself lists, so that only
that child is fetched: the asked platform, else the only child, else the host's. Every child's digest is
checked first. Undefined when some child names no platform and none of those that do fits: then only
reading the children's configs can tell.
*/
export function choosePlatformChild(
	index: Record<string, unknown>,
	where: string,
	wanted: PlatformSpec | undefined,
): IndexChild | undefined {
	const children: Array<IndexChild & {platform: PlatformSpec | undefined}> = [];
	for (const item of asArray(index.manifests)) {
		const descriptor = asRecord(item);
		const digest = checkedDigest(descriptor.digest, 'the image index', where);
		const platform = descriptorPlatform(descriptor);
		if (isAttestation(descriptor, platform)) continue;
		const isIndex = indexTypes.has(asString(descriptor.mediaType) ?? '');
		children.push({digest, descriptor, isIndex, platform});
	}

	if (children.length === 0) {
		throw new LayerlensError(`the image index of ${where} names no image manifest`, {
			hint: 'The image in the registry is damaged; push it again',
		});
	}

	const pick = ({
		platform: _platform,
		...child
	}: IndexChild & {platform: PlatformSpec | undefined}): IndexChild => child;
	if (wanted === undefined && children.length === 1) return pick(children[0]!);
	const target = wanted ?? hostPlatform();
	const match = children.find(
		(child) => child.platform !== undefined && platformMatches(child.platform, target),
	);
	if (match !== undefined) return pick(match);
	// A nested index lists its own platforms: it is read when nothing here fits.
	if (children.some((child) => child.platform === undefined)) return undefined;
	throw noPlatform(
		where,
		target,
		children.map((child) => child.platform!),
	);
}
