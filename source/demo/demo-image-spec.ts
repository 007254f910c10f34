import type {FileSpec, ImageSpec, LayerSpec} from '../image/write/image-spec.js';
import {debianRootfs} from './demo-debian-rootfs.js';

/**
The built-in demo: a realistic naive single-stage Node image (`FROM node:20-bookworm-slim`, `npm install`
with devDependencies, `COPY . .` of the whole repository, `npm run build`, a cleanup in a later RUN).
File contents are filler of a realistic size, except the evidence files (dpkg database, package.json,
lockfiles, os-release), which are real text so the findings rules fire on real evidence.
Everything is computed from constant tables, so the archive is byte-identical on every run.
*/

type NpmPackage = {
	/** Install path below the app's node_modules, e.g. `express` or `jest/node_modules/ansi-styles`. */
	path: string;
	version: string;
	dev: boolean;
	/** Regular files to generate (package.json, LICENSE and README.md included). */
	files: number;
	/** Total bytes of those files. */
	bytes: number;
};

const kB = 1024;
const MB = 1024 * 1024;

// prettier-ignore
const npmPackages: NpmPackage[] = [
	// Production dependencies: express and what it pulls in.
	{path: 'express', version: '4.18.2', dev: false, files: 16, bytes: 220 * kB},
	{path: 'body-parser', version: '1.20.1', dev: false, files: 12, bytes: 60 * kB},
	{path: 'debug', version: '2.6.9', dev: false, files: 8, bytes: 40 * kB},
	{path: 'ms', version: '2.0.0', dev: false, files: 4, bytes: 9 * kB},
	{path: 'qs', version: '6.11.0', dev: false, files: 18, bytes: 240 * kB},
	{path: 'send', version: '0.18.0', dev: false, files: 6, bytes: 50 * kB},
	{path: 'send/node_modules/ms', version: '2.1.3', dev: false, files: 4, bytes: 10 * kB},
	{path: 'mime', version: '1.6.0', dev: false, files: 8, bytes: 50 * kB},
	{path: 'mime-db', version: '1.52.0', dev: false, files: 5, bytes: 210 * kB},
	{path: 'mime-types', version: '2.1.35', dev: false, files: 4, bytes: 22 * kB},
	{path: 'iconv-lite', version: '0.4.24', dev: false, files: 40, bytes: 340 * kB},
	{path: 'safer-buffer', version: '2.1.2', dev: false, files: 6, bytes: 42 * kB},
	{path: 'http-errors', version: '2.0.0', dev: false, files: 4, bytes: 18 * kB},
	{path: 'statuses', version: '2.0.1', dev: false, files: 5, bytes: 15 * kB},
	{path: 'raw-body', version: '2.5.1', dev: false, files: 5, bytes: 24 * kB},
	{path: 'on-finished', version: '2.4.1', dev: false, files: 4, bytes: 14 * kB},
	{path: 'path-to-regexp', version: '0.1.7', dev: false, files: 5, bytes: 12 * kB},
	{path: 'finalhandler', version: '1.2.0', dev: false, files: 4, bytes: 17 * kB},
	{path: 'serve-static', version: '1.15.0', dev: false, files: 4, bytes: 16 * kB},
	{path: 'accepts', version: '1.3.8', dev: false, files: 4, bytes: 15 * kB},
	{path: 'negotiator', version: '0.6.3', dev: false, files: 8, bytes: 28 * kB},
	{path: 'cookie', version: '0.5.0', dev: false, files: 4, bytes: 18 * kB},
	{path: 'type-is', version: '1.6.18', dev: false, files: 4, bytes: 18 * kB},
	{path: 'pg', version: '8.11.3', dev: false, files: 30, bytes: 190 * kB},
	{path: 'pg-protocol', version: '1.6.0', dev: false, files: 40, bytes: 260 * kB},
	{path: 'dotenv', version: '16.4.1', dev: false, files: 8, bytes: 40 * kB},
	{path: 'pino', version: '8.17.2', dev: false, files: 60, bytes: 520 * kB},
	{path: 'zod', version: '3.22.4', dev: false, files: 70, bytes: 1.9 * MB},
	// devDependencies and their dependencies.
	{path: 'typescript', version: '5.3.3', dev: true, files: 120, bytes: 31 * MB},
	{path: '@types/node', version: '20.11.5', dev: true, files: 60, bytes: 3.9 * MB},
	{path: '@types/express', version: '4.17.21', dev: true, files: 4, bytes: 14 * kB},
	{path: '@types/jest', version: '29.5.11', dev: true, files: 4, bytes: 70 * kB},
	{path: 'eslint', version: '8.56.0', dev: true, files: 220, bytes: 3.1 * MB},
	{path: '@eslint/js', version: '8.56.0', dev: true, files: 6, bytes: 40 * kB},
	{path: '@typescript-eslint/parser', version: '6.19.0', dev: true, files: 12, bytes: 40 * kB},
	{path: '@typescript-eslint/typescript-estree', version: '6.19.0', dev: true, files: 80, bytes: 600 * kB},
	{path: 'espree', version: '9.6.1', dev: true, files: 12, bytes: 110 * kB},
	{path: 'acorn', version: '8.11.3', dev: true, files: 14, bytes: 520 * kB},
	{path: 'prettier', version: '3.2.4', dev: true, files: 60, bytes: 8.2 * MB},
	{path: 'jest', version: '29.7.0', dev: true, files: 8, bytes: 12 * kB},
	{path: '@jest/core', version: '29.7.0', dev: true, files: 70, bytes: 380 * kB},
	{path: 'jest-runtime', version: '29.7.0', dev: true, files: 10, bytes: 120 * kB},
	{path: 'jest-snapshot', version: '29.7.0', dev: true, files: 20, bytes: 150 * kB},
	{path: '@jest/core/node_modules/ansi-styles', version: '5.2.0', dev: true, files: 4, bytes: 16 * kB},
	{path: '@babel/core', version: '7.23.7', dev: true, files: 90, bytes: 1.4 * MB},
	{path: '@babel/parser', version: '7.23.6', dev: true, files: 8, bytes: 1.9 * MB},
	{path: '@babel/types', version: '7.23.6', dev: true, files: 160, bytes: 2.3 * MB},
	{path: 'ts-jest', version: '29.1.1', dev: true, files: 60, bytes: 420 * kB},
	{path: 'esbuild', version: '0.19.11', dev: true, files: 8, bytes: 140 * kB},
	{path: '@esbuild/linux-x64', version: '0.19.11', dev: true, files: 3, bytes: 9.4 * MB},
	{path: 'nodemon', version: '3.0.3', dev: true, files: 40, bytes: 220 * kB},
];

