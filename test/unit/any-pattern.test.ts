import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cacheRules} from '../../source/analysis/findings/rules/caches.js';
import {anyPattern} from '../../source/shared/any-pattern.js';

const paths = [
	'',
	'root/.npm/_cacache/index',
	'home/app/.cache/pip/http/a',
	'var/lib/apt/lists/deb.debian.org_dists',
	'var/lib/apt/lists/lock',
	'var/cache/apt/archives/curl_8.deb',
	'var/cache/apt/pkgcache.bin',
	'var/cache/apt/archives/partial/x',
	'app/__pycache__/main.cpython-311.pyc',
	'usr/lib/python3/dist-packages/a.pyc',
	'app/main.py',
	'tmp/build.log',
	'var/log/dpkg.log',
	'var/log/nginx/access.log',
	'app/node_modules/.cache/babel/x',
	'src/.pnpm-store/v3/files/00/a',
	'usr/bin/env',
	'go/pkg/mod/golang.org/x/text@v0.14.0/LICENSE',
	'root/.m2/repository/org/a.jar',
	'root/.gradle/caches/modules-2/a',
];

test('anyPattern matches exactly where one of its patterns does, top-level alternations and anchors kept', () => {
	const patterns = [/^a\/|\.b$/, /(^|\/)c$/, /^d(?=e)/];
	const any = anyPattern(patterns);
	for (const path of ['a/x', 'x.b', 'xa/', 'c', 'y/c', 'yc', 'de', 'dx', 'b.a/']) {
		assert.equal(
			any.test(path),
			patterns.some((pattern) => pattern.test(path)),
			path,
		);
	}
});

test('anyPattern of the cache rules agrees with the rules one by one', () => {
	const any = anyPattern(cacheRules.map((rule) => rule.pattern));
	let matched = 0;
	for (const path of paths) {
		const one = cacheRules.some((rule) => rule.pattern.test(path));
		if (one) matched++;
		assert.equal(any.test(path), one, path);
	}

	assert.ok(matched >= 10, 'the sample paths reach most rules');
});

test('anyPattern refuses a pattern with flags, which would change what the others mean', () => {
	assert.throws(() => anyPattern([/a/, /b/i]), /has flags/);
});

test('every cache rule is anchored at the start, so their joint test is tried at a path start only', () => {
	for (const rule of cacheRules) assert.match(rule.pattern.source, /^\^/, rule.ruleId);
	const pycache = cacheRules.find((rule) => rule.ruleId === 'LL-CACHE-PYCACHE')!.pattern;
	assert.equal(pycache.exec('app/__pycache__/m.cpython-311.pyc')?.[1], 'app/__pycache__');
	assert.equal(pycache.exec('__pycache__/m.pyc')?.[1], '__pycache__');
	assert.ok(pycache.test('usr/lib/python3/x.pyo'));
	assert.equal(pycache.exec('usr/lib/python3/x.pyc')?.[1], undefined);
	assert.equal(pycache.test('app/x.pyc.txt'), false);
	assert.ok(pycache.test('odd\nname.pyc'), 'a newline in the name, as the unanchored form matched');
});
