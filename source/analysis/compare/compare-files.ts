import type {
	ChangedAttribute,
	ComparedFile,
	DirectoryDelta,
	FileChange,
	FileComparison,
	TopChange,
} from './types.js';

function parentOf(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash === -1 ? '' : path.slice(0, slash);
}

/** What differs between two versions of a path, the modification time last. */
export function changedAttributes(a: ComparedFile, b: ComparedFile): ChangedAttribute[] {
	const attributes: ChangedAttribute[] = [];
	if (a.type !== b.type) attributes.push('type');
	if (a.hash !== b.hash) attributes.push('content');
	if (a.size !== b.size) attributes.push('size');
	if (a.mode !== b.mode) attributes.push('mode');
	if (a.uid !== b.uid || a.gid !== b.gid) attributes.push('owner');
	if (a.linkTarget !== b.linkTarget) attributes.push('link');
	if (a.mtime !== b.mtime) attributes.push('mtime');
	return attributes;
}

/**
The directories a side has, explicit or implied by a path below them: a directory is there when an entry
names it or when any path sits in it. One set insertion per path.
*/
function directoriesOf(files: readonly ComparedFile[]): Set<string> {
	const directories = new Set<string>(['']);
	for (const file of files) {
		if (file.type === 'dir') directories.add(file.path);
		directories.add(parentOf(file.path));
	}

	return directories;
}

/**
Match two final filesystems by path: one Map per side, one lookup per path, so the cost is linear in the
number of paths. Byte deltas are summed into the directories above each change (only changed paths pay).
*/
export function compareFiles(
	filesA: readonly ComparedFile[],
	filesB: readonly ComparedFile[],
	options: {timestamps?: boolean} = {},
): FileComparison {
	const byPathA = new Map<string, ComparedFile>();
	for (const file of filesA) byPathA.set(file.path, file);
	const byPathB = new Map<string, ComparedFile>();
	for (const file of filesB) byPathB.set(file.path, file);

	const changes: FileChange[] = [];
	let unchanged = 0;
	let timestampOnly = 0;
	for (const b of filesB) {
		const a = byPathA.get(b.path);
		if (a === undefined) {
			changes.push({
				path: b.path,
				kind: 'added',
				type: b.type,
				sizeA: 0,
				sizeB: b.size,
				deltaBytes: b.size,
				attributes: [],
			});
			continue;
		}

		const attributes = changedAttributes(a, b);
		// A rebuild rewrites every time stamp (and a directory's changes with anything in it): noise by default.
		const onlyTime = attributes.length === 1 && attributes[0] === 'mtime';
		if (onlyTime) timestampOnly++;
		if (attributes.length === 0 || (onlyTime && !options.timestamps)) {
			unchanged++;
			continue;
		}

		changes.push({
			path: b.path,
			kind: 'changed',
			type: b.type,
			sizeA: a.size,
			sizeB: b.size,
			deltaBytes: b.size - a.size,
			attributes: options.timestamps ? attributes : attributes.filter((name) => name !== 'mtime'),
		});
	}

	for (const a of filesA) {
		if (!byPathB.has(a.path)) {
			changes.push({
				path: a.path,
				kind: 'removed',
				type: a.type,
				sizeA: a.size,
				sizeB: 0,
				deltaBytes: -a.size,
				attributes: [],
			});
		}
	}

	changes.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
	return {
		changes,
		unchanged,
		timestampOnly,
		directories: directoryDeltas(changes),
		topChanges: topChanges(changes, filesA, filesB),
	};
}

function directoryDeltas(changes: readonly FileChange[]): DirectoryDelta[] {
	const byPath = new Map<string, DirectoryDelta>();
	for (const change of changes) {
		let directory = change.path;
		do {
			directory = parentOf(directory);
			let delta = byPath.get(directory);
			if (delta === undefined) {
				delta = {
					path: directory,
					deltaBytes: 0,
					addedBytes: 0,
					removedBytes: 0,
					added: 0,
					removed: 0,
					changed: 0,
				};
				byPath.set(directory, delta);
			}

			delta.deltaBytes += change.deltaBytes;
			if (change.deltaBytes > 0) delta.addedBytes += change.deltaBytes;
			else delta.removedBytes -= change.deltaBytes;
			if (change.type !== 'dir') delta[change.kind]++;
		} while (directory !== '');
	}

	return [...byPath.values()].sort((left, right) =>
		left.path < right.path ? -1 : left.path > right.path ? 1 : 0,
	);
}

/**
A path added under a directory A never had is part of that directory's row (the topmost such one), and
the same for removals; changed paths are rows of their own.
*/
function topChanges(
	changes: readonly FileChange[],
	filesA: readonly ComparedFile[],
	filesB: readonly ComparedFile[],
): TopChange[] {
	const rows = new Map<string, TopChange>();
	let directoriesA: Set<string> | undefined;
	let directoriesB: Set<string> | undefined;
	for (const change of changes) {
		let key = change.path;
		let isDirectory = change.type === 'dir';
		if (change.kind !== 'changed') {
			if (change.kind === 'added' && directoriesA === undefined) directoriesA = directoriesOf(filesA);
			if (change.kind === 'removed' && directoriesB === undefined) directoriesB = directoriesOf(filesB);
			const other = change.kind === 'added' ? directoriesA! : directoriesB!;
			let slash = change.path.indexOf('/');
			while (slash !== -1) {
				const ancestor = change.path.slice(0, slash);
				if (!other.has(ancestor)) {
					key = ancestor;
					isDirectory = true;
					break;
				}

				slash = change.path.indexOf('/', slash + 1);
			}
		}

		let row = rows.get(key);
		if (row === undefined) {
			row = {path: key, kind: change.kind, isDirectory, deltaBytes: 0, files: 0};
			rows.set(key, row);
		}

		row.deltaBytes += change.deltaBytes;
		if (change.type !== 'dir') row.files++;
	}

	return [...rows.values()]
		.filter((row) => row.deltaBytes !== 0 || row.files > 0 || !row.isDirectory)
		.sort(
			(left, right) =>
				Math.abs(right.deltaBytes) - Math.abs(left.deltaBytes) ||
				(left.path < right.path ? -1 : left.path > right.path ? 1 : 0),
		);
}
