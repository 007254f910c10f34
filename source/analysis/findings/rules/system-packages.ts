import {
	canonicalPackagePath,
	dpkgPackageFiles,
	isMergedDirectory,
	parseApkInstalled,
	parseDpkgStatus,
} from '../package-databases.js';
import type {FindingDraft, Rule, RuleContext} from '../rule-context.js';

const toolchainName =
	/^(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|cpp(-\d+)?|make|binutils(-.+)?|autoconf|automake|libtool|pkg-config|pkgconf|cmake|rustc|cargo|.+-dev)$/;

function namesList(names: string[]): string {
	return names.length <= 6
		? names.join(', ')
		: `${names.slice(0, 6).join(', ')} and ${names.length - 6} more`;
}

/** Final files owned by the named packages, with the owner of each for grouping. */
function ownedFiles(
	context: RuleContext,
	owners: Map<string, string[]>,
): {paths: string[]; ownerOf: Map<string, string>} {
	const ownerOf = new Map<string, string>();
	for (const [name, files] of owners) {
		for (const listed of files) {
			// usr-merge: the package's /lib is the image's usr/lib, and the `lib` symlink is nobody's file.
			if (isMergedDirectory(context.byPath, listed)) {
				continue;
			}

			const path = canonicalPackagePath(context.byPath, listed);
			if (context.byPath.has(path) && !context.claimed.has(path) && !ownerOf.has(path)) {
				ownerOf.set(path, name);
			}
		}
	}

	return {paths: [...ownerOf.keys()], ownerOf};
}

/** B-D1: compilers, headers and -dev packages dpkg says are installed. */
export const debianDevelopmentPackagesRule: Rule = (context) => {
	const status = context.input.evidence.get('var/lib/dpkg/status');
	if (status === undefined) {
		return [];
	}

	const packages = parseDpkgStatus(status).filter((entry) => entry.installed);
	const candidates = packages.filter(
		(entry) =>
			!entry.essential &&
			(entry.section === 'devel' || entry.section === 'libdevel' || toolchainName.test(entry.name)),
	);
	const candidateNames = new Set(candidates.map((entry) => entry.name));
	// A runtime (non-devel) package that depends on a devel one keeps it installed; leave those out.
	const neededByRuntime = new Map<string, string>();
	for (const entry of packages) {
		if (candidateNames.has(entry.name)) {
			continue;
		}

		for (const dependency of entry.depends) {
			if (candidateNames.has(dependency)) {
				neededByRuntime.set(dependency, entry.name);
			}
		}
	}

	const removable = candidates.filter((entry) => !neededByRuntime.has(entry.name));
	const owners = new Map(
		removable.map((entry) => [entry.name, dpkgPackageFiles(context.input.evidence, entry.name)]),
	);
	const {paths, ownerOf} = ownedFiles(context, owners);
	if (paths.length === 0) {
		return [];
	}

	const names = removable.filter((entry) =>
		owners.get(entry.name)!.some((path) => ownerOf.get(path) === entry.name),
	);
	const evidence = [
		`package database: var/lib/dpkg/status lists ${namesList(names.map((entry) => entry.name))} (Section devel/libdevel or a compiler toolchain); files from var/lib/dpkg/info/<package>.list`,
	];
	if (neededByRuntime.size > 0) {
		evidence.push(`kept ${namesList([...neededByRuntime].map(([name, by]) => `${name} (needed by ${by})`))}`);
	}

	return [
		{
			ruleId: 'LL-BUILD-DEB-DEVEL',
			category: 'build-only',
			confidence: 'high',
			title: 'Compilers and -dev packages installed in the final image',
			evidence,
			paths,
			fix: 'Install build dependencies in a builder stage and copy only the build output; or `apt-get purge --auto-remove` them in the same RUN',
			groupOf: (path) => `${ownerOf.get(path) ?? path} (deb package)`,
		},
	];
};

