import type {PathGroup, WasteItem} from '../../types.js';
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
		fix: 'Do not add the files (.dockerignore, or delete them in the same RUN/stage that creates them)',
	},
	directoryDeleted: {
		ruleId: 'LL-WASTE-DIR-DELETED',
		title: 'Directories deleted in a later layer still ship in the layer that added them',
		evidence: (added, hidden) =>
			`layer mechanics: a directory whiteout or opaque marker in \`${hidden}\` hides what \`${added}\` added`,
		fix: 'Create and remove the directory in the same RUN, or build it in a builder stage',
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
} satisfies Record<string, WasteKind>;

function isRun(instruction: string | undefined): boolean {
	return (instruction ?? '').startsWith('RUN ');
}

function kindOf(context: RuleContext, item: WasteItem): WasteKind {
	if (item.sameContent) {
		// A RUN that rewrites identical bytes changed only metadata (chmod/chown/touch); a COPY re-copied them.
		return isRun(context.input.layers[item.hiddenInLayer]?.instruction) ? kinds.copyUp : kinds.recopied;
	}

	if (item.cause === 'overwritten') {
		return kinds.overwritten;
	}

	const added = context.input.layers[item.addedInLayer]?.instruction;
	const hidden = context.input.layers[item.hiddenInLayer]?.instruction;
	if (isRun(added) && isRun(hidden)) {
		return kinds.lateCleanup;
	}

	return item.cause === 'deleted' ? kinds.deleted : kinds.directoryDeleted;
}

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

/** One finding per kind and (adding layer, hiding layer) pair, so each fix names the two steps. */
export const hiddenWasteRule: Rule = (context) => {
	const buckets = new Map<string, {kind: WasteKind; items: WasteItem[]}>();
	for (const item of context.input.waste.items) {
		const kind = kindOf(context, item);
		const key = `${kind.ruleId} ${item.addedInLayer} ${item.hiddenInLayer}`;
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
				`${items.length} files, ${bytes} bytes stored in layer ${first.addedInLayer}`,
			],
			paths: items.map((item) => item.path),
			fix: kind.fix,
			hidden: {bytes, layerIndex: first.addedInLayer, groups: groupItems(items)},
		});
	}

	return drafts;
};

const packageManaged = /(^|\/)(node_modules|site-packages|dist-packages)\//;

/**
Identical content at several visible paths. Copies that a package manager owns (inside node_modules,
site-packages) are left out: the user cannot fix them from the Dockerfile.
*/
export const duplicateContentRule: Rule = (context) => {
	const keptCopyOf = new Map<string, string>();
	for (const duplicate of context.input.waste.duplicates) {
		const paths = duplicate.paths
			.filter((path) => !packageManaged.test(path) && !context.claimed.has(path))
			.sort();
		if (paths.length < 2 || duplicate.sizeBytes === 0) {
			continue;
		}

		for (const path of paths.slice(1)) {
			keptCopyOf.set(path, paths[0]!);
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
				`layer mechanics: ${keptCopyOf.size} files have the same content hash as another visible file`,
			],
			paths: [...keptCopyOf.keys()],
			fix: 'Keep one copy and point the others at it (symlink), or copy the file once',
			// Each group is named after the copy that stays; its count and bytes are the removable copies.
			groupOf: (path) => keptCopyOf.get(path) ?? path,
		},
	];
};
