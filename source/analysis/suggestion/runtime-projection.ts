import type {PackagePlan} from '../closure/package-owners.js';
import type {RuntimeClosure} from '../closure/runtime-closure.js';
import {fileBytesAt, pathAt} from '../final-file-list.js';
import type {FinalFile, Finding, RuleInput} from '../types.js';
import type {Placements} from './runtime-placements.js';

/** One kept part of the projected runtime image, so the report can say where the bytes come from. */
export type ProjectionPart = {
	label: string;
	bytes: number;
	/** Not measured from this image's own bytes: the range widens by this part's uncertainty. */
	estimated?: boolean;
};

/** Bytes a finding takes out of the runtime stage. */
export type RemovedPart = {ruleId: string; title: string; category: Finding['category']; bytes: number};

export type RuntimeProjection = {
	/** Final-filesystem bytes of the suggested runtime stage: `finalBytes - Σ removed`, to the byte. */
	bytes: number;
	/** The range when part of it is estimated (apt may fetch other versions than the image holds). */
	low: number;
	high: number;
	/** What stays, each part a line: base, closure, packages, app, each other top directory. Adds up to `bytes`. */
	parts: ProjectionPart[];
	/** What goes, by the finding that proves it. Adds up to `finalBytes - bytes`. */
	removed: RemovedPart[];
	/** The image's final filesystem today. */
	finalBytes: number;
};

export const sizeOf = (file: FinalFile) => (file.type === 'file' ? file.size : 0);

/** The projection as lines that add up: kept parts + removed parts = the final filesystem, to the byte. */
export function reconcile(
	input: RuleInput,
	placements: Placements,
	closure: RuntimeClosure,
	packages: PackagePlan,
): RuntimeProjection {
	let finalBytes = 0;
	let base = 0;
	let packaged = 0;
	let closureBytes = 0;
	const byDirectory = new Map<string, number>();
	const removed = new Map<string, RemovedPart>();
	const appDirectory = closure.appDirectory;
	for (let position = 0; position < input.files.length; position++) {
		const bytes = fileBytesAt(input.files, position);
		finalBytes += bytes;
		const placement = placements.at(position);
		if (placement.kind === 'base') base += bytes;
		else if (placement.kind === 'package') packaged += bytes;
		else if (placement.kind === 'removed') {
			const {ruleId, title, category} = placement.finding;
			const part = removed.get(ruleId) ?? {ruleId, title, category, bytes: 0};
			part.bytes += bytes;
			removed.set(ruleId, part);
		} else if (placement.kind === 'copy' && placement.closure) closureBytes += bytes;
		else {
			const path = pathAt(input.files, position);
			const directory =
				appDirectory !== undefined && (path === appDirectory || path.startsWith(`${appDirectory}/`))
					? appDirectory
					: path.includes('/')
						? path.slice(0, path.indexOf('/'))
						: path;
			byDirectory.set(directory, (byDirectory.get(directory) ?? 0) + bytes);
		}
	}

	const parts: ProjectionPart[] = [{label: 'the base image', bytes: base}];
	if (closureBytes > 0)
		parts.push({label: 'files the runtime closure proves the entrypoint needs', bytes: closureBytes});
	if (packages.kept.length > 0 || packaged > 0)
		parts.push({
			label: `${packages.kept.length} package${packages.kept.length === 1 ? '' : 's'} reinstalled, with what their install writes (sizes as in this image)`,
			bytes: packaged,
			estimated: true,
		});
	// Directories of links and empty files only add a line of 0 B: their COPY stays, the line does not.
	const directories = [...byDirectory].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
	for (const [directory, bytes] of directories.slice(0, 8)) {
		parts.push({
			label: directory === appDirectory ? `the app directory /${directory}` : `/${directory}`,
			bytes,
		});
	}

	const rest = directories.slice(8).reduce((sum, [, bytes]) => sum + bytes, 0);
	if (directories.length > 8)
		parts.push({label: `${directories.length - 8} other paths your layers added`, bytes: rest});
	const removedParts = [...removed.values()].sort((a, b) => b.bytes - a.bytes);
	const bytes = finalBytes - removedParts.reduce((sum, part) => sum + part.bytes, 0);
	// Reinstalled packages may come in another version than the image holds, and apt writes its own logs and
	// database: 5 % of that part either way is the margin seen between Debian point releases.
	const margin = parts
		.filter((part) => part.estimated)
		.reduce((sum, part) => sum + Math.ceil(part.bytes * 0.05), 0);
	return {bytes, low: bytes - margin, high: bytes + margin, parts, removed: removedParts, finalBytes};
}
