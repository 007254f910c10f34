import {anyPattern} from '../../../shared/any-pattern.js';
import {filesWhere, someFile} from '../../final-file-list.js';
import type {FindingDraft, Rule} from '../rule-context.js';
import {builtBinary} from './app-files.js';

const packageTrees = /(^|\/)(node_modules|site-packages|dist-packages)\//;

/** Headers, compiler internals, autoconf macros, pkg-config files and static libraries, by path. */
const buildPaths = anyPattern([
	/^usr\/(local\/)?include\//,
	/^usr\/(lib|libexec)\/gcc\//,
	/^usr\/share\/aclocal\//,
	/\/pkgconfig\/[^/]+\.pc$/,
	/^(usr|lib)\/.*\.(a|la)$/,
]);

/** B-D2: headers, static libraries and compiler internals, by path (weaker than the package database). */
export const buildPathsRule: Rule = (context) => {
	const paths = filesWhere(
		context.input.files,
		// What the path looks like first: few paths do, and the other checks cost more per path.
		(file) =>
			buildPaths.test(file.path) &&
			!context.claimed.has(file.path) &&
			!packageTrees.test(file.path) &&
			!file.path.startsWith('usr/local/go/'),
	).map((file) => file.path);
	if (paths.length === 0) {
		return [];
	}

	// Headers a base image ships (node's include/node, python's include/python3.x) are not the app's doing
	// and only a different base removes them: path patterns alone are too weak to report those.
	if (paths.every((path) => context.baseLayers.has(context.byPath.get(path)!.layer))) {
		return [];
	}

	return [
		{
			ruleId: 'LL-BUILD-HEADERS',
			category: 'build-only',
			confidence: 'medium',
			title: 'Headers, static libraries and compiler internals',
			evidence: [
				'path pattern: include/, *.a, *.la, pkgconfig and gcc directories are only read while compiling',
			],
			paths,
			fix: 'Compile in a builder stage and copy only the built artifacts into the runtime stage',
			groupOf: (path) => {
				const include = /^(usr\/(?:local\/)?include\/[^/]+)\//.exec(path)?.[1];
				if (include) {
					return `${include}/`;
				}

				const gcc = /^(usr\/(?:lib|libexec)\/gcc)\//.exec(path)?.[1];
				return gcc
					? `${gcc}/`
					: /\.(a|la)$/.test(path)
						? '*.a, *.la'
						: path.slice(0, path.lastIndexOf('/') + 1);
			},
		},
	];
};

/** B-G1: the Go toolchain shipped next to a binary it already built. */
export const goToolchainRule: Rule = (context) => {
	const binary = builtBinary(context);
	if (
		binary === undefined ||
		binary.startsWith('usr/local/go/') ||
		/(^|\s)go\s+run\b/.test(context.runCommand)
	) {
		return [];
	}

	const paths = filesWhere(
		context.input.files,
		(file) => file.path.startsWith('usr/local/go/') && !context.claimed.has(file.path),
	).map((file) => file.path);
	if (!paths.includes('usr/local/go/bin/go')) {
		return [];
	}

	return [
		{
			ruleId: 'LL-BUILD-GO-TOOLCHAIN',
			category: 'build-only',
			confidence: 'high',
			title: 'Go toolchain next to the built binary',
			evidence: [
				`path pattern: usr/local/go holds the Go toolchain while CMD/ENTRYPOINT runs the built ${binary}`,
			],
			paths,
			fix: 'Build in `FROM golang AS build` and copy the binary into distroless/static or scratch',
			groupOf: (path) => `${path.split('/').slice(0, 4).join('/')}${path.split('/').length > 4 ? '/' : ''}`,
		},
	];
};

/** B-J1: parts of a JDK that only compiling or jlink need. */
export const jdkRule: Rule = (context) => {
	if (/\b(javac|jshell|jlink)\b/.test(context.runCommand)) {
		return [];
	}

	const roots = filesWhere(context.input.files, (file) => file.path.endsWith('/bin/javac')).map((file) =>
		file.path.slice(0, -'/bin/javac'.length),
	);
	const drafts: FindingDraft[] = [];
	for (const root of roots) {
		const paths = filesWhere(
			context.input.files,
			(file) =>
				!context.claimed.has(file.path) &&
				(file.path.startsWith(`${root}/jmods/`) ||
					file.path.startsWith(`${root}/include/`) ||
					file.path === `${root}/lib/src.zip` ||
					file.path === `${root}/bin/javac`),
		).map((file) => file.path);
		if (paths.length === 0) {
			continue;
		}

		drafts.push({
			ruleId: 'LL-BUILD-JDK',
			category: 'build-only',
			confidence: 'high',
			title: 'A full JDK where a runtime would do',
			evidence: [`path pattern: ${root} has bin/javac, jmods/ and src.zip, used only to compile or jlink`],
			paths,
			fix: 'Run on a JRE base image or a `jlink` runtime built in a builder stage',
			groupOf: (path) => {
				const rest = path.slice(root.length + 1);
				return rest.includes('/') ? `${root}/${rest.slice(0, rest.indexOf('/'))}/` : path;
			},
		});
	}

	return drafts;
};

/** B-P2: wheels and packaging build directories left in the image. */
export const pythonBuildArtifactsRule: Rule = (context) => {
	const {appDir} = context;
	const hasPackageJson =
		appDir !== undefined &&
		context.input.evidence.has(appDir === '' ? 'package.json' : `${appDir}/package.json`);
	const prefix = appDir ? `${appDir}/` : '';
	// The app's own Python files, not any .py anywhere (Debian's gcc ships Python pretty-printers).
	const hasPython =
		appDir !== undefined &&
		someFile(
			context.input.files,
			(file) =>
				file.path.startsWith(prefix) &&
				file.path.endsWith('.py') &&
				!context.baseLayers.has(file.layer) &&
				!/^usr\/(lib|share|libexec)\//.test(file.path) &&
				!packageTrees.test(file.path),
		);
	// build/ is a Python packaging directory only when the app is not a Node app (where it is output).
	const packaging = hasPython && !hasPackageJson;
	const paths = filesWhere(
		context.input.files,
		// What the path looks like first: few paths do, and the lookups cost more per path.
		(file) =>
			(file.path.endsWith('.whl') ||
				(packaging &&
					(file.path.startsWith(`${prefix}build/`) ||
						(file.path.startsWith(prefix) && /^[^/]+\.egg-info\//.test(file.path.slice(prefix.length)))))) &&
			!context.claimed.has(file.path) &&
			!packageTrees.test(file.path),
	).map((file) => file.path);
	if (paths.length === 0) {
		return [];
	}

	return [
		{
			ruleId: 'LL-BUILD-PY-ARTIFACTS',
			category: 'build-only',
			confidence: 'medium',
			title: 'Python wheels and build directories',
			evidence: ['path pattern: *.whl files and build/ or *.egg-info/ packaging output'],
			paths,
			fix: 'Build wheels in a builder stage, install them, and copy only the installed environment',
		},
	];
};
