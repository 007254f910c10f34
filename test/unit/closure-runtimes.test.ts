import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type RuntimeClosure, runtimeClosure} from '../../source/analysis/closure/runtime-closure.js';
import type {FinalFile} from '../../source/analysis/types.js';
import {isEvidenceFile} from '../../source/image/evidence-files.js';
import type {ExecInfo} from '../../source/image/types.js';
import {dynamicElf, finalFile, ruleInput, symlinkFile} from '../helpers/rule-input.js';

const library = (needed: string[] = []): {exec: ExecInfo} => ({
	exec: {kind: 'elf', bits: 64, machine: 62, type: 'dyn', needed, runpath: []},
});

const script = (interpreter: string): {exec: ExecInfo; mode: number} => ({
	mode: 0o755,
	exec: {kind: 'script', interpreter},
});

/** A usr-merged Debian root with libc, libz and a shell. */
const debianRoot = (): FinalFile[] => [
	symlinkFile('bin', 'usr/bin'),
	symlinkFile('lib', 'usr/lib'),
	symlinkFile('lib64', 'usr/lib64'),
	finalFile('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 200_000, 0, library()),
	symlinkFile('usr/lib64/ld-linux-x86-64.so.2', '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
	finalFile('usr/lib/x86_64-linux-gnu/libc.so.6', 2_000_000, 0, library()),
	finalFile('usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 120_000, 0, library(['libc.so.6'])),
	symlinkFile('usr/lib/x86_64-linux-gnu/libz.so.1', 'libz.so.1.2.13'),
	finalFile('usr/bin/bash', 1_200_000, 0, dynamicElf(['libc.so.6'])),
	symlinkFile('usr/bin/sh', 'bash'),
	finalFile('etc/passwd', 900, 0),
];

const reasonOf = (closure: RuntimeClosure, path: string) =>
	closure.chain.find((step) => step.path === path)?.reason;

const provenAll = (closure: RuntimeClosure, paths: string[]) => {
	for (const path of paths)
		assert.ok(closure.proven.has(path), `${path} not in ${[...closure.proven].join(' ')}`);
};

const jdk = 'usr/lib/jvm/java-17-openjdk-amd64';
const javaFiles = (): FinalFile[] => [
	...debianRoot(),
	finalFile(
		`${jdk}/bin/java`,
		14_000,
		1,
		dynamicElf(['libjli.so', 'libc.so.6'], {runpath: ['$ORIGIN/../lib']}),
	),
	finalFile(`${jdk}/lib/libjli.so`, 70_000, 1, library(['libz.so.1'])),
	finalFile(`${jdk}/lib/modules`, 130_000_000, 1),
	symlinkFile('etc/alternatives/java', `/${jdk}/bin/java`, 1),
	symlinkFile('usr/bin/java', '/etc/alternatives/java', 1),
	finalFile('usr/share/java/commons-lang3-3.12.0.jar', 580_000, 1),
	symlinkFile('usr/share/java/commons-lang3.jar', 'commons-lang3-3.12.0.jar', 1),
	finalFile('usr/share/java/unused.jar', 1_000, 1),
	finalFile('app/app.jar', 30_000, 2),
	finalFile('app/lib/a.jar', 10_000, 2),
	finalFile('app/lib/b.JAR', 10_000, 2),
	finalFile('app/lib/readme.txt', 100, 2),
	finalFile('opt/libs/x.jar', 10_000, 2),
	finalFile('opt/classes/com/example/Main.class', 2_000, 2),
];

test('java -cp: jars (through /usr/share/java links), dir/* wildcards and the JVM tree are named with why', () => {
	const closure = runtimeClosure(
		ruleInput({
			files: javaFiles(),
			config: {
				cmd: ['java', '-Xmx1g', '-cp', 'app.jar:/usr/share/java/commons-lang3.jar:lib/*', 'com.example.Main'],
				workingDir: '/app',
				env: ['PATH=/usr/bin'],
			},
		}),
	);
	assert.equal(closure.runtime, 'java');
	provenAll(closure, [
		`${jdk}/bin/java`,
		'usr/bin/java',
		'etc/alternatives/java',
		'app/app.jar',
		'usr/share/java/commons-lang3.jar',
		'usr/share/java/commons-lang3-3.12.0.jar',
		'app/lib/a.jar',
		'app/lib/b.JAR',
		`${jdk}/lib/libjli.so`,
		'usr/lib/x86_64-linux-gnu/libz.so.1.2.13',
	]);
	assert.ok(!closure.proven.has('usr/share/java/unused.jar'));
	assert.ok(!closure.proven.has('app/lib/readme.txt'));
	assert.equal(reasonOf(closure, 'usr/share/java/commons-lang3-3.12.0.jar'), 'on the class path (-cp)');
	assert.match(reasonOf(closure, 'app/lib/a.jar')!, /lib\/\* on the class path \(-cp\)/);
	assert.ok(closure.trees.includes(jdk));
	assert.match(reasonOf(closure, jdk)!, /JVM/);
	assert.deepEqual(closure.unresolved, []);

	// --class-path=… is the same option.
	const long = runtimeClosure(
		ruleInput({
			files: javaFiles(),
			config: {cmd: ['java', '--class-path=/opt/libs/x.jar', 'Main'], env: ['PATH=/usr/bin']},
		}),
	);
	assert.equal(reasonOf(long, 'opt/libs/x.jar'), 'on the class path (--class-path)');

	// A wildcard over /usr/share/java loads the versioned files its links name.
	const wildcard = runtimeClosure(
		ruleInput({
			files: javaFiles(),
			config: {cmd: ['java', '-cp', '/usr/share/java/*', 'Main'], env: ['PATH=/usr/bin']},
		}),
	);
	provenAll(wildcard, ['usr/share/java/commons-lang3-3.12.0.jar', 'usr/share/java/commons-lang3.jar']);
	assert.match(
		reasonOf(wildcard, 'usr/share/java/commons-lang3-3.12.0.jar')!,
		/\/usr\/share\/java\/\* on the class path/,
	);
});

test('java reads CLASSPATH only without -cp; -jar names the jar and says its manifest Class-Path was not read', () => {
	const fromEnv = runtimeClosure(
		ruleInput({
			files: javaFiles(),
			config: {
				cmd: ['java', 'com.example.Main'],
				env: ['PATH=/usr/bin', 'CLASSPATH=/opt/libs/x.jar:/opt/classes'],
			},
		}),
	);
	assert.equal(reasonOf(fromEnv, 'opt/libs/x.jar'), 'on the class path (CLASSPATH)');
	assert.ok(fromEnv.trees.includes('opt/classes'));
	assert.equal(reasonOf(fromEnv, 'opt/classes'), 'a class directory on the class path (CLASSPATH)');

	const overridden = runtimeClosure(
		ruleInput({
			files: javaFiles(),
			config: {
				cmd: ['java', '-cp', '/app/app.jar', 'Main'],
				env: ['PATH=/usr/bin', 'CLASSPATH=/opt/libs/x.jar'],
			},
		}),
	);
	assert.ok(!overridden.proven.has('opt/libs/x.jar'));
	assert.ok(overridden.proven.has('app/app.jar'));

	const jar = runtimeClosure(
		ruleInput({
			files: javaFiles(),
			config: {cmd: ['java', '-jar', '/app/app.jar'], env: ['PATH=/usr/bin', 'CLASSPATH=/opt/libs/x.jar']},
		}),
	);
	assert.equal(reasonOf(jar, 'app/app.jar'), 'the jar java runs (-jar)');
	assert.match(jar.unresolved.join('\n'), /Class-Path of its manifest was not read/);
	assert.ok(jar.trees.includes('app'), jar.trees.join(' '));
	assert.ok(!jar.proven.has('opt/libs/x.jar'));
});

const phpApi = 'usr/lib/php/20220829';
const phpFiles = (): FinalFile[] => [
	...debianRoot(),
	finalFile('usr/bin/php8.2', 5_000_000, 1, dynamicElf(['libc.so.6'])),
	symlinkFile('etc/alternatives/php', '/usr/bin/php8.2', 1),
	symlinkFile('usr/bin/php', '/etc/alternatives/php', 1),
	finalFile('etc/php/8.2/cli/php.ini', 70_000, 1),
	finalFile('etc/php/8.2/mods-available/intl.ini', 60, 1),
	finalFile('etc/php/8.2/mods-available/mbstring.ini', 60, 1),
	finalFile('etc/php/8.2/mods-available/opcache.ini', 60, 1),
	symlinkFile('etc/php/8.2/cli/conf.d/20-intl.ini', '/etc/php/8.2/mods-available/intl.ini', 1),
	symlinkFile('etc/php/8.2/cli/conf.d/20-mbstring.ini', '/etc/php/8.2/mods-available/mbstring.ini', 1),
	// opcache is enabled for php-fpm only: the CLI does not load it.
	symlinkFile('etc/php/8.2/fpm/conf.d/10-opcache.ini', '/etc/php/8.2/mods-available/opcache.ini', 1),
	finalFile(`${phpApi}/intl.so`, 500_000, 1, library(['libicuuc.so.72', 'libicui18n.so.72', 'libc.so.6'])),
	finalFile(`${phpApi}/mbstring.so`, 900_000, 1, library(['libonig.so.5'])),
	finalFile(`${phpApi}/opcache.so`, 700_000, 1, library(['libc.so.6'])),
	finalFile(`${phpApi}/curl.so`, 100_000, 1, library(['libcurl.so.4'])),
	finalFile('usr/lib/x86_64-linux-gnu/libicuuc.so.72.1', 2_000_000, 1, library(['libc.so.6'])),
	symlinkFile('usr/lib/x86_64-linux-gnu/libicuuc.so.72', 'libicuuc.so.72.1', 1),
	finalFile('usr/lib/x86_64-linux-gnu/libicui18n.so.72.1', 3_000_000, 1, library(['libicuuc.so.72'])),
	symlinkFile('usr/lib/x86_64-linux-gnu/libicui18n.so.72', 'libicui18n.so.72.1', 1),
	finalFile('usr/lib/x86_64-linux-gnu/libonig.so.5', 500_000, 1, library()),
	finalFile('srv/app/index.php', 2_000, 2),
];

const phpEvidence = {
	'etc/php/8.2/cli/php.ini': '[PHP]\nmemory_limit = 128M\n;extension=curl\n',
	'etc/php/8.2/mods-available/intl.ini':
		'; configuration for php intl module\n; priority=20\nextension=intl.so\n',
	'etc/php/8.2/mods-available/mbstring.ini': '; priority=20\nextension = "mbstring"\n',
	'etc/php/8.2/mods-available/opcache.ini': '; priority=10\nzend_extension=opcache.so\n',
};

test('php: the CLI ini files enable intl and mbstring; their .so and libicu/libonig are proven, curl and opcache are not', () => {
	const closure = runtimeClosure(
		ruleInput({
			files: phpFiles(),
			evidence: phpEvidence,
			config: {cmd: ['php', 'index.php'], workingDir: '/srv/app', env: ['PATH=/usr/bin']},
		}),
	);
	assert.equal(closure.runtime, 'php');
	provenAll(closure, [
		'usr/bin/php8.2',
		'etc/php/8.2/cli/php.ini',
		'etc/php/8.2/cli/conf.d/20-intl.ini',
		'etc/php/8.2/mods-available/intl.ini',
		`${phpApi}/intl.so`,
		`${phpApi}/mbstring.so`,
		'usr/lib/x86_64-linux-gnu/libicuuc.so.72.1',
		'usr/lib/x86_64-linux-gnu/libicuuc.so.72',
		'usr/lib/x86_64-linux-gnu/libicui18n.so.72.1',
		'usr/lib/x86_64-linux-gnu/libonig.so.5',
		'srv/app/index.php',
	]);
	for (const path of [`${phpApi}/opcache.so`, `${phpApi}/curl.so`, 'etc/php/8.2/mods-available/opcache.ini'])
		assert.ok(!closure.proven.has(path), path);
	assert.equal(
		reasonOf(closure, `${phpApi}/intl.so`),
		'php extension intl.so, enabled in /etc/php/8.2/cli/conf.d/20-intl.ini',
	);
	assert.equal(reasonOf(closure, 'srv/app/index.php'), 'the script php runs');
	assert.equal(closure.appDirectory, 'srv/app');
	assert.deepEqual(closure.unresolved, []);
});

test('php without the ini texts says so and keeps the extension directory whole', () => {
	const closure = runtimeClosure(
		ruleInput({files: phpFiles(), config: {cmd: ['php', '/srv/app/index.php'], env: ['PATH=/usr/bin']}}),
	);
	assert.match(closure.unresolved.join('\n'), /ini file\(s\) were not read/);
	assert.ok(closure.trees.includes(phpApi), closure.trees.join(' '));
	// The evidence reader keeps small ini files (and no large one).
	assert.equal(isEvidenceFile('etc/php/8.2/mods-available/intl.ini', 60), true);
	assert.equal(isEvidenceFile('usr/local/etc/php/conf.d/docker-php-ext-intl.ini', 60), true);
	assert.equal(isEvidenceFile('etc/php/8.2/cli/php.ini', 50_000_000), false);
});

const perlArch = 'usr/lib/x86_64-linux-gnu/perl5/5.36';
const perlFiles = (): FinalFile[] => [
	...debianRoot(),
	finalFile('usr/bin/perl', 4_000, 1, dynamicElf(['libc.so.6'])),
	finalFile('usr/share/perl/5.36/strict.pm', 5_000, 1),
	finalFile('usr/share/perl/5.36/FindBin.pm', 5_000, 1),
	finalFile('usr/share/perl/5.36/unused.pm', 5_000, 1),
	finalFile(`${perlArch}/JSON/XS.pm`, 80_000, 1),
	finalFile(`${perlArch}/auto/JSON/XS/XS.so`, 120_000, 1, library(['libz.so.1'])),
	finalFile('app/report.pl', 400, 2, script('/usr/bin/perl')),
	finalFile('app/lib/Report/Format.pm', 900, 2),
	finalFile('app/data.csv', 9_000, 2),
	finalFile('app/t/report.t', 900, 2),
];
const reportText = [
	'#!/usr/bin/perl',
	'use strict;',
	'use FindBin;',
	'use lib "$FindBin::Bin/lib";',
	'use JSON::XS;',
	'use Report::Format;',
	'print Report::Format::render(<>);',
].join('\n');

test('perl: @INC trees, use lib "$FindBin::Bin/lib", used modules, an XS module .so with its libraries, a CMD data file', () => {
	const closure = runtimeClosure(
		ruleInput({
			files: perlFiles(),
			evidence: {'app/report.pl': reportText},
			config: {cmd: ['perl', '/app/report.pl', '/app/data.csv'], env: ['PATH=/usr/bin']},
		}),
	);
	assert.equal(closure.runtime, 'perl');
	provenAll(closure, [
		'usr/bin/perl',
		'app/report.pl',
		'app/data.csv',
		'app/lib/Report/Format.pm',
		`${perlArch}/JSON/XS.pm`,
		`${perlArch}/auto/JSON/XS/XS.so`,
		'usr/lib/x86_64-linux-gnu/libz.so.1.2.13',
		'usr/share/perl/5.36/strict.pm',
	]);
	assert.ok(!closure.proven.has('usr/share/perl/5.36/unused.pm'));
	assert.equal(reasonOf(closure, 'app/data.csv'), 'named in CMD');
	assert.equal(reasonOf(closure, `${perlArch}/auto/JSON/XS/XS.so`), 'the XS part of JSON::XS');
	assert.equal(
		reasonOf(closure, 'app/lib/Report/Format.pm'),
		'module Report::Format, used by /app/report.pl',
	);
	assert.equal(reasonOf(closure, 'app/lib'), 'use lib in /app/report.pl');
	for (const tree of ['app/lib', 'usr/share/perl', 'usr/lib/x86_64-linux-gnu/perl5', 'app'])
		assert.ok(closure.trees.includes(tree), `${tree} not in ${closure.trees.join(' ')}`);
	assert.equal(closure.appDirectory, 'app');
	assert.deepEqual(closure.unresolved, []);
	assert.equal(isEvidenceFile('app/report.pl', 400), true);
	assert.equal(isEvidenceFile('usr/share/perl/5.36/perl5db.pl', 400), false);
});

test('a #!/usr/bin/perl script is the perl runtime, not a compiled program; its unread text is said', () => {
	const closure = runtimeClosure(
		ruleInput({files: perlFiles(), config: {entrypoint: ['/app/report.pl'], cmd: ['/app/data.csv']}}),
	);
	assert.equal(closure.runtime, 'perl');
	assert.equal(reasonOf(closure, 'app/data.csv'), 'named in CMD');
	assert.match(closure.unresolved.join('\n'), /text of \/app\/report\.pl was not read/);
});

test('ruby: library roots, and each gem spec names its gem directory and compiled extensions', () => {
	const bundle = 'app/vendor/bundle/ruby/3.1.0';
	const closure = runtimeClosure(
		ruleInput({
			files: [
				...debianRoot(),
				finalFile('usr/bin/ruby3.1', 15_000, 1, dynamicElf(['libc.so.6'])),
				symlinkFile('usr/bin/ruby', 'ruby3.1', 1),
				finalFile('usr/lib/ruby/3.1.0/json.rb', 2_000, 1),
				finalFile('usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec', 2_000, 1),
				finalFile('opt/gems/specifications/puma-6.4.0.gemspec', 3_000, 2),
				finalFile('opt/gems/gems/puma-6.4.0/lib/puma.rb', 3_000, 2),
				finalFile(
					'opt/gems/extensions/x86_64-linux/3.1.0/puma-6.4.0/puma/puma_http11.so',
					90_000,
					2,
					library(['libz.so.1']),
				),
				finalFile(`${bundle}/specifications/sinatra-3.0.6.gemspec`, 3_000, 2),
				finalFile(`${bundle}/gems/sinatra-3.0.6/lib/sinatra.rb`, 3_000, 2),
				finalFile('app/app.rb', 500, 2),
			],
			config: {cmd: ['ruby', 'app.rb'], workingDir: '/app', env: ['PATH=/usr/bin']},
		}),
	);
	assert.equal(closure.runtime, 'ruby');
	provenAll(closure, [
		'usr/bin/ruby3.1',
		'app/app.rb',
		'opt/gems/specifications/puma-6.4.0.gemspec',
		'usr/lib/x86_64-linux-gnu/libz.so.1.2.13',
	]);
	for (const tree of [
		'usr/lib/ruby',
		'opt/gems/gems/puma-6.4.0',
		'opt/gems/extensions/x86_64-linux/3.1.0/puma-6.4.0',
		`${bundle}/gems/sinatra-3.0.6`,
		'app',
	])
		assert.ok(closure.trees.includes(tree), `${tree} not in ${closure.trees.join(' ')}`);
	assert.equal(
		reasonOf(closure, 'opt/gems/gems/puma-6.4.0'),
		'gem puma-6.4.0 (/opt/gems/specifications/puma-6.4.0.gemspec)',
	);
	assert.equal(reasonOf(closure, 'app/app.rb'), 'the script ruby runs');
});

test('ENV: build settings and whole system roots are never trees; runtime paths and search paths are', () => {
	const closure = runtimeClosure(
		ruleInput({
			files: [
				...debianRoot(),
				finalFile('usr/local/bin/node', 90_000_000, 1, dynamicElf(['libc.so.6'])),
				finalFile('usr/include/node/node.h', 90_000, 1),
				finalFile('usr/bin/gcc', 1_000_000, 1, dynamicElf(['libc.so.6'])),
				finalFile('go/pkg/mod/cache/x', 1_000, 1),
				finalFile('etc/app/config.yml', 300, 2),
				finalFile('var/lib/app/state.db', 3_000, 2),
				finalFile('opt/py1/a.py', 300, 2),
				finalFile('app/server.js', 3_000, 2),
			],
			config: {
				cmd: ['node', 'server.js'],
				workingDir: '/app',
				env: [
					'PATH=/usr/local/bin:/usr/bin',
					'npm_config_nodedir=/usr',
					'NPM_CONFIG_CACHE=/root/.npm',
					'CC=/usr/bin/gcc',
					'CFLAGS=-I/usr/include',
					'GOPATH=/go',
					'PKG_CONFIG_PATH=/usr/lib/pkgconfig',
					'DEBIAN_FRONTEND=noninteractive',
					'APP_BUILD_DIR=/go',
					'APP_CONFIG=/etc/app/config.yml',
					'STATE_DIR=/var/lib/app',
					'PYTHONPATH=/opt/py1:/opt/missing',
					'APP_PREFIX=/usr',
					'APP_LIBS=/usr/lib/x86_64-linux-gnu',
				],
			},
		}),
	);
	assert.equal(closure.runtime, 'node');
	assert.deepEqual([...closure.trees].sort(), ['app', 'opt/py1', 'var/lib/app']);
	assert.ok(!closure.proven.has('usr/bin/gcc'));
	assert.equal(reasonOf(closure, 'etc/app/config.yml'), 'named by ENV APP_CONFIG');
	assert.equal(reasonOf(closure, 'var/lib/app'), 'named by ENV STATE_DIR');
	assert.equal(reasonOf(closure, 'opt/py1'), 'named by ENV PYTHONPATH');
	// A runtime-looking setting that names a whole system root is refused, and said.
	assert.match(closure.notes.join('\n'), /\/usr \(named by ENV APP_PREFIX\) holds a whole system/);
	assert.match(closure.notes.join('\n'), /usr\/lib\/x86_64-linux-gnu \(named by ENV APP_LIBS\)/);
});

test('a java at /usr/bin/java does not make /usr the JVM tree', () => {
	const closure = runtimeClosure(
		ruleInput({
			files: [...debianRoot(), finalFile('usr/bin/java', 14_000, 1, dynamicElf(['libc.so.6']))],
			config: {cmd: ['java', 'Main'], env: ['PATH=/usr/bin']},
		}),
	);
	assert.equal(closure.runtime, 'java');
	assert.deepEqual(closure.trees, []);
});
