import {createHash} from 'node:crypto';
import type {ImageSpec} from './image-spec.js';
import type {PreparedLayer} from './layer-blob.js';

/** The JSON documents of an image archive, built from the spec and the measured layers. */

export type Platform = {os: string; architecture: string; variant?: string};

export type Descriptor = {
	mediaType: string;
	digest: string;
	size: number;
	platform?: Platform;
	annotations?: Record<string, string>;
};

/** A JSON document as stored: its exact bytes and their digest. */
export type JsonBlob = {bytes: Buffer; digest: string; hex: string};

const defaultCreated = '2024-01-01T00:00:00Z';

export const mediaTypes = {
	config: 'application/vnd.oci.image.config.v1+json',
	manifest: 'application/vnd.oci.image.manifest.v1+json',
	index: 'application/vnd.oci.image.index.v1+json',
} as const;

export function jsonBlob(value: unknown): JsonBlob {
	const bytes = Buffer.from(JSON.stringify(value));
	const hex = createHash('sha256').update(bytes).digest('hex');
	return {bytes, digest: `sha256:${hex}`, hex};
}

export function specPlatform(spec: ImageSpec): Platform {
	const platform: Platform = {os: spec.os ?? 'linux', architecture: spec.architecture ?? 'amd64'};
	if (spec.variant !== undefined) {
		platform.variant = spec.variant;
	}

	return platform;
}

type HistoryJson = {created: string; created_by?: string; empty_layer?: true};

/** History in build order: each layer's entry, with the empty-layer entries placed before their layer. */
export function historyOf(spec: ImageSpec): HistoryJson[] {
	const created = spec.created ?? defaultCreated;
	const empties = spec.emptyHistory ?? [];
	const emptyEntry = (createdBy: string): HistoryJson => ({
		created,
		created_by: createdBy,
		empty_layer: true,
	});
	const history: HistoryJson[] = [];
	spec.layers.forEach((layer, index) => {
		for (const empty of empties) {
			if (empty.beforeLayer === index) {
				history.push(emptyEntry(empty.createdBy));
			}
		}

		history.push(layer.createdBy === undefined ? {created} : {created, created_by: layer.createdBy});
	});
	for (const empty of empties) {
		if (empty.beforeLayer === undefined || empty.beforeLayer >= spec.layers.length) {
			history.push(emptyEntry(empty.createdBy));
		}
	}

	return spec.historyLimit === undefined ? history : history.slice(0, spec.historyLimit);
}

function asKeySet(values: string[] | undefined): Record<string, Record<string, never>> | undefined {
	return values === undefined || values.length === 0
		? undefined
		: Object.fromEntries(values.map((value) => [value, {}]));
}

/** The image config JSON (`<id>.json` / config blob), with docker's capitalised runtime keys. */
export function imageConfigJson(spec: ImageSpec, layers: PreparedLayer[], platform: Platform): unknown {
	const runtime = spec.config ?? {};
	const config = {
		User: runtime.user,
		ExposedPorts: asKeySet(runtime.exposedPorts),
		Env: runtime.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
		Entrypoint: runtime.entrypoint,
		Cmd: runtime.cmd,
		Volumes: asKeySet(runtime.volumes),
		WorkingDir: runtime.workingDir,
		Labels: runtime.labels,
		StopSignal: runtime.stopSignal,
		Shell: runtime.shell,
		Healthcheck: runtime.healthcheck === undefined ? undefined : {Test: runtime.healthcheck},
	};
	const history = historyOf(spec);
	return {
		architecture: platform.architecture,
		os: platform.os,
		...(platform.variant === undefined ? {} : {variant: platform.variant}),
		created: spec.created ?? defaultCreated,
		config,
		...(spec.historyLimit === 0 ? {} : {history}),
		rootfs: {type: 'layers', diff_ids: layers.map((layer) => layer.diffId)},
	};
}

export function ociManifestJson(config: JsonBlob, layers: PreparedLayer[]): unknown {
	return {
		schemaVersion: 2,
		mediaType: mediaTypes.manifest,
		config: {mediaType: mediaTypes.config, digest: config.digest, size: config.bytes.byteLength},
		layers: layers.map((layer) => ({
			mediaType: layer.mediaType,
			digest: layer.digest,
			size: layer.sizeBytes,
		})),
	};
}

export function ociIndexJson(manifests: Descriptor[]): unknown {
	return {schemaVersion: 2, mediaType: mediaTypes.index, manifests};
}

/** Docker's legacy per-layer directory id: a chain over the diff IDs so equal layers at different depths differ. */
export function legacyLayerIds(layers: PreparedLayer[]): string[] {
	const ids: string[] = [];
	let parent = '';
	for (const layer of layers) {
		parent = createHash('sha256').update(`${parent}\n${layer.diffId}`).digest('hex');
		ids.push(parent);
	}

	return ids;
}
