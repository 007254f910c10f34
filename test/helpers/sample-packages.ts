import {type PackageInventory, packageIndex} from '../../source/analysis/packages/index.js';
import type {ReportSuggestion} from '../../source/analysis/suggestion/report-suggestion.js';
import type {FinalFile, ImageAnalysis} from '../../source/analysis/types.js';

/**
The sample image's packages, worked out by the real `packageIndex` from records written for it: dpkg says
`libbig` owns usr/lib/libbig.so and `bash` owns bin/sh and bin/bash; app/node_modules/typescript is an npm
package. Everything else (etc/*, app/main.js, …) is the image's own.
*/
export function samplePackages(analysis: ImageAnalysis): PackageInventory {
	const {tree} = analysis;
	const final = tree.finalFiles({directories: false});
	const files: FinalFile[] = [];
	for (let index = 0; index < final.count; index++) {
		const version = final.version(index);
		const entry = tree.entry(version);
		files.push({
			path: tree.pathOf(final.node(index)),
			type: entry.type,
			size: entry.size,
			mode: entry.mode,
			uid: entry.uid,
			gid: entry.gid,
			...(entry.linkTarget === undefined ? {} : {linkTarget: entry.linkTarget}),
			layer: tree.layerOf(version),
		});
	}

	const evidence = new Map([
		[
			'var/lib/dpkg/status',
			[
				'Package: bash\nStatus: install ok installed\nVersion: 5.2-1\n',
				'Package: libbig\nStatus: install ok installed\nVersion: 1.0-3\n',
			].join('\n'),
		],
		['var/lib/dpkg/info/bash.list', '/.\n/bin\n/bin/sh\n/bin/bash\n'],
		['var/lib/dpkg/info/libbig.list', '/.\n/usr/lib/libbig.so\n'],
		['app/node_modules/typescript/package.json', '{"name":"typescript","version":"5.6.3"}'],
	]);
	return packageIndex({files, evidence});
}

/** A suggestion whose runtime closure needs bin/sh (so bash is runtime), and nothing else of the packages. */
export function sampleSuggestion(): ReportSuggestion {
	return {
		dockerfile: 'FROM base\n',
		dockerignore: [],
		projectedSizeBytes: 1,
		projectedRange: {low: 1, high: 1},
		projectionParts: [],
		removedParts: [],
		byCategory: {},
		basedOn: 'history',
		notes: [],
		runtime: {
			kind: 'shell',
			argv: ['/bin/sh'],
			chain: [{path: 'bin/sh', reason: 'entrypoint'}],
			paths: ['bin/sh'],
			copies: [],
			packages: [],
			installedPackages: [],
			unresolved: [],
		},
	};
}