const appManifest = {
	name: 'orders-api',
	version: '1.4.0',
	private: true,
	main: 'dist/server.js',
	scripts: {
		build: 'tsc -p tsconfig.json',
		start: 'node dist/server.js',
		dev: 'nodemon --exec ts-node src/server.ts',
		lint: 'eslint src test',
		test: 'jest',
	},
	dependencies: {dotenv: '^16.4.1', express: '^4.18.2', pg: '^8.11.3', pino: '^8.17.2', zod: '^3.22.4'},
	devDependencies: {
		'@types/express': '^4.17.21',
		'@types/jest': '^29.5.11',
		'@types/node': '^20.11.5',
		'@typescript-eslint/parser': '^6.19.0',
		esbuild: '^0.19.11',
		eslint: '^8.56.0',
		jest: '^29.7.0',
		nodemon: '^3.0.3',
		prettier: '^3.2.4',
		'ts-jest': '^29.1.1',
		typescript: '^5.3.3',
	},
};

function packageName(path: string): string {
	const marker = path.lastIndexOf('node_modules/');
	return marker === -1 ? path : path.slice(marker + 'node_modules/'.length);
}

function integrity(path: string): string {
	// Stable, realistic-looking value; the rules never verify it.
	let hash = 0;
	for (const char of path) {
		hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
	}

	return `sha512-${hash.toString(36).padStart(8, '0').repeat(10).slice(0, 86)}==`;
}

/** npm 10's lockfile (v3) for the table above; the same map is written as node_modules/.package-lock.json. */
function lockfilePackages(): Record<string, unknown> {
	const packages: Record<string, unknown> = {};
	for (const entry of npmPackages) {
		const name = packageName(entry.path);
		packages[`node_modules/${entry.path}`] = {
			version: entry.version,
			resolved: `https://registry.npmjs.org/${name}/-/${name.replace(/^@[^/]+\//, '')}-${entry.version}.tgz`,
			integrity: integrity(entry.path),
			...(entry.dev ? {dev: true} : {}),
			license: 'MIT',
		};
	}

	return packages;
}

