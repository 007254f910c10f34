import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';

/**
Compare `actual` with `test/golden/<name>`; with UPDATE_GOLDEN=1 rewrite the file first (then review the
diff before committing).
*/
export function assertGolden(name: string, actual: string): void {
	const file = new URL(`../golden/${name}`, import.meta.url);
	if (process.env.UPDATE_GOLDEN === '1') {
		writeFileSync(file, actual);
	}

	assert.equal(actual, readFileSync(file, 'utf8'));
}

/** A rendered frame as plain text lines without trailing spaces, ending in a newline. */
export function frameText(lines: string[]): string {
	return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}
