/**
Hand-made analyses for the report and CI tests. Every number is written down from how the image is
described here, so tests can assert exact figures without running the engine.

The naive image (a single-stage Node build):
  layer 0  ADD base            100,000,000 B
  layer 1  WORKDIR /app                  0 B
  layer 2  COPY . .              2,000,000 B  (app/.env, 120 B, is one of its files)
  layer 3  RUN npm install      60,000,000 B  (devDependencies 24,000,000 B, npm cache 3,500,000 B,
                                               tmp/build/big.o 5,000,000 B later deleted)
  layer 4  RUN echo `date` | tee /tmp/x && rm -rf /tmp/build      1,000 B
  total 162,001,000 B; final filesystem 162,001,000 - 5,000,000 = 157,001,000 B.
*/

import type {
	Finding,
	ImageAnalysis,
	ImageTree,
	LayerSummary,
	WasteSummary,
} from '../../source/analysis/types.js';
import {addedCode, EntryColumns, type PathTree, pathHash} from '../../source/engine/index.js';
import {PathTreeBuilder} from '../../source/engine/path-tree-builder.js';
import type {TarEntry} from '../../source/image/types.js';
import type {ReportInput} from '../../source/report/report-input.js';

export type FileSpec = {path: string; size: number; layer: number};

/** A tree where each file has one visible version, enough for size lookups. */
export function buildTree(files: FileSpec[]): PathTree {
	const layerCount = files.reduce((count, file) => Math.max(count, file.layer + 1), 0);
	const entries: TarEntry[][] = Array.from({length: layerCount}, () => []);
	const rows = files.map((file) => {
		const layerEntries = entries[file.layer]!;
		layerEntries.push({
			path: file.path,
			type: 'file',
			size: file.size,
			mode: 0o644,
			uid: 0,
			gid: 0,
			mtime: 0,
		});
		return layerEntries.length - 1;
	});
	const tree = new PathTreeBuilder(entries.map((layerEntries) => EntryColumns.fromEntries(layerEntries)));
	files.forEach((file, index) => {
		tree.addVersion(tree.ensure(file.path, pathHash(file.path)), file.layer, rows[index]!, addedCode);
	});
	return tree.finish();
}

function layer(
	index: number,
	instruction: string,
	sizeBytes: number,
	extra: Partial<LayerSummary> = {},
): LayerSummary {
	return {
		index,
		diffId: `sha256:${String(index).repeat(64)}`,
		compression: 'gzip',
		tarSizeBytes: sizeBytes + 10_240,
		instruction,
		sizeBytes,
		fileCount: 1,
		added: 1,
		modified: 0,
		removed: 0,
		wasteIntroducedBytes: 0,
		wasteHiddenBytes: 0,
		...extra,
	};
}

export const naiveInstructions = [
	'ADD file:4f2a in /',
	'WORKDIR /app',
	'COPY . .',
	'RUN npm install',
	'RUN echo `date` | tee /tmp/x && rm -rf /tmp/build',
] as const;

export const devDependencies: Finding = {
	ruleId: 'LL-BUILD-DEVDEPS',
	category: 'build-only',
	confidence: 'high',
	title: 'devDependencies installed in the final image',
	evidence: [
		'package.json lists typescript and @types/node under devDependencies',
		'package-lock.json marks them "dev": true',
	],
	groups: [
		{path: 'app/node_modules/typescript/', count: 2, bytes: 20_000_000},
		{path: 'app/node_modules/@types/node/', count: 1, bytes: 4_000_000},
	],
	paths: [
		'app/node_modules/typescript/lib/typescript.js',
		'app/node_modules/typescript/package.json',
		'app/node_modules/@types/node/index.d.ts',
	],
	layerIndex: 3,
	instruction: 'RUN npm install',
	dockerfileLine: 5,
	bytes: 24_000_000,
	fix: 'Install with `npm ci --omit=dev` in the runtime stage, or build in a builder stage',
};

export const npmCache: Finding = {
	ruleId: 'LL-CACHE-NPM',
	category: 'cache',
	confidence: 'high',
	title: 'npm cache left in the image',
	evidence: ['root/.npm/_cacache holds content-v2 and index-v5'],
	groups: [{path: 'root/.npm/', count: 2, bytes: 3_500_000}],
	paths: ['root/.npm/_cacache/content-v2/a', 'root/.npm/_cacache/index-v5/b'],
	layerIndex: 3,
	instruction: 'RUN npm install',
	dockerfileLine: 5,
	bytes: 3_500_000,
	fix: 'Use RUN --mount=type=cache,target=/root/.npm or npm cache clean --force in the same RUN',
};

export const envFile: Finding = {
	ruleId: 'LL-SECRET-ENV',
	category: 'secret',
	confidence: 'medium',
	title: '.env files in the image',
	evidence: ['app/.env was copied by COPY . .'],
	groups: [{path: 'app/.env', count: 1, bytes: 120}],
	paths: ['app/.env'],
	layerIndex: 2,
	instruction: 'COPY . .',
	dockerfileLine: 4,
	bytes: 120,
	fix: 'Add .env to .dockerignore and pass settings at run time',
};

export const deletedLater: Finding = {
	ruleId: 'LL-WASTE-DELETED',
	category: 'waste',
	confidence: 'high',
	title: 'Files deleted in a later layer',
	evidence: ['tmp/build/big.o was added by layer 3 and deleted by layer 4'],
	groups: [{path: 'tmp/build/', count: 1, bytes: 5_000_000}],
	paths: ['tmp/build/big.o'],
	layerIndex: 3,
	instruction: 'RUN npm install',
	bytes: 5_000_000,
	fix: 'Delete the files in the same RUN that creates them',
};

