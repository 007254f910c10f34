import type {HistoryRecord, RuntimeConfig} from '../types.js';

/** The parts of an image config JSON the analysis needs, read defensively: builders omit or mistype fields. */
export type ImageConfig = {
	os: string;
	architecture: string;
	variant?: string;
	created?: string;
	config: RuntimeConfig;
	history: HistoryRecord[];
	diffIds: string[];
};

type Json = Record<string, unknown>;

const asRecord = (value: unknown): Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const asStrings = (value: unknown): string[] | undefined =>
	Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
const keysOf = (value: unknown): string[] => Object.keys(asRecord(value));

function runtimeConfig(raw: Json): RuntimeConfig {
	const labels: Record<string, string> = {};
	for (const [key, value] of Object.entries(asRecord(raw.Labels))) {
		if (typeof value === 'string') {
			labels[key] = value;
		}
	}

	const config: RuntimeConfig = {
		env: asStrings(raw.Env) ?? [],
		exposedPorts: keysOf(raw.ExposedPorts),
		labels,
		volumes: keysOf(raw.Volumes),
	};
	const optional = {
		cmd: asStrings(raw.Cmd),
		entrypoint: asStrings(raw.Entrypoint),
		workingDir: asString(raw.WorkingDir) || undefined,
		user: asString(raw.User) || undefined,
		stopSignal: asString(raw.StopSignal),
		shell: asStrings(raw.Shell),
		healthcheck: asStrings(asRecord(raw.Healthcheck).Test),
	};
	for (const [key, value] of Object.entries(optional)) {
		if (value !== undefined) {
			(config as Record<string, unknown>)[key] = value;
		}
	}

	return config;
}

function historyRecord(raw: unknown): HistoryRecord {
	const entry = asRecord(raw);
	const record: HistoryRecord = {emptyLayer: entry.empty_layer === true};
	const created = asString(entry.created);
	const createdBy = asString(entry.created_by);
	const comment = asString(entry.comment);
	const author = asString(entry.author);
	if (created !== undefined) record.created = created;
	if (createdBy !== undefined) record.createdBy = createdBy;
	if (comment !== undefined) record.comment = comment;
	if (author !== undefined) record.author = author;
	return record;
}

/** Read an image config (OCI or docker; `config` or the legacy `container_config`). */
export function parseImageConfig(json: unknown): ImageConfig {
	const root = asRecord(json);
	const runtime = asRecord(root.config ?? root.container_config);
	const history = Array.isArray(root.history) ? root.history.map(historyRecord) : [];
	const result: ImageConfig = {
		os: asString(root.os) ?? 'linux',
		architecture: asString(root.architecture) ?? 'unknown',
		config: runtimeConfig(runtime),
		history,
		diffIds: asStrings(asRecord(root.rootfs).diff_ids) ?? [],
	};
	const variant = asString(root.variant);
	const created = asString(root.created);
	if (variant !== undefined) result.variant = variant;
	if (created !== undefined) result.created = created;
	return result;
}