const alpineToolchain =
	/^(build-base|gcc|g\+\+|musl-dev|libc-dev|make|linux-headers|binutils|fortify-headers|autoconf|automake|libtool|pkgconf|cmake|.+-dev)$/;

/** B-A1/B-A2: a leftover virtual `.build-deps` package and -dev packages in Alpine's database. */
export const alpinePackagesRule: Rule = (context) => {
	const installed = context.input.evidence.get('lib/apk/db/installed');
	if (installed === undefined) {
		return [];
	}

	const packages = parseApkInstalled(installed);
	const byName = new Map(packages.map((entry) => [entry.name, entry]));
	const world = (context.input.evidence.get('etc/apk/world') ?? '')
		.split(/\s+/)
		.filter((name) => name !== '');
	const drafts: FindingDraft[] = [];

	const virtuals = packages.filter((entry) => entry.name.startsWith('.'));
	const virtualMembers = new Map<string, string[]>();
	for (const virtual of virtuals) {
		for (const dependency of virtual.depends) {
			const member = byName.get(dependency);
			if (member) {
				virtualMembers.set(member.name, member.files);
			}
		}
	}

	if (virtualMembers.size > 0) {
		const {paths, ownerOf} = ownedFiles(context, virtualMembers);
		const names = virtuals.map((entry) => entry.name);
		if (paths.length > 0) {
			drafts.push({
				ruleId: 'LL-BUILD-APK-VIRTUAL',
				category: 'build-only',
				confidence: 'high',
				title: `Virtual package ${names.join(', ')} was never deleted`,
				evidence: [
					`package database: lib/apk/db/installed${world.some((name) => name.startsWith('.')) ? ' and etc/apk/world' : ''} still list ${names.join(', ')} with ${namesList([...virtualMembers.keys()])}`,
				],
				paths,
				fix: `Run \`apk del ${names.join(' ')}\` in the same RUN as \`apk add --virtual\``,
				groupOf: (path) => `${ownerOf.get(path) ?? path} (apk package)`,
			});
		}
	}

	const development = new Map(
		packages
			.filter((entry) => alpineToolchain.test(entry.name) && !virtualMembers.has(entry.name))
			.map((entry) => [entry.name, entry.files]),
	);
	const {paths, ownerOf} = ownedFiles(context, development);
	if (paths.length > 0) {
		drafts.push({
			ruleId: 'LL-BUILD-APK-DEVEL',
			category: 'build-only',
			confidence: 'medium',
			title: 'Compilers and -dev packages installed in the final image',
			evidence: [`package database: lib/apk/db/installed lists ${namesList([...development.keys()])}`],
			paths,
			fix: 'Install them in a builder stage (or with `apk add --virtual .build-deps` and `apk del .build-deps` in the same RUN)',
			groupOf: (path) => `${ownerOf.get(path) ?? path} (apk package)`,
		});
	}

	return drafts;
};

type ToolchainPackages = {
	ruleId: string;
	title: string;
	/** Package names (Debian and Alpine) that make up the toolchain. */
	names: RegExp;
	/** A program of the toolchain: when CMD/ENTRYPOINT runs it, the toolchain is the runtime. */
	runsIt: RegExp;
	fix: string;
};

