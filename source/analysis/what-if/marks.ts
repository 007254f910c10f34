import {dirCode, type NodeId, type PathTree} from '../../engine/index.js';

/** What a mark asks for: the bytes leave the image, or move to a builder stage the runtime image copies nothing of. */
export type WhatIfAction = 'remove' | 'builder';

export const whatIfActions: readonly WhatIfAction[] = ['remove', 'builder'];

/** What a mark names: a path (file or directory, with everything below it), a layer, a finding or a package. */
export type WhatIfTarget =
	| {kind: 'path'; path: string}
	| {kind: 'layer'; layer: number}
	| {kind: 'finding'; ruleId: string; title: string; paths: readonly string[]}
	| {kind: 'package'; name: string; paths: readonly string[]};

export type WhatIfMark = WhatIfTarget & {action: WhatIfAction};

/** One mark per target: marking the same target again with the other action replaces it. */
export function markKey(target: WhatIfTarget): string {
	switch (target.kind) {
		case 'path':
			return `path\u0000${target.path}`;
		case 'layer':
			return `layer\u0000${target.layer}`;
		case 'finding':
			return `finding\u0000${target.ruleId}\u0000${target.paths[0] ?? ''}`;
		case 'package':
			return `package\u0000${target.name}`;
	}
}

/** A mark as one short line: `remove /app/node_modules/typescript`, `builder layer 3`. */
export function describeMark(mark: WhatIfMark): string {
	const verb = mark.action === 'remove' ? 'remove' : 'to builder';
	switch (mark.kind) {
		case 'path':
			return `${verb} /${mark.path}`;
		case 'layer':
			return `${verb} layer ${mark.layer}`;
		case 'finding':
			return `${verb} finding ${mark.ruleId} (${mark.paths.length} ${mark.paths.length === 1 ? 'path' : 'paths'})`;
		case 'package':
			return `${verb} package ${mark.name} (${mark.paths.length} ${mark.paths.length === 1 ? 'path' : 'paths'})`;
	}
}

/** A path as the tree stores it: no leading `/` or `./`, no trailing `/`. */
export function normaliseMarkPath(path: string): string {
	return path.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

/** The final filesystem's files a mark takes out (a layer mark: the files whose visible copy that layer stored). */
export function finalPathsOf(mark: WhatIfMark, tree: PathTree): string[] {
	const paths: string[] = [];
	const visit = (node: NodeId) => {
		const version = tree.finalVersion(node);
		if (version !== undefined && tree.typeCode(version) !== dirCode) paths.push(tree.pathOf(node));
	};
	if (mark.kind === 'layer') {
		for (const node of tree.touchedIn(mark.layer)) {
			const version = tree.finalVersion(node);
			if (version !== undefined && tree.layerOf(version) === mark.layer) visit(node);
		}

		return paths;
	}

	for (const path of mark.kind === 'path' ? [mark.path] : mark.paths) {
		const node = tree.find(normaliseMarkPath(path));
		if (node !== undefined) tree.forEachBelow(node, visit);
	}

	return paths;
}
