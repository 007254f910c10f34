import {normalisePath} from '../closure/resolve-path.js';
import {fileViewAt, pathAt, typeAt} from '../final-file-list.js';
import type {FinalFileList, RuleInput} from '../types.js';
import {isCopyablePath} from './dockerfile-syntax.js';
import type {Placements} from './runtime-placements.js';
import {sizeOf} from './runtime-projection.js';

/** A `COPY --from=build` of one path, to the same path. */
export type RuntimeCopy = {path: string; chown?: string; bytes: number};

/**
The fewest paths that copy exactly the wanted files (`wantedPaths`, each once; `isWanted` by position):
the outermost directory below which every final file is wanted (or will be gone from the build stage
anyway, like pruned dev dependencies); a directory that also holds a base file, a package's file or a
removed file is split. The blocked directories are a set of path prefixes, each file marking its parent and
the ancestors not yet marked, so the work is linear in the paths' length whatever their depth; files come
grouped by directory, so a file in the directory just seen costs no lookup.
*/
function copyUnits(
	files: FinalFileList,
	isWanted: (position: number) => boolean,
	wantedPaths: readonly string[],
	goneInBuild: Set<string>,
): string[] {
	const blocked = new Set<string>();
	let lastBlocked = '';
	for (let position = 0; position < files.length; position++) {
		const path = pathAt(files, position);
		if (isWanted(position) || goneInBuild.has(path)) continue;
		const parent = path.lastIndexOf('/');
		if (parent > 0 && parent === lastBlocked.length && path.startsWith(lastBlocked)) continue;
		// A marked directory has its ancestors marked already.
		for (let slash = parent; slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
			const directory = path.slice(0, slash);
			if (slash === parent) lastBlocked = directory;
			if (blocked.has(directory)) break;
			blocked.add(directory);
		}
	}

	const units = new Set<string>();
	const unitOfDirectory = new Map<string, string | undefined>();
	for (const path of wantedPaths) {
		const parent = path.lastIndexOf('/');
		if (parent <= 0) {
			units.add(outermostUnit(path, blocked) ?? path);
			continue;
		}

		const directory = path.slice(0, parent);
		let unit = unitOfDirectory.get(directory);
		if (unit === undefined && !unitOfDirectory.has(directory)) {
			unit = outermostUnit(path, blocked);
			unitOfDirectory.set(directory, unit);
		}

		units.add(unit ?? path);
	}

	// Sorted, a unit inside another directly follows it (or one inside it): keep only the outermost.
	const result: string[] = [];
	for (const unit of [...units].sort()) {
		const last = result.at(-1);
		if (last === undefined || !unit.startsWith(`${last}/`)) result.push(unit);
	}

	return result;
}

/**
The outermost directory of `path` that holds no blocked file, through copyable names only, or undefined
(the path is its own unit). Only the path's directories are read: the answer is its parent directory's.
*/
function outermostUnit(path: string, blocked: Set<string>): string | undefined {
	let start = 0;
	for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
		if (!isCopyablePath(path.slice(start, slash))) break;
		const directory = path.slice(0, slash);
		if (!blocked.has(directory)) return directory;
		start = slash + 1;
	}

	return undefined;
}

/** The owner all of a copy's files share so far (undefined once one differs or the first is root's). */
type UnitOwner = {uid: number; gid: number; shared: boolean};

/** The `COPY --from=build` lines: the copied files grouped by their units, with their bytes and owner. */
export function runtimeCopies(
	input: RuleInput,
	placements: Placements,
	prunedInBuild: Set<string>,
	notes: string[],
): RuntimeCopy[] {
	// By position (a path listed twice: at its later file's), and each path once in order.
	const wanted = new Uint8Array(input.files.length);
	const wantedPaths: string[] = [];
	placements.forEachPath((path, position, placement) => {
		if (placement.kind !== 'copy') return;
		if (isCopyablePath(path)) {
			wanted[position] = 1;
			wantedPaths.push(path);
		} else
			notes.push(`\`${JSON.stringify(path)}\` has characters a COPY cannot name safely: copy it by hand`);
	});

	const isWanted = (position: number) => wanted[placements.canonical(position)] === 1;
	const units = copyUnits(input.files, isWanted, wantedPaths, prunedInBuild);
	const underUnit = unitFinder(new Set(units));
	const copiedLinkTo = new Map<string, string>();
	for (let position = 0; position < input.files.length; position++) {
		if (placements.at(position).kind !== 'copy' || typeAt(input.files, position) !== 'hardlink') continue;
		const file = input.files.at(position)!;
		if (file.linkTarget !== undefined) copiedLinkTo.set(normalisePath(file.linkTarget), file.path);
	}

	const owners = new Map<string, UnitOwner>();
	const unitBytes = new Map<string, number>();
	for (let position = 0; position < input.files.length; position++) {
		const {kind} = placements.at(position);
		if (kind !== 'copy' && kind !== 'linked') continue;
		const file = fileViewAt(input.files, position);
		// A linked target's bytes go with the copy that holds a link to it.
		const link = kind === 'copy' ? file.path : copiedLinkTo.get(file.path);
		const unit = link === undefined ? undefined : underUnit(link);
		if (unit === undefined) continue;
		if (kind === 'copy') {
			const owner = owners.get(unit);
			if (owner === undefined) owners.set(unit, {uid: file.uid, gid: file.gid, shared: true});
			else if (owner.uid !== file.uid || owner.gid !== file.gid) owner.shared = false;
		}
		unitBytes.set(unit, (unitBytes.get(unit) ?? 0) + sizeOf(file));
	}

	return units.map((unit) => {
		const chown = sharedOwner(owners.get(unit));
		return {path: unit, ...(chown === undefined ? {} : {chown}), bytes: unitBytes.get(unit) ?? 0};
	});
}

/** Owner `uid:gid` all copied files share, when it is not root (COPY --from would make them root's). */
function sharedOwner(owner: UnitOwner | undefined): string | undefined {
	if (owner === undefined || (owner.uid === 0 && owner.gid === 0) || !owner.shared) return undefined;
	return `${owner.uid}:${owner.gid}`;
}

/**
The unit a path is copied by: the path itself, or its nearest directory that is a unit. Files share
directories, so each directory's answer is kept rather than every file walking its ancestors again.
*/
function unitFinder(units: Set<string>): (path: string) => string | undefined {
	const ofDirectory = new Map<string, string | undefined>();
	// A loop, not recursion: a hostile path can be 100,000 directories deep.
	const inDirectory = (directory: string): string | undefined => {
		if (units.size === 0) return undefined;
		const unanswered: string[] = [];
		let unit: string | undefined;
		let current = directory;
		for (;;) {
			if (units.has(current)) {
				unit = current;
				break;
			}

			if (ofDirectory.has(current)) {
				unit = ofDirectory.get(current);
				break;
			}

			unanswered.push(current);
			const slash = current.lastIndexOf('/');
			if (slash <= 0) break;
			current = current.slice(0, slash);
		}

		for (const each of unanswered) ofDirectory.set(each, unit);
		return unit;
	};

	// Files come grouped by directory: the one just answered is checked first, without a lookup.
	let lastDirectory = '';
	let lastUnit: string | undefined;
	return (path) => {
		if (units.has(path)) return path;
		const slash = path.lastIndexOf('/');
		if (slash <= 0) return undefined;
		if (slash === lastDirectory.length && path.startsWith(lastDirectory)) return lastUnit;
		lastDirectory = path.slice(0, slash);
		lastUnit = inDirectory(lastDirectory);
		return lastUnit;
	};
}
