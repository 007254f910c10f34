import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import {renderKeyTableMarkdown} from '../../source/ui/keymap.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const readme = await readFile(join(root, 'README.md'), 'utf8');

function trimLines(text: string): string {
	return text
		.split('\n')
		.map((line) => line.trimEnd())
		.join('\n')
		.trim();
}

test('the README usage block is exactly `layerlens --help`', async () => {
	const {stdout} = await run(process.execPath, ['--import', 'tsx', join(root, 'source/cli.tsx'), '--help'], {
		env: {...process.env, FORCE_COLOR: '0'},
	});
	const block = /```\n\$ layerlens --help\n([\s\S]*?)```/.exec(readme);
	assert.ok(block, 'README has a ```$ layerlens --help``` block');
	assert.equal(trimLines(block[1]!), trimLines(stdout));
});

test('the README key table is generated from the keymap', () => {
	assert.ok(
		readme.includes(renderKeyTableMarkdown().trim()),
		'README key table matches renderKeyTableMarkdown()',
	);
});

test('every finding rule id is documented in the README', async () => {
	const directory = join(root, 'source/analysis/findings');
	const files = await readdir(directory, {recursive: true});
	const ids = new Set<string>();
	for (const file of files.filter((name) => name.endsWith('.ts'))) {
		const text = await readFile(join(directory, file), 'utf8');
		for (const match of text.matchAll(/'(LL-[A-Z]+(?:-[A-Z]+)+)'/g)) {
			ids.add(match[1]!);
		}
	}

	assert.ok(ids.size > 20, `found ${ids.size} rule ids in source`);
	const missing = [...ids].filter((id) => !readme.includes(`\`${id}\``));
	assert.deepEqual(missing, []);
});

test('the README’s .layerlens.yml example runs as written (exit 0 or 1, never a config error)', async () => {
	const {mkdtemp, rm, writeFile} = await import('node:fs/promises');
	const {tmpdir} = await import('node:os');
	const {writeImageArchive} = await import('../helpers/fixture-writer.js');
	const {describeRun, runCli} = await import('../helpers/run-cli.js');
	const examples = [...readme.matchAll(/```yaml\n(# \.layerlens\.yml\n[\s\S]*?)```/g)].map(
		(match) => match[1]!,
	);
	assert.ok(examples.length > 0, 'the README has a .layerlens.yml example');
	const directory = await mkdtemp(join(tmpdir(), 'layerlens-readme-'));
	try {
		await writeImageArchive(
			{layers: [{createdBy: 'ADD app', files: [{path: 'app/public/index.html', content: '<p>hi</p>'}]}]},
			join(directory, 'image.tar'),
		);
		for (const example of examples) {
			await writeFile(join(directory, '.layerlens.yml'), example);
			const baseline = /^baseline: (\S+)/m.exec(example)?.[1];
			if (baseline !== undefined) {
				const written = await runCli(['image.tar', '--write-baseline', baseline], {cwd: directory});
				assert.equal(written.code, 0, describeRun(written));
			}

			const result = await runCli(['image.tar', '--ci'], {cwd: directory});
			assert.ok(result.code === 0 || result.code === 1, describeRun(result));
			assert.match(result.stdout, /^layerlens CI rules from .*\.layerlens\.yml/m);
			assert.equal(result.stderr, '');
		}
	} finally {
		await rm(directory, {recursive: true, force: true});
	}
});

test('the README’s CI snippets are valid YAML: GitHub uploads the SARIF, GitLab has a docker CLI and TLS off on 2375', async () => {
	const {parse} = await import('yaml');
	const workflow = /```yaml\n(# \.github\/workflows\/layerlens\.yml\n[\s\S]*?)```/.exec(readme);
	assert.ok(workflow, 'the README has a GitHub workflow');
	const github = parse(workflow[1]!) as {
		permissions: Record<string, string>;
		jobs: Record<string, {steps: Array<{uses?: string; run?: string; with?: Record<string, string>}>}>;
	};
	assert.equal(github.permissions['security-events'], 'write');
	const steps = Object.values(github.jobs)[0]!.steps;
	const upload = steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif'));
	assert.ok(upload, 'a step uploads the SARIF');
	const check = steps.find((step) => step.run?.includes('--output sarif='));
	assert.ok(
		check?.run?.includes(`sarif=${upload.with!.sarif_file}`),
		'the file written is the file uploaded',
	);

	const gitlabBlock = /```yaml\n(layerlens:\n[\s\S]*?)```/.exec(readme);
	assert.ok(gitlabBlock, 'the README has a GitLab job');
	const gitlab = (parse(gitlabBlock[1]!) as {layerlens: {image: string; variables: Record<string, string>}})
		.layerlens;
	assert.match(gitlab.image, /^docker:/, 'the job image has the docker CLI');
	assert.equal(gitlab.variables.DOCKER_HOST, 'tcp://docker:2375');
	assert.equal(gitlab.variables.DOCKER_TLS_CERTDIR, '');
});

test('the README documents stdin, Podman, SARIF upload, the cache and NO_COLOR; install says what exists', () => {
	for (const needle of [
		'docker save myapp:prod | layerlens',
		'--source podman',
		'podman save',
		'upload-sarif',
		'--clear-cache',
		'LAYERLENS_CACHE_MAX_BYTES',
		'$XDG_CACHE_HOME/layerlens',
		'NO_COLOR',
		'npm pack',
	]) {
		assert.ok(readme.includes(needle), `README mentions ${needle}`);
	}

	assert.match(readme, /not on the npm registry yet/);
});

