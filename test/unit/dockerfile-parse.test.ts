import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	finalStageInstructions,
	parseDockerfile,
	substituteVariables,
} from '../../source/analysis/dockerfile/index.js';

const dockerfile = `# syntax=docker/dockerfile:1
# escape=\\

ARG NODE_VERSION=20
ARG DISTRO

FROM node:\${NODE_VERSION}-\${DISTRO:-bookworm} AS Build
WORKDIR /app
# a comment between instructions
COPY package*.json ./
RUN npm ci \\
    # a comment inside a continuation
    && npm cache clean --force
COPY . .
RUN <<EOF
npm run build
npm prune --omit=dev
EOF

FROM --platform=linux/amd64 node:\${NODE_VERSION}-slim
ARG NODE_VERSION
ENV APP_HOME=/srv NODE_ENV="production"
ENV LEGACY value with spaces
WORKDIR \${APP_HOME}
COPY --from=build --chown=node:node /app/dist $APP_HOME/dist
RUN echo $APP_HOME
USER node
CMD ["node", "dist/server.js"]
`;

const parsed = parseDockerfile(dockerfile);

test('parser directives, global ARGs and stages with substituted bases', () => {
	assert.deepEqual(parsed.directives, {syntax: 'docker/dockerfile:1', escape: '\\'});
	assert.deepEqual(parsed.globalArgs, {NODE_VERSION: '20', DISTRO: undefined});
	assert.equal(parsed.stages.length, 2);
	assert.deepEqual(
		parsed.stages.map((stage) => [stage.name, stage.base, stage.line, stage.platform]),
		[
			['build', 'node:20-bookworm', 7, undefined],
			[undefined, 'node:20-slim', 20, 'linux/amd64'],
		],
	);
});

test('instructions keep their first line; continuations join and drop comment lines; heredocs are collected', () => {
	const [build] = parsed.stages;
	assert.deepEqual(
		build!.instructions.map((instruction) => [instruction.kind, instruction.line, instruction.endLine]),
		[
			['WORKDIR', 8, 8],
			['COPY', 10, 10],
			['RUN', 11, 13],
			['COPY', 14, 14],
			['RUN', 15, 18],
		],
	);
	assert.equal(build!.instructions[2]!.args.replace(/\s+/g, ' '), 'npm ci && npm cache clean --force');
	assert.deepEqual(build!.instructions[4]!.heredocs, [
		{delimiter: 'EOF', body: 'npm run build\nnpm prune --omit=dev'},
	]);
});

test('ENV and ARG are substituted where Docker substitutes, not in RUN', () => {
	const runtime = parsed.stages[1]!.instructions;
	const byKind = (kind: string) => runtime.filter((instruction) => instruction.kind === kind);
	assert.equal(byKind('WORKDIR')[0]!.args, '/srv');
	const copy = byKind('COPY')[0]!;
	assert.deepEqual(copy.flags, {from: 'build', chown: 'node:node'});
	assert.equal(copy.args, '/app/dist /srv/dist');
	assert.equal(byKind('RUN')[0]!.args, 'echo $APP_HOME');
	assert.equal(byKind('CMD')[0]!.line, 28);
});

test('variable forms: $X, {X} with braces, :- default, :+ alternative, escaped dollar', () => {
	const variables = new Map([
		['A', 'one'],
		['EMPTY', ''],
	]);
	assert.equal(
		// biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not a template
		substituteVariables('$A-${A}-${B:-two}-${EMPTY:-three}-${A:+four}-${B:+five}-\\$A-$', variables),
		'one-one-two-three-four--$A-$',
	);
});

test('a backtick escape directive changes the continuation character', () => {
	const windows = parseDockerfile(
		'# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n  && echo done\n',
	);
	assert.equal(windows.stages[0]!.instructions[0]!.args.replace(/\s+/g, ' '), 'dir c:\\ && echo done');
});

test('the final stage includes the stages it is built FROM', () => {
	const chained = parseDockerfile(
		'FROM alpine AS base\nRUN apk add curl\nFROM base AS app\nCOPY . .\nFROM golang AS unrelated\nRUN go build\nFROM app\nCMD ["sh"]\n',
	);
	const {instructions, externalBase} = finalStageInstructions(chained);
	assert.equal(externalBase, 'alpine');
	assert.deepEqual(
		instructions.map((instruction) => [instruction.kind, instruction.line]),
		[
			['RUN', 2],
			['COPY', 4],
			['CMD', 8],
		],
	);
});
