/**
`LAYERLENS_TIMINGS=1` prints how long each phase took to stderr: what the benchmark notes quote when a
target is missed, without a profiler.
*/
const enabled = process.env.LAYERLENS_TIMINGS === '1';
let last = performance.now();

export function markPhase(label: string): void {
	if (!enabled) {
		return;
	}

	const now = performance.now();
	process.stderr.write(
		`[timings] ${label.padEnd(24)} ${(now - last).toFixed(0).padStart(6)} ms  (at ${now.toFixed(0)} ms, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB)\n`,
	);
	last = now;
}