test('package.json links match the URL errors print; LICENSE and the schema ship in the package', async () => {
	const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
		license: string;
		homepage: string;
		repository: {url: string};
		bugs: {url: string};
		files: string[];
	};
	const fatal = await readFile(join(root, 'source/run/report-fatal.ts'), 'utf8');
	const reportUrl = /const reportUrl = '([^']+)'/.exec(fatal)?.[1];
	assert.equal(pkg.bugs.url, reportUrl);
	assert.equal(pkg.repository.url, `git+${reportUrl!.replace(/\/issues$/, '.git')}`);
	assert.ok(pkg.homepage.startsWith(reportUrl!.replace(/\/issues$/, '')));
	assert.equal(pkg.license, 'MIT');
	assert.match(await readFile(join(root, 'LICENSE'), 'utf8'), /^MIT License/);
	const {stdout} = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: root});
	const packed = (JSON.parse(stdout) as Array<{files: Array<{path: string}>}>)[0]!.files.map(
		(file) => file.path,
	);
	assert.ok(packed.includes('LICENSE'));
	assert.ok(packed.includes('source/report/layerlens-report.schema.json'));
	assert.ok(readme.includes('source/report/layerlens-report.schema.json'), 'the README links the schema');
});

test('the development map lists every folder under source/ and no folder that is not there', async () => {
	const section = readme.slice(readme.indexOf('\n## Development\n'));
	const block = /```\n(source\/\n[\s\S]*?)```/.exec(section);
	assert.ok(block, 'the Development section has a map of source/');
	const listed = [...block[1]!.matchAll(/^ {2}([\w-]+(?:\/[\w-]+)*)\/ /gm)].map((match) => match[1]!).sort();
	const entries = await readdir(join(root, 'source'), {recursive: true, withFileTypes: true});
	const folders = entries
		.filter((entry) => entry.isDirectory())
		.map((entry) => join(entry.parentPath, entry.name).slice(join(root, 'source').length + 1))
		.sort();
	assert.ok(folders.length > 5, `found ${folders.length} folders under source/`);
	assert.deepEqual(listed, folders);
});

/**
The README as markdown-it reads it: its headings, and the sentences of its prose paragraphs (list items
included; table cells and code left out: a table may restate what the prose says, by design).
*/
async function readmeBlocks(): Promise<{headings: string[]; sentences: string[]}> {
	const {default: MarkdownIt} = await import('markdown-it');
	const tokens = new MarkdownIt().parse(readme, {});
	const headings: string[] = [];
	const sentences: string[] = [];
	for (const [index, token] of tokens.entries()) {
		if (token.type !== 'inline') continue;
		if (tokens[index - 1]?.type === 'heading_open') {
			headings.push(`${tokens[index - 1]!.tag} ${token.content}`);
		} else if (tokens[index - 1]?.type === 'paragraph_open') {
			sentences.push(...token.content.split(/(?<=[.:;!?])\s+(?=[A-Z`(])/));
		}
	}

	return {headings, sentences};
}

test('every README section appears once', async () => {
	const {headings} = await readmeBlocks();
	assert.ok(headings.length > 20, `found ${headings.length} headings`);
	const byTitle = new Map<string, number>();
	for (const heading of headings) {
		const title = heading.replace(/^h\d /, '').toLowerCase();
		byTitle.set(title, (byTitle.get(title) ?? 0) + 1);
	}

	assert.deepEqual(
		[...byTitle].filter(([, count]) => count > 1),
		[],
	);
});

test('no README sentence is said twice, word for word or nearly', async () => {
	const {sentences} = await readmeBlocks();
	const words = (sentence: string) => new Set(sentence.toLowerCase().match(/[a-z0-9]+/g) ?? []);
	const long = sentences
		.map((text) => ({text, words: words(text)}))
		.filter((sentence) => sentence.words.size >= 10);
	assert.ok(long.length > 100, `found ${long.length} sentences of ten words or more`);
	const repeated: string[] = [];
	for (const [index, a] of long.entries()) {
		for (const b of long.slice(index + 1)) {
			const shared = [...a.words].filter((word) => b.words.has(word)).length;
			// Jaccard similarity of the word sets: a paragraph pasted twice and lightly reworded was 0.59; distinct
			// sentences on one subject stay under 0.5.
			if (shared / (a.words.size + b.words.size - shared) >= 0.55) repeated.push(`${a.text}\n  ~ ${b.text}`);
		}
	}

	assert.deepEqual(repeated, []);
});

test('the Install section leads with the executable and the container image, and links Coming from dive', () => {
	const install = readme.slice(readme.indexOf('\n## Install\n'), readme.indexOf('\n## Usage\n'));
	const firstLines = install.split('\n').slice(2, 8).join('\n');
	assert.match(firstLines, /`npm run package`/);
	assert.match(firstLines, /`docker build -t layerlens \.`/);
	assert.match(install, /\[Coming from dive\]\(#coming-from-dive\)/);
	const quickStart = readme.slice(readme.indexOf('\n## Quick start\n'), readme.indexOf('\n## Install\n'));
	assert.match(quickStart, /\[Coming from dive\]\(#coming-from-dive\)/);
	assert.match(readme, /\n## Coming from dive\n/);
});
