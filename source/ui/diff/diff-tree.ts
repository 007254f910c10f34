import type {FileChangeKind, FileComparison} from '../../analysis/compare/types.js';

/** One row of the merged tree: a changed path, or a directory with changes below it. */
export type DiffTreeNode = {
	path: string;
	name: string;
	depth: number;
	isDirectory: boolean;
	/** The path's own change; undefined for a directory that only holds changes. */
	kind: FileChangeKind | undefined;
	/** Its own delta, or for a directory the sum of every change below it. */
	deltaBytes: number;
	byName: DiffTreeNode[];
	byDelta: DiffTreeNode[];
};

export type DiffTree = {root: DiffTreeNode; nodes: number};

function compareNames(left: DiffTreeNode, right: DiffTreeNode): number {
	return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}

/** The changed paths of both filesystems as one tree; built once, linear in the number of changes. */
export function buildDiffTree(files: FileComparison): DiffTree {
	const root: DiffTreeNode = {
		path: '',
		name: '/',
		depth: -1,
		isDirectory: true,
		kind: undefined,
		deltaBytes: 0,
		byName: [],
		byDelta: [],
	};
	const byPath = new Map<string, DiffTreeNode>([['', root]]);
	const nodeFor = (path: string): DiffTreeNode => {
		const existing = byPath.get(path);
		if (existing) return existing;
		const slash = path.lastIndexOf('/');
		const parent = nodeFor(slash === -1 ? '' : path.slice(0, slash));
		const node: DiffTreeNode = {
			path,
			name: slash === -1 ? path : path.slice(slash + 1),
			depth: parent.depth + 1,
			isDirectory: true,
			kind: undefined,
			deltaBytes: 0,
			byName: [],
			byDelta: [],
		};
		parent.byName.push(node);
		byPath.set(path, node);
		return node;
	};

	for (const change of files.changes) {
		const node = nodeFor(change.path);
		node.kind = change.kind;
		node.isDirectory = change.type === 'dir';
		node.deltaBytes = change.deltaBytes;
	}

	for (const directory of files.directories) {
		const node = nodeFor(directory.path);
		node.isDirectory = true;
		node.deltaBytes = directory.deltaBytes;
	}

	for (const node of byPath.values()) {
		if (node.byName.length > 0) node.isDirectory = true;
		node.byName.sort(compareNames);
		node.byDelta = [...node.byName].sort(
			(left, right) => Math.abs(right.deltaBytes) - Math.abs(left.deltaBytes) || compareNames(left, right),
		);
	}

	return {root, nodes: byPath.size - 1};
}

export type TreeRow = {node: DiffTreeNode; expanded: boolean};

export type RowOptions = {
	sort: 'name' | 'delta';
	/** Directories whose fold differs from the default (open down to depth 1). */
	toggled: ReadonlySet<string>;
	filter: RegExp | undefined;
};

export function isExpanded(node: DiffTreeNode, toggled: ReadonlySet<string>): boolean {
	return node.depth < 1 !== toggled.has(node.path);
}

/** The rows on screen: open directories' children in the chosen order; a filter shows matches and their parents. */
export function visibleRows(tree: DiffTree, options: RowOptions): TreeRow[] {
	const rows: TreeRow[] = [];
	const {filter} = options;
	const walk = (node: DiffTreeNode): boolean => {
		let shown = false;
		for (const child of options.sort === 'delta' ? node.byDelta : node.byName) {
			if (filter) {
				const position = rows.length;
				rows.push({node: child, expanded: true});
				const below = child.isDirectory && walk(child);
				if (below || filter.test(child.path)) {
					shown = true;
				} else {
					rows.length = position;
				}

				continue;
			}

			const expanded = child.isDirectory && isExpanded(child, options.toggled);
			rows.push({node: child, expanded});
			shown = true;
			if (expanded) walk(child);
		}

		return shown;
	};

	walk(tree.root);
	return rows;
}

/** A filter as typed: a regular expression, or the literal text when it is not one. */
export function filterPattern(text: string): RegExp | undefined {
	if (text === '') return undefined;
	try {
		return new RegExp(text);
	} catch {
		return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
	}
}
