import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	attachDockerfileLines,
	mapLayersToDockerfile,
	parseDockerfile,
} from '../../source/analysis/dockerfile/index.js';
import {findFindings} from '../../source/analysis/findings/index.js';
import {naive} from '../helpers/naive-node-input.js';
import {historyOf} from '../helpers/rule-input.js';

const naiveDockerfile = `FROM node:20
WORKDIR /app
COPY package*.json ./
RUN npm install
COPY . .
RUN npm run build
CMD ["node", "dist/server.js"]
`;

test('each layer of the final stage maps to its line; base-image layers have none', () => {
	const mapping = mapLayersToDockerfile(parseDockerfile(naiveDockerfile), naive.layers, naive.history);
	assert.equal(mapping.mismatch, undefined);
	assert.deepEqual(mapping.lines, [undefined, 2, 3, 4, 5, 6]);
});

test('findings carry the Dockerfile line of the layer that added them', () => {
	const mapping = mapLayersToDockerfile(parseDockerfile(naiveDockerfile), naive.layers, naive.history);
	const findings = attachDockerfileLines(findFindings(naive), mapping);
	const byRule = new Map(findings.map((finding) => [finding.ruleId, finding.dockerfileLine]));
	assert.equal(byRule.get('LL-BUILD-DEVDEPS'), 4);
	assert.equal(byRule.get('LL-BUILD-REPO-FILES'), 5);
	assert.equal(byRule.get('LL-CACHE-TOOLS'), 6);
});

test('multi-stage: only the final stage maps; COPY --from matches history without the flag; ARG without history is skipped', () => {
	const dockerfile = `ARG BASE=node:20-slim
FROM node:20 AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM \${BASE}
ARG PORT=3000
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/dist ./dist
RUN npm ci --omit=dev \\
 && npm cache clean --force
EXPOSE \${PORT}
CMD ["node", "dist/server.js"]
`;
	const {layers, history} = historyOf([
		'ADD rootfs.tar.xz /',
		'-CMD ["node"]',
		'-ENV NODE_ENV=production',
		'WORKDIR /app',
		'COPY /app/dist ./dist',
		'RUN npm ci --omit=dev && npm cache clean --force',
		'-EXPOSE 3000',
		'-CMD ["node","dist/server.js"]',
	]);
	const mapping = mapLayersToDockerfile(parseDockerfile(dockerfile), layers, history);
	assert.equal(mapping.mismatch, undefined);
	assert.deepEqual(mapping.lines, [undefined, 10, 11, 12]);
});

test('a different command is a mismatch with an explanation, not a guess', () => {
	const changed = naiveDockerfile.replace('RUN npm install', 'RUN npm ci');
	const mapping = mapLayersToDockerfile(parseDockerfile(changed), naive.layers, naive.history);
	assert.equal(
		mapping.mismatch,
		"Dockerfile line 4 (RUN) runs `npm ci` but the image's history step ran `npm install`: is it the Dockerfile of this image, and was it changed since the build?",
	);
	assert.deepEqual(mapping.lines, [undefined, undefined, undefined, undefined, undefined, undefined]);
});

test('a Dockerfile with more steps than the history is a mismatch', () => {
	const {layers, history} = historyOf(['RUN npm run build']);
	const mapping = mapLayersToDockerfile(parseDockerfile(naiveDockerfile), layers, history);
	assert.match(
		mapping.mismatch ?? '',
		/^Dockerfile line 7 \(CMD\) does not match the image's history step `RUN npm run build`/,
	);
	const short = historyOf(['-CMD ["node","dist/server.js"]']);
	const tooLong = mapLayersToDockerfile(
		parseDockerfile('FROM node\nRUN a\nCMD ["x"]\n'),
		short.layers,
		short.history,
	);
	assert.match(tooLong.mismatch ?? '', /more steps than the image's history \(line 2/);
});

test('LABEL entries that `docker build --label` appended after the last step are not a mismatch', () => {
	const {history, layers} = historyOf([
		'ADD rootfs.tar.xz /',
		'-CMD ["bash"]',
		'WORKDIR /app',
		'COPY . .',
		'-CMD ["node", "server.js"]',
		'-LABEL org.example.commit=abc123',
	]);
	const dockerfile = 'FROM debian\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n';
	const mapping = mapLayersToDockerfile(parseDockerfile(dockerfile), layers, history);
	assert.equal(mapping.mismatch, undefined);
	assert.deepEqual(mapping.lines, [undefined, 2, 3]);
	// A LABEL the Dockerfile does not have, before its last step, is still a real mismatch.
	const inTheMiddle = historyOf([
		'ADD rootfs.tar.xz /',
		'-CMD ["bash"]',
		'WORKDIR /app',
		'-LABEL org.example.commit=abc123',
		'COPY . .',
		'-CMD ["node", "server.js"]',
	]);
	assert.ok(
		mapLayersToDockerfile(parseDockerfile(dockerfile), inTheMiddle.layers, inTheMiddle.history).mismatch,
	);
});
