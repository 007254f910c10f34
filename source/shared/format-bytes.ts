const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/**
Decimal units (1 kB = 1000 B), as dive and `docker images` print them, so numbers can be compared side by side.
*/
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes)) {
		return '?';
	}

	const sign = bytes < 0 ? '-' : '';
	let value = Math.abs(bytes);
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}

	if (unit === 0) {
		return `${sign}${value} B`;
	}

	let text = value >= 99.95 ? value.toFixed(0) : value.toFixed(1);
	// Rounding 999.6 kB up would print "1000 kB"; say "1.0 MB" instead.
	if (Number(text) >= 1000 && unit < units.length - 1) {
		unit++;
		text = (value / 1000).toFixed(1);
	}

	return `${sign}${text} ${units[unit]}`;
}

/** Exact byte count with thousands separators, for reports where rounding would hide a difference. */
export function formatExactBytes(bytes: number): string {
	return `${bytes.toLocaleString('en-US')} B`;
}
