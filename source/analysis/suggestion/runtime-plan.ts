import {
	indexPackages,
	type PackageIndex,
	packageBytes,
	packagesToInstall,
} from '../closure/package-owners.js';
import {filesUnder, type RuntimeClosure} from '../closure/runtime-closure.js';
import {bytecodeSource} from '../findings/package-databases.js';
import {filesByPath} from '../rule-input.js';
import type {FinalFile, Finding, RuleInput} from '../types.js';
import {isCopyablePath} from './dockerfile-syntax.js';

/** One part of the projected runtime image, so the report can say where the bytes come from. */
export type ProjectionPart = {
	label: string;
	bytes: number;
	/** Not measured from this image's own bytes: the range widens by this part's uncertainty. */
	estimated?: boolean;
};

export type RuntimeProjection = {
	/** Final-filesystem bytes of the suggested runtime stage. */
	bytes: number;
	/** The range when part of it is estimated (apt may fetch other versions than the image holds). */
	low: number;
	high: number;
	parts: ProjectionPart[];
};

/** A `COPY --from=build` of one path, to the same path. */
export type RuntimeCopy = {path: string; chown?: string; bytes: number};

export type RuntimePlan = {
	copies: RuntimeCopy[];
	/** Packages the runtime stage installs by name (apt pulls their dependencies). */
	packages: string[];
	/** Every package that install brings, beyond the base. */
	installedPackages: string[];
	/** The package manager command family, when the base has one. */
	packageManager: 'apt' | undefined;
	projection: RuntimeProjection;
	notes: string[];
};

/** Packages that exist to build, never to run: not reinstalled even when a kept file is theirs. */
const buildPackage =
	/^(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|cpp(-\d+)?|make|cmake|autoconf|automake|libtool|pkg-config|pkgconf|binutils.*|dpkg-dev|.*-dev|golang.*|python3-pip|python3-setuptools|python3-wheel|python3-venv|git|npm|yarnpkg|rustc|cargo|default-jdk.*|openjdk-\d+-jdk.*)$/;

const removesFiles = (finding: Finding) =>
	finding.category === 'build-only' || finding.category === 'cache' || finding.category === 'secret';

/**
Bytes visible in the image after its base layers alone: what `FROM <the same base>` starts with. The
base layers' regular-file bytes minus what a later base layer hid (deleted or overwritten within the base).
*/
export function baseBytes(input: RuleInput, baseLayers: Set<number>): number {
	let bytes = 0;
	for (const layer of input.layers) {
		if (baseLayers.has(layer.index)) bytes += layer.sizeBytes;
	}

	for (const item of input.waste.items) {
		if (baseLayers.has(item.addedInLayer) && baseLayers.has(item.hiddenInLayer)) bytes -= item.bytes;
	}

	return bytes;
}

/** Owner `uid:gid` all copied files share, when it is not root (COPY --from would make them root's). */
function sharedOwner(files: FinalFile[]): string | undefined {
	const first = files[0];
	if (first === undefined || (first.uid === 0 && first.gid === 0)) return undefined;
	return files.every((file) => file.uid === first.uid && file.gid === first.gid)
		? `${first.uid}:${first.gid}`
		: undefined;
}

type CountNode = {children: Map<string, CountNode>; other: number};