const lockfile = `${JSON.stringify(
	{
		name: appManifest.name,
		version: appManifest.version,
		lockfileVersion: 3,
		requires: true,
		packages: {
			'': {
				name: appManifest.name,
				version: appManifest.version,
				dependencies: appManifest.dependencies,
				devDependencies: appManifest.devDependencies,
			},
			...lockfilePackages(),
		},
	},
	null,
	2,
)}\n`;

const hiddenLockfile = `${JSON.stringify(
	{
		name: appManifest.name,
		version: appManifest.version,
		lockfileVersion: 3,
		requires: true,
		packages: lockfilePackages(),
	},
	null,
	2,
)}\n`;

const mitLicense = `MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction.
`;

/** One package's files: manifest, license, readme and filler modules splitting the rest of its bytes. */
function packageFiles(entry: NpmPackage): FileSpec[] {
	const root = `app/node_modules/${entry.path}`;
	const manifest = `${JSON.stringify({name: packageName(entry.path), version: entry.version, license: 'MIT', main: 'index.js'}, null, 2)}\n`;
	const files: FileSpec[] = [
		{path: `${root}/package.json`, content: manifest},
		{path: `${root}/LICENSE`, content: mitLicense},
		{path: `${root}/README.md`, size: 4 * kB},
	];
	const modules = Math.max(1, entry.files - files.length);
	const remaining = Math.max(0, Math.round(entry.bytes) - manifest.length - mitLicense.length - 4 * kB);
	const isTypes = entry.path.startsWith('@types/');
	for (let index = 0; index < modules; index++) {
		// The first module is the big bundle most packages ship; the rest share what is left.
		const size =
			index === 0 ? Math.round(remaining * 0.6) : Math.round((remaining * 0.4) / Math.max(1, modules - 1));
		const name = isTypes
			? `${index === 0 ? 'index' : `module-${index}`}.d.ts`
			: index === 0
				? 'index.js'
				: `lib/module-${index}.js`;
		files.push({path: `${root}/${name}`, size});
	}

	return files;
}

const binLinks: FileSpec[] = [
	{path: 'app/node_modules/.bin/tsc', type: 'symlink', linkTarget: '../typescript/bin/tsc'},
	{path: 'app/node_modules/.bin/eslint', type: 'symlink', linkTarget: '../eslint/bin/eslint.js'},
	{path: 'app/node_modules/.bin/jest', type: 'symlink', linkTarget: '../jest/bin/jest.js'},
	{path: 'app/node_modules/.bin/prettier', type: 'symlink', linkTarget: '../prettier/bin/prettier.cjs'},
	{path: 'app/node_modules/.bin/nodemon', type: 'symlink', linkTarget: '../nodemon/bin/nodemon.js'},
];

/** npm's content-addressed cache: one tarball and one index entry per package, about a third of its size. */
function npmCacheFiles(): FileSpec[] {
	const files: FileSpec[] = [];
	for (const entry of npmPackages) {
		const digest = integrity(entry.path)
			.slice(7, 47)
			.replace(/[^a-z0-9]/g, '0');
		files.push({
			path: `root/.npm/_cacache/content-v2/sha512/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest.slice(4)}`,
			size: Math.round(entry.bytes * 0.33),
		});
		files.push({
			path: `root/.npm/_cacache/index-v5/${digest.slice(5, 7)}/${digest.slice(7, 9)}/${digest.slice(9)}`,
			size: 600,
		});
	}

	files.push({path: 'root/.npm/_logs/2024-01-22T10_15_02_114Z-debug-0.log', size: 38 * kB});
	return files;
}

