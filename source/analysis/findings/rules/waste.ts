import type {PathGroup, WasteItem} from '../../types.js';
import {packageOwnedPaths} from '../package-databases.js';
import type {FindingDraft, Rule, RuleContext} from '../rule-context.js';

type WasteKind = {
	ruleId: string;
	title: string;
	evidence: (added: string, hidden: string) => string;
	fix: string;
};

const kinds = {
	deleted: {
		ruleId: 'LL-WASTE-DELETED',
		title: 'Files deleted in a later layer still ship in the layer that added them',
		evidence: (added, hidden) =>
			`layer mechanics: whiteouts in \`${hidden}\` delete files added by \`${added}\``,
		fix: 'Keep them out of the build context (.dockerignore) or copy only what the image needs: a later step cannot take back what a COPY stored',
	},
	deletedAfterRun: {
		ruleId: 'LL-WASTE-DELETED',
		title: 'Files deleted in a later layer still ship in the layer that added them',
		evidence: (added, hidden) =>
			`layer mechanics: whiteouts in \`${hidden}\` delete files added by \`${added}\``,
		fix: 'Delete the files in the same step that creates them, or create them in a builder stage and copy only what is needed',
	},
	directoryDeleted: {
		ruleId: 'LL-WASTE-DIR-DELETED',
		title: 'Directories deleted in a later layer still ship in the layer that added them',
		evidence: (added, hidden) =>
			`layer mechanics: a directory whiteout or opaque marker in \`${hidden}\` hides what \`${added}\` added`,
		fix: 'Create and remove the directory in the same RUN, or build it in a builder stage',
	},
	directoryCopiedThenDeleted: {
		ruleId: 'LL-WASTE-DIR-DELETED',
		title: 'Directories deleted in a later layer still ship in the layer that added them',
		evidence: (added, hidden) =>
			`layer mechanics: a directory whiteout or opaque marker in \`${hidden}\` hides what \`${added}\` added`,
		fix: 'Keep the directory out of the build context (.dockerignore) or copy only what the image needs: a later step cannot take back what a COPY stored',
	},
	lateCleanup: {
		ruleId: 'LL-WASTE-LATE-CLEANUP',
		title: 'Cleanup in a later RUN does not shrink the image',
		evidence: (added, hidden) =>
			`layer mechanics: \`${hidden}\` deletes what \`${added}\` created; the bytes stay in the earlier layer`,
		fix: 'Do the cleanup in the same RUN as the install (cmd && rm -rf …), or use a cache mount',
	},
	overwritten: {
		ruleId: 'LL-WASTE-OVERWRITTEN',
		title: 'Files overwritten by a later layer',
		evidence: (added, hidden) =>
			`layer mechanics: \`${hidden}\` writes new content over files from \`${added}\``,
		fix: 'Write each file once: order the COPY/RUN steps so the final version is the only one',
	},
	recopied: {
		ruleId: 'LL-WASTE-RECOPIED',
		title: 'Files copied again with identical content by a later COPY',
		evidence: (added, hidden) =>
			`layer mechanics: \`${hidden}\` copies the same content as \`${added}\` again`,
		fix: 'Copy each file once; copying package manifests before the sources for layer caching is the one case worth keeping',
	},
	copyUp: {
		ruleId: 'LL-WASTE-COPY-UP',
		title: 'Files copied again with identical content (chmod/chown/touch in a later layer)',
		evidence: (added, hidden) =>
			`layer mechanics: \`${hidden}\` stores the same content hash as \`${added}\` again (metadata change)`,
		fix: 'Use COPY --chown/--chmod, or change ownership and mode in the RUN that creates the files',
	},
	copyUpByRun: {
		ruleId: 'LL-WASTE-COPY-UP',
		title: 'Files copied again with identical content (rewritten by a later RUN)',
		evidence: (added, hidden) =>
			`layer mechanics: \`${hidden}\` wrote the same bytes again over files from \`${added}\`, so the layer stores them twice`,
		fix: 'Make the step leave those files alone (or produce them in that step only), so the layer below keeps the only copy',
	},
	copyUpByNpmInstall: {
		ruleId: 'LL-WASTE-COPY-UP',
		title: 'Files copied again with identical content (npm install rewrote the manifests)',
		evidence: (added, hidden) =>
			`layer mechanics: \`${hidden}\` rewrote package.json/package-lock.json that \`${added}\` copied in, with the same bytes`,
		fix: 'Install with `npm ci`, which reads package-lock.json without rewriting it (or commit the lockfile `npm install` writes)',
	},
	copyUpOfHostModules: {
		ruleId: 'LL-WASTE-COPY-UP',
		title: "Files copied again with identical content (an install rewrote the host's node_modules)",
		evidence: (added, hidden) =>
			`layer mechanics: \`${hidden}\` rewrote node_modules files that \`${added}\` copied in from the build context, with the same bytes`,
		fix: "Keep the host's node_modules out of the build context (.dockerignore) and let the install create it",
	},
} satisfies Record<string, WasteKind>;

function isRun(instruction: string | undefined): boolean {
	return (instruction ?? '').startsWith('RUN ');
}

