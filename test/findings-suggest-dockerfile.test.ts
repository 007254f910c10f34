import assert from 'node:assert/strict';
import {test} from 'node:test';
import {findFindings, suggestDockerfile} from '../source/analysis/findings/index.js';
import {naive} from './helpers/naive-node-input.js';
import {finalFile, ruleInput} from './helpers/rule-input.js';

test('naive Node image: a build stage with its own steps and a runtime stage with dist and production deps', () => {
	const suggestion = suggestDockerfile(naive, findFindings(naive));
	assert.equal(suggestion.stack, 'node');
	const unknownBase =
		'# the image does not record which base image its first layers came from: put its name here';
	assert.equal(
		suggestion.dockerfile,
		[
			"# suggested by layerlens from the image's history (node app)",
			unknownBase,
			'FROM <base image> AS build',
			'WORKDIR /app',
			'COPY package*.json ./',
			'RUN npm install',
			'COPY . .',
			'RUN npm run build',
			'RUN npm prune --omit=dev',
			'',
			unknownBase,
			'FROM <base image>',
			'WORKDIR /app',
			'COPY --from=build /app/node_modules ./node_modules',
			'COPY --from=build /app/README.md ./README.md',
			'COPY --from=build /app/dist ./dist',
			'COPY --from=build /app/package-lock.json ./package-lock.json',
			'COPY --from=build /app/package.json ./package.json',
			'CMD ["node","dist/server.js"]',
			'',
		].join('\n'),
	);
	// Exactly what the findings saw arriving with `COPY . .` (node_modules/.cache came from a RUN).
	assert.deepEqual(suggestion.dockerignore, ['.env', '.git', '.github', 'Dockerfile', 'coverage', 'test']);
	assert.ok(suggestion.notes.some((note) => note.startsWith('Base image:')));
});

test('an official node base is named from NODE_VERSION and os-release; ENV, USER and EXPOSE carry over', () => {
	const input = ruleInput({
		instructions: [
			'ADD file:abc in /',
			'-CMD ["bash"]',
			'-ENV NODE_VERSION=20.11.1',
			'RUN curl -fsSL node.tar.xz | tar -xJ',
			'-ENTRYPOINT ["docker-entrypoint.sh"]',
			'-CMD ["node"]',
			'-ENV NODE_ENV=production',
			'WORKDIR /srv',
			'COPY package*.json ./',
			'RUN npm ci',
			'COPY . .',
			'RUN npm run build',
			'-USER node',
			'-EXPOSE map[3000/tcp:{}]',
			'-CMD ["node","build/index.js"]',
		],
		evidence: {
			'etc/os-release':
				'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n',
			'srv/package.json': JSON.stringify({devDependencies: {typescript: '5'}}),
		},
		files: [
			finalFile('srv/package.json', 50, 8),
			finalFile('srv/package-lock.json', 50, 8),
			finalFile('srv/build/index.js', 500, 11),
			finalFile('srv/src/index.ts', 400, 10),
			finalFile('srv/node_modules/typescript/lib/tsc.js', 5000, 9),
		],
		config: {
			workingDir: '/srv',
			cmd: ['node', 'build/index.js'],
			user: 'node',
			env: ['NODE_ENV=production'],
			exposedPorts: ['3000/tcp'],
		},
	});
	const suggestion = suggestDockerfile(input, findFindings(input));
	const lines = suggestion.dockerfile.split('\n');
	assert.ok(lines.includes('FROM node:20.11.1-bookworm AS build'));
	assert.ok(lines.includes('FROM node:20.11.1-bookworm'));
	assert.match(suggestion.dockerfile, /# guessed from NODE_VERSION=20.11.1/);
	const runtime = lines.slice(lines.indexOf('FROM node:20.11.1-bookworm'));
	assert.deepEqual(runtime, [
		'FROM node:20.11.1-bookworm',
		'ENV NODE_ENV=production',
		'WORKDIR /srv',
		'COPY --from=build /srv/node_modules ./node_modules',
		'COPY --from=build /srv/build ./build',
		'COPY --from=build /srv/package-lock.json ./package-lock.json',
		'COPY --from=build /srv/package.json ./package.json',
		'USER node',
		'EXPOSE 3000',
		'CMD ["node","build/index.js"]',
		'',
	]);
	// The base image's own steps are not repeated in the build stage.
	assert.equal(suggestion.dockerfile.includes('curl -fsSL'), false);
});

test('Go: the runtime stage copies only the binary onto distroless', () => {
	const input = ruleInput({
		instructions: [
			'ADD rootfs.tar.xz /',
			'WORKDIR /src/app',
			'COPY . .',
			'RUN go build -o server .',
			'-CMD ["./server"]',
		],
		config: {workingDir: '/src/app', cmd: ['./server']},
		files: [
			finalFile('usr/local/go/bin/go', 12_000, 0, {mode: 0o755}),
			finalFile('src/app/main.go', 90, 2),
			finalFile('src/app/server', 8000, 3, {mode: 0o755}),
		],
	});
	const suggestion = suggestDockerfile(input, findFindings(input));
	assert.equal(suggestion.stack, 'go');
	assert.match(
		suggestion.dockerfile,
		/\nFROM gcr\.io\/distroless\/static-debian12\nWORKDIR \/src\/app\nCOPY --from=build \/src\/app\/server \/src\/app\/server\nCMD \["\.\/server"\]\n$/,
	);
});
