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