function isCopy(instruction: string | undefined): boolean {
	return /^(COPY|ADD)\s/.test(instruction ?? '');
}

const npmManifest = /(^|\/)(package\.json|package-lock\.json|npm-shrinkwrap\.json)$/;

/** Which step rewrote identical bytes, and so which fix applies. */
function sameContentKind(context: RuleContext, item: WasteItem): WasteKind {
	const hidden = context.input.layers[item.hiddenInLayer]?.instruction;
	if (!isRun(hidden)) {
		// A COPY that stores the same bytes again re-copied them.
		return kinds.recopied;
	}

	const command = hidden!.slice('RUN '.length);
	const installs = /\b(npm|yarn|pnpm)\s+(install|i|ci|update|add)\b/.test(command);
	// An install step rewriting what a COPY brought is not a metadata change: `COPY --chown` would not help.
	if (installs && /(^|\/)node_modules\//.test(item.path)) {
		return kinds.copyUpOfHostModules;
	}

	if (installs && npmManifest.test(item.path)) {
		return kinds.copyUpByNpmInstall;
	}

	return /\b(chmod|chown|chgrp|touch|setfacl|setcap)\b/.test(command) ? kinds.copyUp : kinds.copyUpByRun;
}

function kindOf(context: RuleContext, item: WasteItem): WasteKind {
	if (item.sameContent) {
		return sameContentKind(context, item);
	}

	if (item.cause === 'overwritten') {
		return kinds.overwritten;
	}

	const added = context.input.layers[item.addedInLayer]?.instruction;
	const hidden = context.input.layers[item.hiddenInLayer]?.instruction;
	if (isRun(added) && isRun(hidden)) {
		return kinds.lateCleanup;
	}

	// Only what a COPY/ADD brought from the build context can be kept out by .dockerignore.
	if (item.cause === 'deleted') {
		return isCopy(added) ? kinds.deleted : kinds.deletedAfterRun;
	}

	return isCopy(added) ? kinds.directoryCopiedThenDeleted : kinds.directoryDeleted;
}

/** The fix when the adding layer is the base image's (and the app's layers did the hiding). */
const baseWasteFix =
	'From the base image: these files came with it, and deleting or rewriting them in your layers cannot shrink its layer (it only adds one); choose another base image, or leave them alone';

const packageManifest =
	/(^|\/)(package\.json|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|requirements[^/]*\.txt|Pipfile(\.lock)?|poetry\.lock|pyproject\.toml|go\.(mod|sum)|Gemfile(\.lock)?|composer\.(json|lock)|pom\.xml|build\.gradle(\.kts)?)$/;

/** Groups hidden items by their top entry below the shared directory, with the hidden (stored) bytes. */
function groupItems(items: WasteItem[]): PathGroup[] {
	const groups = new Map<string, PathGroup>();
	const shared = items.length === 1 ? undefined : items.map((item) => item.path.split('/'));
	let depth = shared ? Math.min(...shared.map((parts) => parts.length - 1)) : 0;
	if (shared) {
		for (let index = 0; index < depth; index++) {
			if (shared.some((parts) => parts[index] !== shared[0]![index])) {
				depth = index;
				break;
			}
		}
	}

	for (const item of items) {
		const parts = item.path.split('/');
		const key = shared && parts.length > depth + 1 ? `${parts.slice(0, depth + 1).join('/')}/` : item.path;
		const group = groups.get(key) ?? {path: key, count: 0, bytes: 0};
		group.count++;
		group.bytes += item.bytes;
		groups.set(key, group);
	}

	return [...groups.values()].sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
}

/** Files that installing packages or adding users rewrites by design: dpkg/apk/debconf state, the loader cache, logs, accounts. */
const systemBookkeeping =
	/^(var\/lib\/(dpkg|ucf)\/|var\/lib\/apt\/extended_states$|var\/cache\/(debconf|ldconfig)\/|var\/log\/|lib\/apk\/db\/|etc\/apk\/world$|etc\/ld\.so\.cache$|etc\/(passwd|group|shadow|gshadow|subuid|subgid)-?$)/;