/**
The fewest paths that copy exactly `wanted`: a directory is copied whole when no final file below it is left
out (files that will be gone from the build stage anyway, like pruned dev dependencies, do not count);
otherwise it is split. Only directories inside the trees the runtime loads whole are grouped: elsewhere
(usr/local/bin) a directory copy would name more than the closure. The counts live in a trie of path
segments, so the work is linear in the paths' length whatever their depth (a hostile image may nest
100,000 directories).
*/
function copyUnits(
	input: RuleInput,
	wanted: Set<string>,
	goneInBuild: Set<string>,
	trees: string[],
): string[] {
	const treePrefixes = trees.map((tree) => ({
		prefix: tree === '' ? '' : `${tree}/`,
		depth: tree === '' ? 0 : tree.split('/').length,
	}));
	const treeDepth = (path: string) => {
		let depth: number | undefined;
		for (const tree of treePrefixes) {
			if (path.startsWith(tree.prefix) && (depth === undefined || tree.depth < depth)) depth = tree.depth;
		}

		return depth;
	};

	const root: CountNode = {children: new Map(), other: 0};
	for (const file of input.files) {
		if (wanted.has(file.path) || goneInBuild.has(file.path) || treeDepth(file.path) === undefined) continue;
		const segments = file.path.split('/');
		let node = root;
		for (let index = 0; index < segments.length - 1; index++) {
			let child = node.children.get(segments[index]!);
			if (child === undefined) {
				child = {children: new Map(), other: 0};
				node.children.set(segments[index]!, child);
			}

			child.other++;
			node = child;
		}
	}

	const units = new Set<string>();
	for (const path of wanted) {
		const minimum = treeDepth(path);
		const segments = path.split('/');
		let node: CountNode | undefined = root;
		let chosen = segments.length;
		for (let depth = 1; depth < segments.length; depth++) {
			node = node?.children.get(segments[depth - 1]!);
			if (!isCopyablePath(segments[depth - 1]!)) break;
			if (minimum !== undefined && depth >= minimum && (node === undefined || node.other === 0)) {
				chosen = depth;
				break;
			}
		}

		units.add(chosen === segments.length ? path : segments.slice(0, chosen).join('/'));
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
What the runtime stage must hold beyond `FROM <the same base>`, and its size measured from this image's own
bytes: every closure file that a base layer does not already provide, either reinstalled as the package
that owns it (so the package manager keeps its database right) or copied from the build stage.
*/
export function planRuntime(
	input: RuleInput,
	findings: Finding[],
	closure: RuntimeClosure,
	baseLayers: Set<number>,
	options: {prunedInBuild?: Set<string>} = {},
): RuntimePlan {
	const files = filesByPath(input);
	const notes: string[] = [];
	const removable = new Set(findings.filter(removesFiles).flatMap((finding) => finding.paths));
	const index: PackageIndex = indexPackages(input, baseLayers);
	const hasApt = index.packages.size > 0 && (files.has('usr/bin/apt-get') || files.has('bin/apt-get'));

	const needed = new Set<string>(closure.proven);
	for (const file of filesUnder(input.files, closure.trees)) {
		if (!removable.has(file.path) || closure.proven.has(file.path)) needed.add(file.path);
	}

	const wantedCopies = new Set<string>();
	const wantedPackages = new Set<string>();
	for (const path of needed) {
		const file = files.get(path);
		if (file === undefined || baseLayers.has(file.layer)) continue;
		const owner = index.ownerOf.get(path);
		if (hasApt && owner !== undefined && !index.inBase.has(owner)) {
			if (!buildPackage.test(owner) || closure.proven.has(path)) wantedPackages.add(owner);
			continue;
		}

		if (owner !== undefined && index.inBase.has(owner) && !hasApt) {
			continue;
		}

		// Bytecode a reinstalled package's postinst writes again beside its own sources.
		const source = bytecodeSource(path);
		const sourceOwner = source === undefined ? undefined : index.ownerOf.get(source);
		if (sourceOwner !== undefined && !index.inBase.has(sourceOwner)) continue;
		if (isCopyablePath(path)) wantedCopies.add(path);
		else notes.push(`\`${JSON.stringify(path)}\` has characters a COPY cannot name safely: copy it by hand`);
	}

	const installedPackages = packagesToInstall(index, wantedPackages);
	// Name only the packages no other named package already pulls in: the line stays what a person would write.
	const reachedByOthers = new Set<string>();
	for (const name of wantedPackages) {
		for (const other of packagesToInstall(index, [name])) {
			if (other !== name) reachedByOthers.add(other);
		}
	}

	const packages = [...wantedPackages].filter((name) => !reachedByOthers.has(name)).sort();
	const units = copyUnits(input, wantedCopies, options.prunedInBuild ?? new Set(), closure.trees);
	const copies: RuntimeCopy[] = units.map((unit) => {
		const copied = files.has(unit)
			? [files.get(unit)!]
			: filesUnder(input.files, [unit]).filter((file) => wantedCopies.has(file.path));
		const chown = sharedOwner(copied);
		return {
			path: unit,
			...(chown === undefined ? {} : {chown}),
			bytes: copied.reduce((sum, file) => sum + (file.type === 'file' ? file.size : 0), 0),
		};
	});

	const parts: ProjectionPart[] = [{label: 'the base image', bytes: baseBytes(input, baseLayers)}];
	const copiedBytes = copies.reduce((sum, copy) => sum + copy.bytes, 0);
	if (copies.length > 0)
		parts.push({
			label: `${copies.length} path${copies.length === 1 ? '' : 's'} copied from the build stage`,
			bytes: copiedBytes,
		});
	if (installedPackages.length > 0) {
		const bytes = packageBytes(index, installedPackages, files) + bytecodeOf(input, index, installedPackages);
		parts.push({
			label: `${installedPackages.length} package${installedPackages.length === 1 ? '' : 's'} reinstalled (sizes as in this image)`,
			bytes,
			estimated: true,
		});
	}

	const total = parts.reduce((sum, part) => sum + part.bytes, 0);
	// Reinstalled packages may come in another version than the image holds, and apt writes its own logs and
	// database: 5 % of that part either way is the margin seen between Debian point releases.
	const margin = parts
		.filter((part) => part.estimated)
		.reduce((sum, part) => sum + Math.ceil(part.bytes * 0.05), 0);
	return {
		copies,
		packages,
		installedPackages,
		packageManager: hasApt ? 'apt' : undefined,
		projection: {bytes: total, low: total - margin, high: total + margin, parts},
		notes,
	};
}

/**
Python packages ship sources; their postinst byte-compiles them into `__pycache__` beside them, so a
reinstall recreates that bytecode: count the `.pyc` files next to the packages' own `.py` files.
*/
function bytecodeOf(input: RuleInput, index: PackageIndex, names: string[]): number {
	const sources = new Set<string>();
	for (const name of names) {
		for (const path of index.filesOf.get(name) ?? []) {
			if (path.endsWith('.py')) sources.add(path);
		}
	}

	let bytes = 0;
	for (const file of input.files) {
		const source = bytecodeSource(file.path);
		if (source !== undefined && sources.has(source) && !index.ownerOf.has(file.path) && file.type === 'file')
			bytes += file.size;
	}

	return bytes;
}
