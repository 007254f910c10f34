/**
A node:test reporter that appends one JSON line per skipped test or suite (a SkipRecord of skip-summary.ts)
to the file named by LAYERLENS_SKIP_REPORT and, from the run's closing counts, `{"end":true,"skippedTests":N}`;
test/run-tests.ts reads them to print its closing line. It writes synchronously because --test-force-exit ends
the process as soon as the run is over, before a reporter's stream would be flushed; it yields nothing.
Plain JavaScript: node:test loads reporters before any --import loader could compile TypeScript.
*/
import {appendFileSync} from 'node:fs';

// biome-ignore lint/correctness/useYield: node:test wants a generator; this one writes its file itself.
export default async function* skipReporter(source) {
	const output = process.env.LAYERLENS_SKIP_REPORT;
	if (!output) throw new Error('skip-reporter.mjs needs LAYERLENS_SKIP_REPORT (the file to write)');
	for await (const event of source) {
		const data = event.data ?? {};
		if (event.type === 'test:diagnostic' && data.file === undefined && data.nesting === 0) {
			// The run's own totals come last; their skip count lets the reader check that no record was lost.
			const skipped = /^skipped (\d+)$/.exec(data.message ?? '');
			if (skipped)
				appendFileSync(output, `${JSON.stringify({end: true, skippedTests: Number(skipped[1])})}\n`);
			continue;
		}

		if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
		if (data.skip === undefined || data.skip === false) continue;
		const record = {
			name: data.name ?? '',
			...(data.file === undefined ? {} : {file: data.file}),
			kind: data.details?.type === 'suite' ? 'suite' : 'test',
			reason: data.skip,
		};
		appendFileSync(output, `${JSON.stringify(record)}\n`);
	}
}
