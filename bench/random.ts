/** mulberry32: a tiny seeded PRNG, so every generated benchmark image is the same on every machine. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** Log-uniform between `low` and `high`: many small values, few large, like files in a real image. */
export function logUniform(random: () => number, low: number, high: number): number {
	return Math.floor(Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low))));
}
