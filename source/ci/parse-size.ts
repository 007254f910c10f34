/** Multipliers as go-humanize's ParseBytes reads them (dive's `highestWastedBytes`): SI by default, IEC with `i`. */
const multipliers: Record<string, number> = {
	'': 1,
	b: 1,
	k: 1e3,
	kb: 1e3,
	m: 1e6,
	mb: 1e6,
	g: 1e9,
	gb: 1e9,
	t: 1e12,
	tb: 1e12,
	p: 1e15,
	pb: 1e15,
	ki: 1024,
	kib: 1024,
	mi: 1024 ** 2,
	mib: 1024 ** 2,
	gi: 1024 ** 3,
	gib: 1024 ** 3,
	ti: 1024 ** 4,
	tib: 1024 ** 4,
	pi: 1024 ** 5,
	pib: 1024 ** 5,
};

/**
A byte size such as `20MB` (20,000,000), `20MiB` (20,971,520), `1.5 GB` or `1,000,000`, or undefined when
the text is not one. Whole bytes only: a fraction of a byte is rounded down, as humanize does.
*/
export function parseByteSize(text: string): number | undefined {
	const match = /^\s*(\d[\d,]*(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
	if (!match) {
		return undefined;
	}

	const multiplier = multipliers[match[2]!.toLowerCase()];
	if (multiplier === undefined) {
		return undefined;
	}

	const value = Number(match[1]!.replace(/,/g, ''));
	if (!Number.isFinite(value)) {
		return undefined;
	}

	return Math.floor(value * multiplier);
}