/** What node's official image adds: the runtime, its headers and the bundled npm. */
function nodeRuntime(): FileSpec[] {
	const files: FileSpec[] = [
		{path: 'usr/local/bin/node', size: 90 * MB, mode: 0o755},
		{path: 'usr/local/bin/npm', type: 'symlink', linkTarget: '../lib/node_modules/npm/bin/npm-cli.js'},
		{path: 'usr/local/bin/npx', type: 'symlink', linkTarget: '../lib/node_modules/npm/bin/npx-cli.js'},
		{path: 'usr/local/lib/node_modules/npm/package.json', content: '{"name":"npm","version":"10.2.4"}\n'},
		{path: 'usr/local/lib/node_modules/npm/bin/npm-cli.js', size: 60, mode: 0o755},
		{path: 'usr/local/lib/node_modules/npm/bin/npx-cli.js', size: 2 * kB, mode: 0o755},
	];
	for (let index = 0; index < 380; index++) {
		const group = [
			'lib/commands',
			'lib/utils',
			'node_modules/@npmcli/arborist/lib',
			'node_modules/pacote/lib',
			'node_modules/semver/functions',
			'docs/content/commands',
		][index % 6]!;
		files.push({
			path: `usr/local/lib/node_modules/npm/${group}/file-${index}.js`,
			size: 1 * kB + ((index * 7919) % (48 * kB)),
		});
	}

	for (let index = 0; index < 50; index++) {
		files.push({
			path: `usr/local/include/node/header-${index}.h`,
			size: 3 * kB + ((index * 4099) % (30 * kB)),
		});
	}

	files.push({path: 'usr/local/share/doc/node/gdbinit', size: 1200});
	return files;
}

function yarnFiles(): FileSpec[] {
	const files: FileSpec[] = [
		{path: 'opt/yarn-v1.22.19/bin/yarn.js', size: 1100, mode: 0o755},
		{path: 'opt/yarn-v1.22.19/lib/cli.js', size: Math.round(5.2 * MB)},
		{path: 'opt/yarn-v1.22.19/package.json', content: '{"name":"yarn","version":"1.22.19"}\n'},
		{path: 'usr/local/bin/yarn', type: 'symlink', linkTarget: '/opt/yarn-v1.22.19/bin/yarn'},
	];
	return files;
}

const dockerfile = `FROM node:20-bookworm-slim
WORKDIR /app
COPY package*.json ./
RUN npm install
COPY . .
RUN npm run build
RUN rm -rf /tmp/build-cache
ENV NODE_ENV=production
EXPOSE 3000
CMD ["node", "dist/server.js"]
`;

const serverSource = `import express from 'express';
import {healthRouter} from './routes/health.js';
import {ordersRouter} from './routes/orders.js';

const app = express();
app.use(express.json());
app.use('/health', healthRouter);
app.use('/orders', ordersRouter);
app.listen(Number(process.env.PORT ?? 3000));
`;

const appSources: [path: string, size: number][] = [
	['src/routes/orders.ts', 6 * kB],
	['src/routes/health.ts', 600],
	['src/db/pool.ts', 1800],
	['src/db/migrations/001-init.sql', 2400],
	['src/middleware/auth.ts', 3100],
	['src/middleware/errors.ts', 1400],
	['src/config.ts', 1100],
	['src/types.d.ts', 700],
	['test/orders.test.ts', 9 * kB],
	['test/health.test.ts', 1200],
	['test/fixtures/orders.json', 24 * kB],
	['coverage/lcov.info', 88 * kB],
	['coverage/lcov-report/index.html', 12 * kB],
	['tsconfig.json', 540],
	['tsconfig.build.json', 210],
	['.eslintrc.json', 680],
	['.prettierrc', 90],
	['jest.config.js', 320],
	['README.md', 5 * kB],
	['.env', 180],
	['.gitignore', 120],
	['.github/workflows/ci.yml', 1900],
	['.vscode/settings.json', 240],
	['.git/HEAD', 21],
	['.git/config', 260],
	['.git/index', 14 * kB],
	['.git/packed-refs', 400],
	['.git/refs/heads/main', 41],
	['.git/objects/pack/pack-3f9a1c0e5d.idx', 180 * kB],
	['.git/objects/pack/pack-3f9a1c0e5d.pack', 6.4 * MB],
	['.git/hooks/pre-commit.sample', 1600],
	['.git/hooks/pre-push.sample', 1400],
	['.git/logs/HEAD', 3 * kB],
];

function copiedRepository(): FileSpec[] {
	const files: FileSpec[] = [
		{path: 'app/package.json', content: `${JSON.stringify(appManifest, null, 2)}\n`},
		{path: 'app/package-lock.json', content: lockfile},
		{path: 'app/Dockerfile', content: dockerfile},
		{path: 'app/src/server.ts', content: serverSource},
	];
	for (const [path, size] of appSources) {
		files.push({path: `app/${path}`, size: Math.round(size)});
	}

	return files;
}

const compiledOutput: [path: string, size: number][] = [
	['dist/server.js', 1100],
	['dist/server.js.map', 1500],
	['dist/routes/orders.js', 5200],
	['dist/routes/health.js', 520],
	['dist/db/pool.js', 1500],
	['dist/middleware/auth.js', 2700],
	['dist/middleware/errors.js', 1200],
	['dist/config.js', 900],
];

