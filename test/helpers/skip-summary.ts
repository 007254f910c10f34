/**
What `npm test` says at its end about what it did not run: one line naming every skip reason with its count,
and why the fixture images were not built when they were not. Pure: the runner gathers the records.
*/

/** One skipped test or suite, as the test runner reported it (`skip` is the reason, or true when none was given). */
export type SkipRecord = {
	name: string;
	file?: string;
	kind: 'test' | 'suite';
	reason: string | true;
};

/** What happened to the fixture images before the tests ran. */
export type FixtureBuild =
	| {state: 'built'; seconds: number}
	| {state: 'not built'; reason: string}
	| {state: 'failed'; reason: string};

const maxReasonLength = 140;

/** A reason as it is grouped: its first line, cut to a readable length; a bare `skip: true` says so. */
export function reasonLabel(reason: string | true): string {
	if (reason === true) return 'no reason given';
	const line = reason.trim().split('\n')[0]!.trim();
	if (line === '') return 'no reason given';
	return line.length > maxReasonLength ? `${line.slice(0, maxReasonLength - 1)}…` : line;
}

function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function describeBuild(build: FixtureBuild): string {
	switch (build.state) {
		case 'built':
			return `fixture images ready (build-images.sh, ${build.seconds} s)`;
		case 'not built':
			return `fixture images not built: ${build.reason}`;
		case 'failed':
			return `fixture images failed to build: ${build.reason}`;
	}
}

/** The one closing line: the fixture build, then every reason with how many tests and suites it skipped. */
export function summarizeSkips(records: readonly SkipRecord[], build: FixtureBuild): string {
	const prefix = `npm test: ${describeBuild(build)}; `;
	if (records.length === 0) return `${prefix}nothing skipped`;
	const byReason = new Map<string, {tests: number; suites: number}>();
	for (const record of records) {
		const label = reasonLabel(record.reason);
		const counts = byReason.get(label) ?? {tests: 0, suites: 0};
		if (record.kind === 'suite') counts.suites += 1;
		else counts.tests += 1;
		byReason.set(label, counts);
	}

	const count = (counts: {tests: number; suites: number}) =>
		[
			counts.tests > 0 ? plural(counts.tests, 'test') : '',
			counts.suites > 0 ? plural(counts.suites, 'suite') : '',
		]
			.filter((part) => part !== '')
			.join(' + ');
	const total = {
		tests: records.filter((record) => record.kind === 'test').length,
		suites: records.filter((record) => record.kind === 'suite').length,
	};
	const reasons = [...byReason]
		.sort(
			([aLabel, a], [bLabel, b]) => b.tests + b.suites - (a.tests + a.suites) || aLabel.localeCompare(bLabel),
		)
		.map(([label, counts]) => `${label} (${count(counts)})`);
	return `${prefix}skipped ${count(total)}: ${reasons.join('; ')}`;
}

/**
The records skip-reporter.mjs wrote, or a problem: its closing line is missing (the run stopped early: a crash,
a signal) or node:test counted another number of skipped tests than were recorded. Either way a summary would
claim less than was skipped.
*/
export function readSkipRecords(text: string): {records: SkipRecord[]} | {problem: string} {
	const lines = text.split('\n').filter((line) => line !== '');
	const end = lines.length > 0 ? (JSON.parse(lines.at(-1)!) as {end?: boolean; skippedTests?: number}) : {};
	if (end.end !== true) return {problem: 'the test run ended before its totals; what was skipped is unknown'};
	const records = lines.slice(0, -1).map((line) => JSON.parse(line) as SkipRecord);
	const tests = records.filter((record) => record.kind === 'test').length;
	if (tests !== end.skippedTests) {
		return {problem: `node:test counted ${end.skippedTests} skipped tests but ${tests} were reported`};
	}

	return {records};
}