const toolchainPackages: ToolchainPackages[] = [
	{
		ruleId: 'LL-BUILD-GO-TOOLCHAIN',
		title: 'The Go toolchain, installed as packages',
		// Debian: golang-go -> golang-1.19-go (/usr/lib/go-1.19) + golang-1.19-src (/usr/share/go-1.19), and
		// golang-*-dev source libraries (Section golang, so the devel rule does not see them); Alpine: go.
		names: /^(golang(-go|-src|-doc)?|golang-\d+(\.\d+)*(-go|-src|-doc)?|golang-.+-dev|go)$/,
		runsIt: /(^|[\s/;&|])go(\s|$)/,
		fix: 'Build in a builder stage (`FROM golang` or one that installs golang-go) and copy only the binary into the runtime stage',
	},
	{
		ruleId: 'LL-BUILD-JDK',
		title: 'A full JDK where a runtime would do, installed as packages',
		// The JDK packages only: their JRE dependency (openjdk-17-jre-headless) stays for `java -jar`.
		names: /^(default-jdk(-headless)?|openjdk-\d+-jdk(-headless)?|openjdk\d+(-jdk)?|maven|gradle|ant)$/,
		runsIt: /(^|[\s/;&|])(javac|jshell|jlink|mvn|gradle|ant)(\s|$)/,
		fix: 'Compile in a builder stage and install only the JRE package (e.g. openjdk-17-jre-headless) in the runtime stage',
	},
	{
		ruleId: 'LL-BUILD-RUST-TOOLCHAIN',
		title: 'The Rust toolchain, installed as packages',
		names: /^(rustc|cargo|rust|libstd-rust-dev|libstd-rust-\d.*|rust-.+|librust-.+-dev)$/,
		runsIt: /(^|[\s/;&|])(cargo|rustc)(\s|$)/,
		fix: 'Build with cargo in a builder stage and copy only the binary into the runtime stage',
	},
];

/** Installed packages with their files and dependencies, from dpkg or apk, and where that was read. */
function installedPackages(
	context: RuleContext,
): {name: string; depends: string[]; files: () => string[]}[] | undefined {
	const status = context.input.evidence.get('var/lib/dpkg/status');
	if (status !== undefined) {
		return parseDpkgStatus(status)
			.filter((entry) => entry.installed)
			.map((entry) => ({
				name: entry.name,
				depends: entry.depends,
				files: () => dpkgPackageFiles(context.input.evidence, entry.name),
			}));
	}

	const installed = context.input.evidence.get('lib/apk/db/installed');
	return installed === undefined
		? undefined
		: parseApkInstalled(installed).map((entry) => ({
				name: entry.name,
				depends: entry.depends,
				files: () => entry.files,
			}));
}

/**
Language toolchains (Go, JDK, Rust) that the package manager installed, by package name and the files it
lists: ~455 MB for Debian's golang-go, most of which no path pattern recognises. Left alone when the
container runs the toolchain itself, or when a package outside the toolchain depends on it.
*/
export const toolchainPackagesRule: Rule = (context) => {
	const packages = installedPackages(context);
	if (packages === undefined) {
		return [];
	}

	const database = context.input.evidence.has('var/lib/dpkg/status')
		? 'var/lib/dpkg/status and var/lib/dpkg/info/<package>.list'
		: 'lib/apk/db/installed';
	const drafts: FindingDraft[] = [];
	for (const toolchain of toolchainPackages) {
		if (toolchain.runsIt.test(context.runCommand)) {
			continue;
		}

		const members = packages.filter((entry) => toolchain.names.test(entry.name));
		const memberNames = new Set(members.map((entry) => entry.name));
		const neededBy = packages.find(
			(entry) =>
				!memberNames.has(entry.name) &&
				!toolchainName.test(entry.name) &&
				entry.depends.some((name) => memberNames.has(name)),
		);
		if (members.length === 0 || neededBy !== undefined) {
			continue;
		}

		const {paths, ownerOf} = ownedFiles(
			context,
			new Map(members.map((entry) => [entry.name, entry.files()])),
		);
		if (paths.length === 0) {
			continue;
		}

		drafts.push({
			ruleId: toolchain.ruleId,
			category: 'build-only',
			confidence: 'high',
			title: toolchain.title,
			evidence: [
				`package database: ${database} list ${namesList(members.map((entry) => entry.name))}, and CMD/ENTRYPOINT does not run the toolchain`,
			],
			paths,
			fix: toolchain.fix,
			groupOf: (path) => `${ownerOf.get(path) ?? path} (package)`,
		});
	}

	return drafts;
};
