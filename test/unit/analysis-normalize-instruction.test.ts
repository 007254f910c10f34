import assert from 'node:assert/strict';
import {test} from 'node:test';
import {normalizeInstruction} from '../../source/analysis/normalize-instruction.js';

const cases: Array<[string | undefined, string, string]> = [
	// Classic builder.
	[
		'/bin/sh -c #(nop) ADD file:ab8940a9b8a62d2f2c4634bf5e63a87ea73736bd0313412e41be2351c4fbdf53 in / ',
		'ADD <file> /',
		'ADD',
	],
	['/bin/sh -c #(nop)  CMD ["sh"]', 'CMD ["sh"]', 'CMD'],
	['/bin/sh -c #(nop) COPY dir:0f1e2d3c4b5a69788796a5b4c3d2e1f0 in /app ', 'COPY <dir> /app', 'COPY'],
	['/bin/sh -c #(nop) COPY multi:9a8b7c6d5e4f in /srv/ ', 'COPY <multi> /srv/', 'COPY'],
	[
		'/bin/sh -c #(nop) COPY --chown=1000:1000 file:abc123 in /home/app/ ',
		'COPY --chown=1000:1000 <file> /home/app/',
		'COPY',
	],
	// Docker 20.10 glues the flag to the hashed source (seen on layerlens-fixture/multistage).
	[
		'/bin/sh -c #(nop) COPY --chown=node:nodemulti:ba395857b2aeebc1922d81200a1092086f8c4bc77d9efae26b0e9297ad4ff1b1 in ./ ',
		'COPY --chown=node:node <multi> ./',
		'COPY',
	],
	[
		'/bin/sh -c #(nop) COPY --chown=node:nodedir:d598319f97116ec21b0a5a098330d232217e253916a8d3105b707daea894df0f in ./dist ',
		'COPY --chown=node:node <dir> ./dist',
		'COPY',
	],
	['/bin/sh -c #(nop)  ENV NODE_VERSION=20.11.0', 'ENV NODE_VERSION=20.11.0', 'ENV'],
	[
		'/bin/sh -c apt-get update && apt-get install -y curl',
		'RUN apt-get update && apt-get install -y curl',
		'RUN',
	],
	['|2 A=1 B=2 /bin/sh -c make', 'RUN make', 'RUN'],
	// BuildKit.
	['RUN /bin/sh -c npm ci # buildkit', 'RUN npm ci', 'RUN'],
	['RUN |2 A=1 B=2 /bin/sh -c make # buildkit', 'RUN make', 'RUN'],
	['COPY . /app # buildkit', 'COPY . /app', 'COPY'],
	['COPY --from=build /out /usr/local/bin # buildkit', 'COPY --from=build /out /usr/local/bin', 'COPY'],
	['WORKDIR /app', 'WORKDIR /app', 'WORKDIR'],
	['ENTRYPOINT ["node" "server.js"]', 'ENTRYPOINT ["node" "server.js"]', 'ENTRYPOINT'],
	['RUN /bin/bash -o pipefail -c curl -fsSL x | sh # buildkit', 'RUN curl -fsSL x | sh', 'RUN'],
	// kaniko: the instruction itself, no shell.
	['ADD README.md /somefile.txt', 'ADD README.md /somefile.txt', 'ADD'],
	[
		'RUN cp /somefile.txt /root/example/somefile1.txt',
		'RUN cp /somefile.txt /root/example/somefile1.txt',
		'RUN',
	],
	// A bare shell command gets its RUN.
	['apk add --no-cache git', 'RUN apk add --no-cache git', 'RUN'],
	['env CGO_ENABLED=0 go build ./...', 'RUN env CGO_ENABLED=0 go build ./...', 'RUN'],
	['', 'unknown', 'UNKNOWN'],
	['/bin/sh -c #(nop) ', 'unknown', 'UNKNOWN'],
	[undefined, 'unknown', 'UNKNOWN'],
];

for (const [createdBy, instruction, kind] of cases) {
	test(`normalizeInstruction(${JSON.stringify(createdBy)})`, () => {
		const result = normalizeInstruction(createdBy);
		assert.equal(result.instruction, instruction);
		assert.equal(result.kind, kind);
	});
}

test('build-arg prefixes are decoded and kept', () => {
	assert.deepEqual(normalizeInstruction('|2 A=1 B=2 /bin/sh -c make').buildArgs, {A: '1', B: '2'});
	assert.deepEqual(normalizeInstruction('RUN |1 VERSION=1.2.3 /bin/sh -c ./install.sh # buildkit'), {
		instruction: 'RUN ./install.sh',
		kind: 'RUN',
		buildArgs: {VERSION: '1.2.3'},
	});
	// An empty value and a value with spaces (Docker writes them unquoted).
	assert.deepEqual(normalizeInstruction('|3 EMPTY= MSG=hello world LAST=x /bin/sh -c echo $MSG').buildArgs, {
		EMPTY: '',
		MSG: 'hello world',
		LAST: 'x',
	});
	assert.equal(
		normalizeInstruction('|3 EMPTY= MSG=hello world LAST=x /bin/sh -c echo $MSG').instruction,
		'RUN echo $MSG',
	);
});

test('instructions without build args have an empty buildArgs', () => {
	assert.deepEqual(normalizeInstruction('/bin/sh -c make').buildArgs, {});
});

test('tabs that indent continuation lines become single spaces', () => {
	assert.equal(
		normalizeInstruction('/bin/sh -c apt-get update \t&& apt-get install -y gcc').instruction,
		'RUN apt-get update && apt-get install -y gcc',
	);
});