const naiveWaste: WasteSummary = {
	reclaimableBytes: 5_000_000,
	sameContentBytes: 0,
	duplicateBytes: 0,
	items: [
		{
			path: 'tmp/build/big.o',
			bytes: 5_000_000,
			cause: 'deleted',
			addedInLayer: 3,
			hiddenInLayer: 4,
			sameContent: false,
		},
	],
	duplicates: [],
};

export const naiveFiles: FileSpec[] = [
	{path: 'app/.env', size: 120, layer: 2},
	{path: 'app/node_modules/typescript/lib/typescript.js', size: 19_000_000, layer: 3},
	{path: 'app/node_modules/typescript/package.json', size: 1_000_000, layer: 3},
	{path: 'app/node_modules/@types/node/index.d.ts', size: 4_000_000, layer: 3},
	{path: 'root/.npm/_cacache/content-v2/a', size: 3_000_000, layer: 3},
	{path: 'root/.npm/_cacache/index-v5/b', size: 500_000, layer: 3},
];

export const naiveDockerfile = [
	'FROM node:20 AS build',
	'WORKDIR /app',
	'COPY package*.json ./',
	'RUN --mount=type=cache,target=/root/.npm npm ci',
	'COPY . .',
	'RUN npm run build',
	'',
	'FROM node:20-slim',
	'WORKDIR /app',
	'COPY package*.json ./',
	'RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev',
	'COPY --from=build /app/dist ./dist',
	'CMD ["node", "dist/index.js"]',
	'',
].join('\n');

/** The naive single-stage Node image: fails the default CI rules. */
export function naiveAnalysis(): ReportInput & ImageTree {
	const layers = [
		layer(0, naiveInstructions[0], 100_000_000),
		layer(1, naiveInstructions[1], 0, {fileCount: 0, added: 0}),
		layer(2, naiveInstructions[2], 2_000_000),
		layer(3, naiveInstructions[3], 60_000_000, {wasteIntroducedBytes: 5_000_000}),
		layer(4, naiveInstructions[4], 1_000, {wasteHiddenBytes: 5_000_000, removed: 1}),
	];
	const analysis: ImageAnalysis = {
		image: {
			reference: 'example/naive-node:1.0',
			id: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
			source: 'docker-archive',
			os: 'linux',
			architecture: 'amd64',
			repoTags: ['example/naive-node:1.0'],
			sizeBytes: 162_001_000,
			finalSizeBytes: 157_001_000,
			layerCount: 5,
			config: {env: [], exposedPorts: [], labels: {}, volumes: []},
		},
		layers,
		history: [],
		efficiency: {
			score: 0.97,
			wastedBytes: 10_000_000,
			userSizeBytes: 62_001_000,
			wastedUserPercent: 10_000_000 / 62_001_000,
			inefficiencies: [{path: '/tmp/build/big.o', count: 2, cumulativeSizeBytes: 10_000_000}],
		},
		waste: naiveWaste,
		findings: [devDependencies, npmCache, envFile, deletedLater],
		warnings: [],
		tree: buildTree(naiveFiles),
	};
	return {
		...analysis,
		dockerfilePath: 'Dockerfile',
		suggestion: {
			dockerfile: naiveDockerfile,
			dockerignore: ['.env', 'node_modules', '.git'],
			projectedSizeBytes: 129_501_000,
			projectedRange: {low: 129_501_000, high: 129_501_000},
			projectionParts: [
				{label: 'the base image', bytes: 120_000_000},
				{label: '4 paths copied from the build stage', bytes: 9_501_000},
			],
			removedParts: [
				{
					ruleId: 'LL-BUILD-DEVDEPS',
					title: 'devDependencies installed in the final image',
					category: 'build-only',
					bytes: 24_000_000,
				},
				{ruleId: 'LL-CACHE-NPM', title: 'npm cache left in the image', category: 'cache', bytes: 3_500_000},
			],
			byCategory: {'build-only': 24_000_000, cache: 3_500_000},
			basedOn: 'dockerfile',
			notes: [
				'The build stage prunes node_modules to production dependencies (`npm prune --omit=dev`); the runtime stage copies the pruned tree',
			],
			runtime: {
				kind: 'node',
				argv: ['node', 'dist/server.js'],
				chain: [
					{path: 'usr/local/bin/node', reason: 'entrypoint'},
					{path: 'app/dist/server.js', reason: 'the script node runs'},
				],
				paths: ['app/dist/server.js', 'usr/local/bin/node'],
				copies: ['/app/dist', '/app/node_modules', '/app/package.json', '/app/config.yaml'],
				packages: [],
				installedPackages: [],
				unresolved: [],
			},
		},
	};
}

/** A correct multi-stage image: slim base, production dependencies only, nothing hidden. */
export function cleanAnalysis(): ReportInput & ImageTree {
	const naive = naiveAnalysis();
	return {
		...naive,
		image: {
			...naive.image,
			reference: 'example/clean-node:1.0',
			sizeBytes: 80_000_000,
			finalSizeBytes: 80_000_000,
		},
		layers: [
			layer(0, 'ADD file:9c1e in /', 70_000_000),
			layer(1, 'COPY /app/dist ./dist # buildkit', 10_000_000),
		],
		efficiency: {
			score: 0.995,
			wastedBytes: 0,
			userSizeBytes: 10_000_000,
			wastedUserPercent: 0,
			inefficiencies: [],
		},
		waste: {reclaimableBytes: 0, sameContentBytes: 0, duplicateBytes: 0, items: [], duplicates: []},
		findings: [],
		tree: buildTree([]),
		suggestion: undefined,
	};
}
