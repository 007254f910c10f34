/**
Which ENV values name paths the running container reads. An image's ENV mixes what the program uses at
run time (JAVA_HOME, an app's CONFIG_FILE, PYTHONPATH) with what only the build used (CC, CFLAGS,
npm_config_nodedir, GOPATH); the second kind must not pull a tree into the closure.
*/

/** Settings of compilers, package managers and build tools: they steer a build, not the program it made. */
const buildSettings = [
	/^npm_config_/i,
	/^(yarn|pnpm|pip|pipenv|poetry|gradle|maven|cargo|rustup|ccache|node_gyp)_/i,
	/^(CC|CXX|CPP|LD|AR|AS|NM|RANLIB|STRIP|OBJCOPY|OBJDUMP|FC|F77|HOSTCC)$/,
	/^(C|CXX|CPP|LD|F|FC|GO|RUST|CGO_C|CGO_LD|CGO_CXX)FLAGS$/,
	/^(PKG_CONFIG_PATH|PKG_CONFIG_LIBDIR|PKG_CONFIG_SYSROOT_DIR|ACLOCAL_PATH|CMAKE_PREFIX_PATH)$/,
	/^(GOPATH|GOROOT|GOCACHE|GOMODCACHE|GOFLAGS|GOBIN|GOPROXY|GOTOOLCHAIN|CARGO_HOME|RUSTUP_HOME|M2_HOME)$/,
	/^(MAKEFLAGS|MFLAGS|DEBIAN_FRONTEND|SOURCE_DATE_EPOCH)$/,
	/_BUILD_|^BUILD_|_BUILD$/,
	// A cache is what a tool keeps to go faster next time, never what a program needs to run.
	/CACHE/i,
];

/** ENV settings that hold a `:`-separated list of directories the runtime searches. */
const searchPathSettings = new Set(['PYTHONPATH', 'NODE_PATH', 'PERL5LIB', 'PERLLIB', 'RUBYLIB', 'GEM_PATH']);

/** ENV settings the closure reads elsewhere (PATH for commands, LD_LIBRARY_PATH for libraries, CLASSPATH for java). */
const followedElsewhere = new Set(['PATH', 'LD_LIBRARY_PATH', 'CLASSPATH']);

export function isBuildSetting(name: string): boolean {
	return buildSettings.some((pattern) => pattern.test(name));
}

/** The absolute paths an ENV setting names for the running program ([] for a build setting or a non-path). */
export function runtimePathsOf(name: string, value: string): string[] {
	if (followedElsewhere.has(name) || isBuildSetting(name)) return [];
	if (searchPathSettings.has(name)) return value.split(':').filter((entry) => entry.startsWith('/'));
	return value.startsWith('/') && !value.includes(':') ? [value] : [];
}

/**
Directories that hold a whole system rather than one program's files: the root, the FHS top-level
directories and the shared directories below /usr and /var. Never a closure tree, whoever names them:
`npm_config_nodedir=/usr` must not make all of /usr needed.
*/
const systemRoots = new Set([
	'',
	...[
		'bin',
		'boot',
		'dev',
		'etc',
		'home',
		'lib',
		'lib32',
		'lib64',
		'libx32',
		'media',
		'mnt',
		'opt',
		'proc',
		'root',
		'run',
		'sbin',
		'srv',
		'sys',
		'tmp',
		'usr',
		'var',
	],
	...['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'libexec', 'include', 'share', 'src', 'local'].map(
		(name) => `usr/${name}`,
	),
	...['bin', 'sbin', 'lib', 'lib64', 'libexec', 'include', 'share', 'src', 'etc'].map(
		(name) => `usr/local/${name}`,
	),
	...['lib', 'cache', 'log', 'tmp', 'run', 'spool', 'local', 'opt', 'mail', 'backups'].map(
		(name) => `var/${name}`,
	),
]);

/** Multiarch library directories (`usr/lib/x86_64-linux-gnu`) are system roots too. */
const multiarchRoot = /^(usr\/(local\/)?)?lib\/[a-z0-9_]+-linux-gnu[a-z]*$/;

export function isSystemRoot(path: string): boolean {
	return systemRoots.has(path) || multiarchRoot.test(path);
}