const layers: LayerSpec[] = [
	{
		createdBy:
			'/bin/sh -c #(nop) ADD file:5d6b639e8b6bcc01149b5d4dc2ee8a6f0a5b9f2b5e2a4b1c3d7f9e0a1b2c3d4e in / ',
		files: debianRootfs(),
	},
	{
		createdBy:
			'RUN /bin/sh -c ARCH= && dpkgArch="$(dpkg --print-architecture)" && curl -fsSLO --compressed "https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH.tar.xz" && tar -xJf "node-v$NODE_VERSION-linux-$ARCH.tar.xz" -C /usr/local --strip-components=1 --no-same-owner && node --version && npm --version # buildkit',
		files: nodeRuntime(),
	},
	{
		createdBy:
			'RUN /bin/sh -c set -ex && curl -fsSLO --compressed "https://yarnpkg.com/downloads/$YARN_VERSION/yarn-v$YARN_VERSION.tar.gz" && tar -xzf yarn-v$YARN_VERSION.tar.gz -C /opt/ && ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn && yarn --version # buildkit',
		files: yarnFiles(),
	},
	{
		createdBy: 'COPY docker-entrypoint.sh /usr/local/bin/ # buildkit',
		files: [
			{path: 'usr/local/bin/docker-entrypoint.sh', content: '#!/bin/sh\nset -e\nexec "$@"\n', mode: 0o755},
		],
	},
	{createdBy: 'WORKDIR /app', files: [{path: 'app', type: 'dir'}]},
	{
		createdBy: 'COPY package*.json ./ # buildkit',
		files: [
			{path: 'app/package.json', content: `${JSON.stringify(appManifest, null, 2)}\n`},
			{path: 'app/package-lock.json', content: lockfile},
		],
	},
	{
		createdBy: 'RUN /bin/sh -c npm install # buildkit',
		files: [
			{path: 'app/node_modules/.package-lock.json', content: hiddenLockfile},
			...npmPackages.flatMap(packageFiles),
			...binLinks,
			...npmCacheFiles(),
		],
	},
	{createdBy: 'COPY . . # buildkit', files: copiedRepository()},
	{
		createdBy: 'RUN /bin/sh -c npm run build # buildkit',
		files: [
			...compiledOutput.map(([path, size]): FileSpec => ({path: `app/${path}`, size})),
			{path: 'tmp/build-cache/tsconfig.tsbuildinfo', size: Math.round(2.2 * MB)},
			{path: 'tmp/build-cache/esbuild-metafile.json', size: 640 * kB},
			{path: 'tmp/build-cache/sourcemaps.bin', size: Math.round(1.1 * MB)},
		],
	},
	{
		createdBy: 'RUN /bin/sh -c rm -rf /tmp/build-cache # buildkit',
		files: [{path: 'tmp/build-cache', type: 'whiteout'}],
	},
];

export const demoImageSpec: ImageSpec = {
	layers,
	emptyHistory: [
		{createdBy: '/bin/sh -c #(nop)  CMD ["bash"]', beforeLayer: 1},
		{createdBy: 'ENV NODE_VERSION=20.11.1', beforeLayer: 1},
		{createdBy: 'ENV YARN_VERSION=1.22.19', beforeLayer: 2},
		{createdBy: 'ENTRYPOINT ["docker-entrypoint.sh"]', beforeLayer: 4},
		{createdBy: 'CMD ["node"]', beforeLayer: 4},
		{createdBy: 'ENV NODE_ENV=production'},
		{createdBy: 'EXPOSE map[3000/tcp:{}]'},
		{createdBy: 'CMD ["node" "dist/server.js"]'},
	],
	os: 'linux',
	architecture: 'amd64',
	repoTags: ['layerlens-demo/orders-api:latest'],
	created: '2024-01-22T10:16:40Z',
	config: {
		env: [
			'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
			'NODE_VERSION=20.11.1',
			'YARN_VERSION=1.22.19',
			'NODE_ENV=production',
		],
		entrypoint: ['docker-entrypoint.sh'],
		cmd: ['node', 'dist/server.js'],
		workingDir: '/app',
		exposedPorts: ['3000/tcp'],
		labels: {},
		volumes: [],
	},
};
