import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	assertDockerAvailable,
	connectDocker,
	type DockerAvailability,
	dockerAvailability,
	dockerSkip,
	isDockerRequired,
} from '../helpers/docker.js';

// The skip-or-fail contract of test/helpers/docker.ts: a skip with a visible reason on a laptop without Docker,
// a failure with the same reason in CI (LAYERLENS_REQUIRE_DOCKER=1).

const missing: DockerAvailability = {available: false, reason: 'no Docker daemon reachable (connect ENOENT)'};
const present: DockerAvailability = {available: true, reason: undefined};

test('only LAYERLENS_REQUIRE_DOCKER=1 makes Docker required', () => {
	assert.equal(isDockerRequired({LAYERLENS_REQUIRE_DOCKER: '1'}), true);
	assert.equal(isDockerRequired({LAYERLENS_REQUIRE_DOCKER: '0'}), false);
	assert.equal(isDockerRequired({}), false);
});

test('a missing daemon skips with its reason, unless Docker is required', () => {
	assert.equal(dockerSkip(missing, {}), 'no Docker daemon reachable (connect ENOENT)');
	assert.equal(dockerSkip(missing, {LAYERLENS_REQUIRE_DOCKER: '1'}), false);
	assert.equal(dockerSkip(present, {}), false);
});

test('a required but missing daemon fails the test with the reason', () => {
	assert.throws(() => assertDockerAvailable(missing), {
		message: 'LAYERLENS_REQUIRE_DOCKER=1 but no Docker daemon reachable (connect ENOENT)',
	});
	assert.doesNotThrow(() => assertDockerAvailable(present));
});

test('an unreachable socket is reported, not thrown', async () => {
	const docker = connectDocker({socketPath: '/nonexistent/layerlens-test.sock'});
	const availability = await dockerAvailability({docker});
	assert.equal(availability.available, false);
	assert.match(availability.reason ?? '', /^no Docker daemon reachable \(.*ENOENT.*\)$/);
});

const daemon = await dockerAvailability();

test('a fixture image that is not built is named with the command that builds it', {
	skip: dockerSkip(daemon),
}, async () => {
	assertDockerAvailable(daemon);
	const availability = await dockerAvailability({images: ['layerlens-fixture/does-not-exist']});
	assert.deepEqual(availability, {
		available: false,
		reason:
			'fixture images not built: layerlens-fixture/does-not-exist; run `bash test/fixtures/build-images.sh`',
	});
});
