/**
The data behind a treemap: a directory hierarchy of sized entries, each with a category, pruned so that a
page stays small. Everything below a byte threshold in one directory becomes one "n files" entry.
Plain data in, plain data out: the HTML report embeds it as JSON.
*/

/** One file (or one changed path of a diff) as the map places it. */
export type SizeMapEntry = {
	/** Relative, slash-separated: `app/node_modules/typescript/lib/tsc.js`. */
	path: string;
	/** What the rectangle's area stands for (bytes of the file, or |delta| of a diff). */
	bytes: number;
	/** Index into the map's categories. */
	category: number;
	/** The layer whose version is visible, when the map is of an image. */
	layer?: number;
	/** Who installed it, when known (`npm typescript`, `deb libc6`). */
	owner?: string;
	/** Index into the report's findings, when a finding names this file. */
	finding?: number;
	/** Extra detail shown on hover (a diff's `+1.2 MB`). */
	note?: string;
};

/**
A node of the pruned hierarchy, with short keys because a large image holds thousands of them.
`n` name, `b` bytes, `f` files below (1 for a file), `c` category (the one with most bytes below),
`k` children (directories only, largest first), `l` layer, `o` owner, `x` finding, `t` note,
`g` set on an aggregate of small files.
*/
export type SizeMapNode = {
	n: string;
	b: number;
	f: number;
	c: number;
	k?: SizeMapNode[];
	l?: number;
	o?: string;
	x?: number;
	t?: string;
	g?: 1;
};

export type SizeMapOptions = {
	/** How many categories there are (for the per-directory byte sums). */
	categories: number;
	/** Most nodes kept; the threshold doubles until the map fits. */
	maxNodes?: number;
	/** The first threshold, as a fraction of the total bytes. */
	minShare?: number;
	/** Categories whose entries are never folded, however small (a secret of 120 bytes must stay findable). */
	alwaysShown?: readonly number[];
};

export type SizeMap = {
	root: SizeMapNode;
	/** Entries smaller than this were folded into "n files" nodes. */
	thresholdBytes: number;
	/** Nodes in `root`, the root included. */
	nodes: number;
	/** Bytes of every entry by category, folded ones included (the legend's sums). */
	categoryBytes: number[];
};

type Directory = {
	name: string;
	bytes: number;
	files: number;
	byCategory: Float64Array;
	directories: Map<string, Directory>;
	entries: SizeMapEntry[];
	/** Holds an entry of an always-shown category somewhere below. */
	pinned: boolean;
};

function newDirectory(name: string, categories: number): Directory {
	return {
		name,
		bytes: 0,
		files: 0,
		byCategory: new Float64Array(categories),
		directories: new Map(),
		entries: [],
		pinned: false,
	};
}

function largestCategory(byCategory: Float64Array): number {
	let best = 0;
	for (let index = 1; index < byCategory.length; index++) {
		if (byCategory[index]! > byCategory[best]!) best = index;
	}

	return best;
}

const defaultMaxNodes = 12_000;
const defaultMinShare = 1 / 20_000;

/** The hierarchy of `entries`, pruned to at most `maxNodes` nodes (entries of 0 bytes only count as files). */
export function buildSizeMap(entries: Iterable<SizeMapEntry>, options: SizeMapOptions): SizeMap {
	const root = newDirectory('', options.categories);
	const pinned = new Set(options.alwaysShown ?? []);
	for (const entry of entries) {
		const parts = entry.path.split('/').filter((part) => part !== '');
		if (parts.length === 0) continue;
		const bytes = Math.max(0, entry.bytes);
		let directory = root;
		for (let depth = 0; ; depth++) {
			directory.bytes += bytes;
			directory.files++;
			directory.byCategory[entry.category] = directory.byCategory[entry.category]! + bytes;
			if (pinned.has(entry.category)) directory.pinned = true;
			if (depth === parts.length - 1) break;
			const name = parts[depth]!;
			let child = directory.directories.get(name);
			if (child === undefined) {
				child = newDirectory(name, options.categories);
				directory.directories.set(name, child);
			}

			directory = child;
		}

		directory.entries.push(entry);
	}

	const maxNodes = options.maxNodes ?? defaultMaxNodes;
	let threshold = Math.max(1, Math.ceil(root.bytes * (options.minShare ?? defaultMinShare)));
	for (;;) {
		const counter = {nodes: 0};
		const pruned = prune(root, threshold, pinned, counter);
		if (counter.nodes <= maxNodes || threshold >= root.bytes) {
			return {
				root: pruned,
				thresholdBytes: threshold,
				nodes: counter.nodes,
				categoryBytes: [...root.byCategory],
			};
		}

		threshold *= 2;
	}
}

function prune(
	directory: Directory,
	threshold: number,
	pinned: ReadonlySet<number>,
	counter: {nodes: number},
): SizeMapNode {
	counter.nodes++;
	const children: SizeMapNode[] = [];
	const small = {bytes: 0, files: 0, byCategory: new Float64Array(directory.byCategory.length)};
	for (const child of directory.directories.values()) {
		if (child.bytes >= threshold || child.pinned) {
			children.push(prune(child, threshold, pinned, counter));
		} else {
			small.bytes += child.bytes;
			small.files += child.files;
			for (let index = 0; index < child.byCategory.length; index++) {
				small.byCategory[index] = small.byCategory[index]! + child.byCategory[index]!;
			}
		}
	}

	for (const entry of directory.entries) {
		const bytes = Math.max(0, entry.bytes);
		if (bytes >= threshold || pinned.has(entry.category)) {
			counter.nodes++;
			children.push(fileNode(entry, bytes));
		} else {
			small.bytes += bytes;
			small.files++;
			small.byCategory[entry.category] = small.byCategory[entry.category]! + bytes;
		}
	}

	if (small.files > 0) {
		counter.nodes++;
		children.push({
			n: `${small.files.toLocaleString('en-US')} ${small.files === 1 ? 'file' : 'files'}`,
			b: small.bytes,
			f: small.files,
			c: largestCategory(small.byCategory),
			g: 1,
		});
	}

	children.sort((left, right) => right.b - left.b || (left.n < right.n ? -1 : left.n > right.n ? 1 : 0));
	return {
		n: directory.name,
		b: directory.bytes,
		f: directory.files,
		c: largestCategory(directory.byCategory),
		k: children,
	};
}

function fileNode(entry: SizeMapEntry, bytes: number): SizeMapNode {
	const name =
		entry.path
			.split('/')
			.filter((part) => part !== '')
			.at(-1) ?? entry.path;
	const node: SizeMapNode = {n: name, b: bytes, f: 1, c: entry.category};
	if (entry.layer !== undefined) node.l = entry.layer;
	if (entry.owner !== undefined) node.o = entry.owner;
	if (entry.finding !== undefined) node.x = entry.finding;
	if (entry.note !== undefined) node.t = entry.note;
	return node;
}
