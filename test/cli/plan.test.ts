import assert from 'node:assert/strict';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {runCli} from '../helpers/run-cli.js';

// The plan of `.layerlens.yml` on the demo image: the suggestion leaves planned files out of the runtime
// stage and says so; `--ci` checks the plan's savings are still there; a bad entry is one line and exit 2.

let work = '';
before(async () => {
	work = await mkdtemp(join(tmpdir(), 'layerlens-plan-'));
});
after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

type Suggestion = {
	projectedSizeBytes: number;
	removedParts: Array<{ruleId: string; bytes: number}>;
	notes: string[];
};

async function suggestionIn(directory: string): Promise<Suggestion> {
	const result = await runCli(['--demo', '--json'], {cwd: directory});
	assert.equal(result.code, 0, result.stderr);
	return (JSON.parse(result.stdout) as {suggestion: Suggestion}).suggestion;
}

test("the suggestion honours the plan: a planned file leaves the runtime stage, and a note says so; the base image's stay", async () => {
	const plain = join(work, 'plain');
	const planned = join(work, 'planned');
	await mkdir(plain);
	await mkdir(planned);
	await writeFile(
		join(planned, '.layerlens.yml'),
		'plan:\n  entries:\n    - {action: remove, path: /app/dist/server.js.map}\n    - {action: builder, path: /opt}\n',
	);
	const [before, after] = await Promise.all([suggestionIn(plain), suggestionIn(planned)]);
	const part = after.removedParts.find((each) => each.ruleId === 'LL-PLAN-REMOVE');
	assert.ok(part !== undefined && part.bytes > 0, 'the plan is a removed part of the projection');
	assert.equal(
		before.removedParts.find((each) => each.ruleId === 'LL-PLAN-REMOVE'),
		undefined,
	);
	assert.equal(after.projectedSizeBytes, before.projectedSizeBytes - part.bytes);
	// The map's 1500 bytes leave; yarn in /opt is the base image's: a builder stage FROM the same base keeps it.
	assert.equal(part.bytes, 1500);
	assert.ok(
		after.notes.some((note) =>
			/^The plan in \.layerlens\.yml moves to the builder stage \d+ files \(.+\): the runtime stage leaves 0 B of them out; .+ of them stay \(the base image's files/.test(
				note,
			),
		),
		after.notes.join('\n'),
	);
	assert.ok(
		after.notes.some((note) =>
			/^The plan in \.layerlens\.yml removes 1 files \(1\.5 kB\): the runtime stage leaves 1\.5 kB of them out$/.test(
				note,
			),
		),
		after.notes.join('\n'),
	);
});

test('--ci: the plan row passes while the savings are there and fails with a line per lost saving', async () => {
	const config = join(work, 'ci.yml');
	await writeFile(config, 'plan:\n  entries:\n    - {action: remove, path: /opt, saves: 1000}\n');
	const passing = await runCli(['--demo', '--ci', '--config', config, '--highest-wasted-bytes', 'disabled']);
	assert.match(passing.stdout, / {2}PASS plan\s+1 of 1 planned saving still available/);

	await writeFile(
		config,
		[
			'plan:',
			'  entries:',
			'    - {action: remove, path: /opt, saves: 900GB}',
			'    - {action: builder, path: /no/such/dir}',
		].join('\n'),
	);
	const failing = await runCli(['--demo', '--ci', '--config', config]);
	assert.equal(failing.code, 1);
	assert.match(
		failing.stdout,
		/ {2}FAIL plan\s+0 of 2 planned savings still available .* - remove \/opt now saves .+, below the 900 GB recorded \(tolerance 5%\); builder \/no\/such\/dir: \/no\/such\/dir is not in the image/,
	);
});

test('a bad plan entry is one line and exit 2, before the image is read', async () => {
	const config = join(work, 'bad.yml');
	await writeFile(config, 'plan:\n  entries:\n    - {action: shred, path: /opt}\n');
	const result = await runCli(['--demo', '--ci', '--config', config]);
	assert.equal(result.code, 2);
	assert.match(result.stderr, /bad\.yml: plan\.entries\[0\]\.action must be remove or builder, got "shred"/);
	assert.equal(
		result.stderr
			.trim()
			.split('\n')
			.filter((line) => line.includes('plan.entries')).length,
		1,
	);
});