/** One finding per kind and (adding layer, hiding layer) pair, so each fix names the two steps. */
export const hiddenWasteRule: Rule = (context) => {
	const buckets = new Map<string, {kind: WasteKind; items: WasteItem[]}>();
	for (const item of context.input.waste.items) {
		// What the base image's own layers hid is its history, not this image's doing (like its caches); and the
		// package and account databases every install or useradd rewrites are bookkeeping no step can avoid.
		if (
			context.baseLayers.has(item.addedInLayer) &&
			(context.baseLayers.has(item.hiddenInLayer) || systemBookkeeping.test(item.path))
		) {
			continue;
		}

		const kind = kindOf(context, item);
		const key = `${kind.ruleId} ${kind.title} ${item.addedInLayer} ${item.hiddenInLayer}`;
		const bucket = buckets.get(key) ?? {kind, items: []};
		bucket.items.push(item);
		buckets.set(key, bucket);
	}

	const drafts: FindingDraft[] = [];
	for (const {kind, items} of buckets.values()) {
		const first = items[0]!;
		const added = context.input.layers[first.addedInLayer]?.instruction ?? `layer ${first.addedInLayer}`;
		const hidden = context.input.layers[first.hiddenInLayer]?.instruction ?? `layer ${first.hiddenInLayer}`;
		const bytes = items.reduce((sum, item) => sum + item.bytes, 0);
		// Manifests copied first so `npm install` stays cached are re-copied on purpose: say so, quietly.
		const manifestsOnly = items.every((item) => packageManifest.test(item.path));
		drafts.push({
			ruleId: kind.ruleId,
			category: 'waste',
			confidence: kind === kinds.recopied && manifestsOnly ? 'low' : 'high',
			title: kind.title,
			evidence: [
				kind.evidence(added, hidden),
				`${items.length} ${items.length === 1 ? 'file' : 'files'}, ${bytes} bytes stored in layer ${first.addedInLayer}`,
			],
			paths: items.map((item) => item.path),
			fix: kind.fix,
			baseFix: baseWasteFix,
			hidden: {bytes, layerIndex: first.addedInLayer, groups: groupItems(items)},
		});
	}

	return drafts;
};

const packageManaged = /(^|\/)(node_modules|site-packages|dist-packages)\//;
/** Package managers' own state: their bookkeeping repeats itself by design (dpkg's per-package triggers). */
const packageManagerState = /^(var\/lib\/(dpkg|apt|rpm)|lib\/apk|var\/cache)\//;
/** Account databases that useradd/groupadd keep in step (subuid and subgid often hold the same line). */
const accountDatabase = /^etc\/(passwd|group|shadow|gshadow|subuid|subgid)-?$/;

/**
Whether a visible file is a copy the app's own layers made and the user can remove: not in a base-image
layer, not installed by a package manager (dpkg/apk list it, or it sits in node_modules/site-packages), not
the package managers' or the account tools' own state, not a home's copy of /etc/skel (useradd makes those
on purpose) nor an etc/ config installed from a package's template, and not setuid/setgid (a symlink in its place would drop the privilege bits).
*/
function isRemovableCopy(context: RuleContext, owned: Set<string>, path: string, group: string[]): boolean {
	const file = context.byPath.get(path);
	if (file === undefined || file.type !== 'file' || context.baseLayers.has(file.layer)) {
		return false;
	}

	if ((file.mode & 0o6000) !== 0 || context.claimed.has(path)) {
		return false;
	}

	if (
		owned.has(path) ||
		packageManaged.test(path) ||
		packageManagerState.test(path) ||
		accountDatabase.test(path)
	) {
		return false;
	}

	const skelCopy = /^(?:home\/[^/]+|root)\/(.+)$/.exec(path);
	if (skelCopy && group.includes(`etc/skel/${skelCopy[1]}`)) {
		return false;
	}

	// A package's maintainer script installs its default config into etc/ from a template it ships
	// (readline's etc/inputrc from usr/share/readline/inputrc): an editable copy by design.
	return !(path.startsWith('etc/') && group.some((other) => other !== path && owned.has(other)));
}

/** Copies smaller than this are left alone (4 KiB: one filesystem block). */
export const minimumDuplicateBytes = 4096;

/**
Identical content at several visible paths, when the app's layers made the copies. The copy that stays is
the one the user cannot remove when there is one (a base-image or package file), otherwise the first by
name; copies that packages, the base image or tools made on purpose are not reported (see isRemovableCopy).
*/
export const duplicateContentRule: Rule = (context) => {
	const owned = packageOwnedPaths(context.input.evidence, context.byPath);
	const keptCopyOf = new Map<string, string>();
	for (const duplicate of context.input.waste.duplicates) {
		// Below a page a copy costs less than the symlink's own block: not worth a finding (nor a diff line).
		if (duplicate.sizeBytes < minimumDuplicateBytes || duplicate.paths.length < 2) {
			continue;
		}

		const paths = [...duplicate.paths].sort();
		const removable = paths.filter((path) => isRemovableCopy(context, owned, path, paths));
		if (removable.length === 0) {
			continue;
		}

		const fixed = paths.filter((path) => !removable.includes(path));
		const kept = fixed[0] ?? removable.shift()!;
		for (const path of removable) {
			keptCopyOf.set(path, kept);
		}
	}

	if (keptCopyOf.size === 0) {
		return [];
	}

	return [
		{
			ruleId: 'LL-WASTE-DUPLICATE',
			category: 'waste',
			confidence: 'high',
			title: 'Identical content stored at several paths',
			evidence: [
				`layer mechanics: ${keptCopyOf.size} ${keptCopyOf.size === 1 ? 'file has' : 'files have'} the same content hash as another visible file, and your layers made ${keptCopyOf.size === 1 ? 'it' : 'them'} (not a package, not the base image)`,
			],
			paths: [...keptCopyOf.keys()],
			fix: 'Copy each file once (one COPY of it, or one build output); where two paths must exist, make one a symlink to the other',
			// Each group is named after the copy that stays; its count and bytes are the removable copies.
			groupOf: (path) => keptCopyOf.get(path) ?? path,
		},
	];
};
