import assert from 'node:assert/strict';
import {test} from 'node:test';
import {findFindings} from '../../source/analysis/findings/index.js';
import {suggestDockerfile} from '../../source/analysis/suggestion/suggest-dockerfile.js';
import {finalFile, ruleInput} from '../helpers/rule-input.js';

// The runtime stage of a Node suggestion copies the build stage's node_modules after pruning it with the
// package manager the app uses: no second install, so no registry access the image's own build did not need.

function nodeApp(lockfile: string | undefined, withNodeModules = true) {
	return ruleInput({
		instructions: [
			'ADD rootfs.tar.xz /',
			'WORKDIR /app',
			'COPY . .',
			'RUN build-it',
			'-CMD ["node","dist/main.js"]',
		],
		evidence: {'app/package.json': JSON.stringify({dependencies: {yaml: '2'}})},
		files: [
			finalFile('app/package.json', 50, 2),
			...(lockfile ? [finalFile(`app/${lockfile}`, 70, 2)] : []),
			finalFile('app/dist/main.js', 500, 3),
			// The sources next to the compiled output give the image something to move.
			finalFile('app/src/main.ts', 400, 2),
			finalFile('app/tsconfig.json', 60, 2),
			...(withNodeModules ? [finalFile('app/node_modules/yaml/index.js', 900, 3)] : []),
		],
		config: {workingDir: '/app', cmd: ['node', 'dist/main.js']},
	});
}

function stages(lockfile: string | undefined, withNodeModules = true): {build: string[]; runtime: string[]} {
	const input = nodeApp(lockfile, withNodeModules);
	const lines = suggestDockerfile(input, findFindings(input)).dockerfile.trimEnd().split('\n');
	const split = lines.indexOf('');
	return {
		build: lines.slice(0, split),
		runtime: lines.slice(split + 1).filter((line) => !line.startsWith('#')),
	};
}

test('each package manager prunes in the build stage, and the runtime stage installs nothing', () => {
	const cases = [
		[undefined, 'RUN npm prune --omit=dev'],
		['package-lock.json', 'RUN npm prune --omit=dev'],
		['yarn.lock', 'RUN yarn install --production --frozen-lockfile --prefer-offline'],
		['pnpm-lock.yaml', 'RUN pnpm prune --prod'],
	] as const;
	for (const [lockfile, prune] of cases) {
		const {build, runtime} = stages(lockfile);
		assert.equal(build.at(-1), prune, `${lockfile ?? 'no lockfile'}: the build stage ends with the prune`);
		assert.ok(!runtime.some((line) => /^RUN /.test(line)), runtime.join('\n'));
		assert.ok(runtime.includes('COPY --from=build /app/node_modules /app/node_modules'), runtime.join('\n'));
		assert.ok(runtime.includes('COPY --from=build /app/package.json /app/package.json'));
		assert.ok(!runtime.some((line) => /src|tsconfig/.test(line)), runtime.join('\n'));
		if (lockfile) {
			assert.ok(runtime.includes(`COPY --from=build /app/${lockfile} /app/${lockfile}`));
		}
	}
});

test('an app without node_modules (a bundle) gets neither a prune nor a node_modules copy', () => {
	const {build, runtime} = stages('package-lock.json', false);
	assert.ok(!build.some((line) => line.includes('prune')), build.join('\n'));
	assert.ok(!runtime.some((line) => line.includes('node_modules')), runtime.join('\n'));
	assert.ok(runtime.includes('COPY --from=build /app/dist /app/dist'));
});
