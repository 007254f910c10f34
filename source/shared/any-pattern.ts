/**
One expression that matches where any of `patterns` does: a path is scanned once instead of once a pattern.
Only for patterns without flags (a flag would change what the others mean) and tested, not executed: its
groups are numbered across all of them.
*/
export function anyPattern(patterns: readonly RegExp[]): RegExp {
	const flagged = patterns.find((pattern) => pattern.flags !== '');
	if (flagged !== undefined) throw new Error(`anyPattern: ${flagged} has flags`);
	return new RegExp(patterns.map((pattern) => `(?:${pattern.source})`).join('|'));
}
