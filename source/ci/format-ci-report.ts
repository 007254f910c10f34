import {formatBytes} from '../shared/format-bytes.js';
import type {CiResult} from './evaluate.js';

/**
The text the CI step prints: where the rules came from, each ignore with its reason, one line per rule
(`PASS lowestEfficiency: 0.9844 (threshold 0.9)`), then dive's summary line `FAIL [pass:3 fail:2 skip:1]`.
*/
export function formatCiReport(result: CiResult): string {
	const lines = [`layerlens CI rules from ${result.origin}`];
	for (const {ignore, paths, bytes, droppedFindings} of result.ignored) {
		const dropped = droppedFindings.length > 0 ? `, dropped ${droppedFindings.join(', ')}` : '';
		lines.push(
			`  ignored ${ignore.path}: ${paths} paths, ${formatBytes(bytes)}${dropped} (reason: ${ignore.reason})`,
		);
	}

	const width = Math.max(...result.results.map((entry) => entry.rule.length));
	for (const entry of result.results) {
		const detail = entry.detail === undefined ? '' : ` - ${entry.detail}`;
		const body =
			entry.status === 'SKIP' && entry.measured === '-'
				? `${entry.threshold}${detail}`
				: `${entry.measured} (threshold ${entry.threshold})${detail}`;
		lines.push(`  ${entry.status} ${entry.rule.padEnd(width)}  ${body}`);
	}

	const count = (status: string) => result.results.filter((entry) => entry.status === status).length;
	lines.push(
		`${result.passed ? 'PASS' : 'FAIL'} [pass:${count('PASS')} fail:${count('FAIL')} skip:${count('SKIP')}]`,
	);
	return `${lines.join('\n')}\n`;
}
