/**
Issue 17, files hidden from the scan: every crafted header shape is read as Go's archive/tar (Docker's
reader) reads it. The e2e twin (test/e2e/hidden-files.test.ts) checks the same shapes against the daemon.
*/
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {buildImageArchive, type ImageSpec, readArchiveBuffer} from '../helpers/fixture-writer.js';
import {fileSystemList, hiddenFileShapes, issue17Layer} from '../helpers/hidden-file-shapes.js';
import {describeRun, runCli} from '../helpers/run-cli.js';
import {entry, tarOf} from '../helpers/tar-blocks.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-hidden-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

export function rawLayerSpec(layer: Buffer, tag = 'hidden:1'): ImageSpec {
	return {
		layers: [{createdBy: 'ADD crafted.tar /', files: [], rawTar: layer}],
		config: {cmd: ['/app/run']},
		repoTags: [tag],
	};
}

for (const shape of hiddenFileShapes()) {
	test(`read as Go's tar reader reads it: ${shape.name}`, async () => {
		const image = await readArchiveBuffer(await buildImageArchive(rawLayerSpec(shape.layer)));
		assert.deepEqual(fileSystemList(image.layers[0]!.entries.toEntries()), shape.expected);
	});
}

test('issue 17 reproduction: `--ci` with failOn: secret fails on the crafted archive as on the plain one', async () => {
	writeFileSync(join(scratch, '.layerlens.yml'), 'rules:\n  failOn: [secret]\n');
	const crafted = join(scratch, 'crafted.tar');
	writeFileSync(crafted, await buildImageArchive(rawLayerSpec(issue17Layer())));
	const plain = join(scratch, 'plain.tar');
	writeFileSync(
		plain,
		await buildImageArchive(
			rawLayerSpec(
				tarOf([
					entry({name: 'root/.ssh/id_rsa', mode: 0o600}, '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n'),
					entry({name: 'app/.env'}, 'DATABASE_PASSWORD=hunter2\n'),
				]),
			),
		),
	);
	for (const archive of [plain, crafted]) {
		const result = await runCli([archive, '--ci'], {cwd: scratch, timeoutMs: 60_000});
		assert.equal(result.code, 1, describeRun(result));
		assert.match(result.stdout, /FAIL failOn:secret/, describeRun(result));
		assert.match(result.stdout, /LL-SECRET-SSH-KEY/, describeRun(result));
	}
});
