import type {FinalFile} from '../../source/analysis/types.js';
import {finalFile, hiddenLockfile, ruleInput} from './rule-input.js';

/** A naive single-stage Node image as the findings see it; sizes chosen so every total can be added up by hand. */
export const instructions = [
	'ADD rootfs.tar.xz /',
	'WORKDIR /app',
	'COPY package*.json ./',
	'RUN npm install',
	'COPY . .',
	'RUN npm run build',
	'-CMD ["node","dist/server.js"]',
];

export const lockfile = hiddenLockfile({
	'node_modules/express': {},
	'node_modules/express/node_modules/debug': {},
	'node_modules/lodash': {},
	'node_modules/typescript': {dev: true},
	'node_modules/@types/node': {dev: true},
	'node_modules/jest': {dev: true},
	'node_modules/jest/node_modules/chalk': {dev: true},
});

export const manifest = JSON.stringify({
	name: 'app',
	main: 'dist/server.js',
	scripts: {start: 'node dist/server.js'},
	dependencies: {express: '4', lodash: '4'},
	devDependencies: {typescript: '5', '@types/node': '20', jest: '29'},
});

export const files: FinalFile[] = [
	finalFile('app/package.json', 120, 2),
	finalFile('app/package-lock.json', 300, 2),
	finalFile('app/node_modules/.package-lock.json', 500, 3),
	finalFile('app/node_modules/express/index.js', 1000, 3),
	finalFile('app/node_modules/express/node_modules/debug/index.js', 200, 3),
	finalFile('app/node_modules/typescript/lib/tsc.js', 5000, 3),
	finalFile('app/node_modules/@types/node/index.d.ts', 800, 3),
	finalFile('app/node_modules/jest/index.js', 400, 3),
	finalFile('app/node_modules/jest/node_modules/chalk/index.js', 100, 3),
	finalFile('app/node_modules/.bin/tsc', 0, 3, {type: 'symlink', linkTarget: '../typescript/bin/tsc'}),
	// Guard: never pattern-prune inside a runtime package.
	finalFile('app/node_modules/lodash/assets/logo.png', 70, 3),
	finalFile('app/node_modules/lodash/examples/a.js', 30, 3),
	finalFile('app/node_modules/lodash/data.json.gz', 20, 3),
	finalFile('app/node_modules/lodash/test/t.js', 10, 3),
	finalFile('app/node_modules/lodash/index.ts', 15, 3),
	finalFile('root/.npm/_cacache/content-v2/sha512/aa/bb', 3000, 3),
	finalFile('root/.npm/_logs/debug.log', 40, 3),
	finalFile('app/src/server.ts', 250, 4),
	finalFile('app/src/types.d.ts', 50, 4),
	finalFile('app/tsconfig.json', 30, 4),
	finalFile('app/.eslintrc.json', 20, 4),
	finalFile('app/jest.config.js', 25, 4),
	finalFile('app/test/server.test.ts', 90, 4),
	finalFile('app/coverage/lcov.info', 110, 4),
	finalFile('app/.git/HEAD', 21, 4),
	finalFile('app/.git/objects/pack/p.pack', 4000, 4),
	finalFile('app/Dockerfile', 100, 4),
	finalFile('app/.github/workflows/ci.yml', 80, 4),
	finalFile('app/.env', 30, 4),
	finalFile('app/README.md', 200, 4),
	finalFile('app/dist/server.js', 600, 5),
	finalFile('app/node_modules/.cache/babel/x.json', 60, 5),
];

export const evidence = {
	'app/package.json': manifest,
	'app/package-lock.json': lockfile,
	'app/node_modules/.package-lock.json': lockfile,
};
export const naive = ruleInput({
	instructions,
	files,
	evidence,
	config: {workingDir: '/app', cmd: ['node', 'dist/server.js']},
});
