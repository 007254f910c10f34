/**
A heap budget checked between chunks, entries and tree steps: a crafted image that unpacks into tens
of millions of paths ends with one `layerlens:` line and exit 2 instead of V8's abort (a GC trace on
stderr, exit 134) once the heap is nearly full (issue 17).

The budget is 85% of V8's heap limit: raise that limit with `NODE_OPTIONS=--max-old-space-size=<MiB>`.
`LAYERLENS_MAX_HEAP_MB` sets a lower budget (a CI runner with little memory, or a test).
*/
import {getHeapStatistics} from 'node:v8';
import {LayerlensError} from './errors.js';
import {formatBytes} from './format-bytes.js';

const heapShare = 0.85;

export function memoryBudgetBytes(env: NodeJS.ProcessEnv = process.env): number {
	const limit = getHeapStatistics().heap_size_limit * heapShare;
	const asked = Number(env.LAYERLENS_MAX_HEAP_MB);
	return Number.isFinite(asked) && asked > 0 ? Math.min(asked * 2 ** 20, limit) : limit;
}

let budget: number | undefined;

/** Throws a LayerlensError naming `what` when the heap is past the budget. Cheap (about a microsecond). */
export function checkMemoryBudget(what: string): void {
	budget ??= memoryBudgetBytes();
	const used = getHeapStatistics().used_heap_size;
	if (used > budget) {
		throw new LayerlensError(
			`${what} needs more memory than the ${formatBytes(budget)} budget (the image may be crafted to exhaust memory)`,
			{
				hint: 'If the image is genuine, give Node a larger heap: NODE_OPTIONS=--max-old-space-size=8192 (layerlens stops at 85% of it)',
			},
		);
	}
}

/**
Paths a tree of the image may hold, counted as layers are read, before any tree is built: a 136 KB gzip
layer of 20,000 files each 1,000 directories deep (every chain its own) becomes 20 million tree nodes and
over 2 GB. Each entry adds the segments of its path that it does not share with the entry before it; a
directory new to the layer is always among them, so the count never falls below the nodes the tree will
have, and a real image (tar order walks each directory once) counts about one per entry. The largest
images measured hold 1.8 million entries in all.
*/
export const maxPathNodes = 6_000_000;
/** Path strings kept per entry: 256 MB is ten times what a million-file image holds. */
export const maxPathBytes = 256_000_000;

export class PathBudget {
	private nodes = 0;
	private bytes = 0;
	private previous = '';

	constructor(
		private readonly limitNodes = maxPathNodes,
		private readonly limitBytes = maxPathBytes,
	) {}

	/** Count one entry of a layer, named `what` in the error when the budget is spent. */
	add(path: string, what: string): void {
		const previous = this.previous;
		const length = Math.min(path.length, previous.length);
		let same = 0;
		while (same < length && path.charCodeAt(same) === previous.charCodeAt(same)) same++;
		// The segments both paths share whole: up to the last `/` in the common part, or the previous path
		// itself when it is a directory of this one.
		const sharedEnd =
			same === previous.length && path.charCodeAt(same) === 0x2f
				? same + 1
				: path.lastIndexOf('/', same - 1) + 1;
		let added = 1;
		for (let index = sharedEnd; index < path.length; index++) {
			if (path.charCodeAt(index) === 0x2f) added++;
		}

		this.previous = path;
		this.nodes += added;
		this.bytes += path.length;
		if (this.nodes > this.limitNodes || this.bytes > this.limitBytes) {
			const over =
				this.nodes > this.limitNodes
					? `more than ${this.limitNodes} paths`
					: `more than ${formatBytes(this.limitBytes)} of path names`;
			throw new LayerlensError(
				`${what} makes the image hold ${over} (the image may be crafted to exhaust memory)`,
				{hint: 'A real image holds a few million at most; this one looks like a decompression bomb'},
			);
		}
	}

	/** A new layer starts: its first entry shares nothing with the last layer's. */
	startLayer(): void {
		this.previous = '';
	}
}
