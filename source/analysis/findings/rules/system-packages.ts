import {dpkgPackageFiles, parseApkInstalled, parseDpkgStatus} from '../package-databases.js';
import type {FindingDraft, Rule, RuleContext} from '../rule-context.js';

const toolchainName =
	/^(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|cpp(-\d+)?|make|binutils(-.+)?|autoconf|automake|libtool|pkg-config|pkgconf|cmake|.+-dev)$/;

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
		for (const path of files) {
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
