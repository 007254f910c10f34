import type {HistoryEntry, RuleInput} from '../types.js';

/**
Where the base image ends in the history: just after the last CMD/ENTRYPOINT that is followed by a step
that made a layer (official images end with CMD, and the app's steps come after). Without such a marker,
only the first layer is taken as the base, and only when some step follows it (even one that made no
layer, as `FROM base` + `ENV`/`CMD` does): an image that is one layer and nothing after it (`FROM scratch`
+ `ADD`, or crafted) has no base apart from itself, so its files are the image's own.
*/
export function baseHistoryLength(history: HistoryEntry[]): number {
	for (let index = history.length - 1; index >= 0; index--) {
		const entry = history[index]!;
		if (
			(entry.instructionKind === 'CMD' || entry.instructionKind === 'ENTRYPOINT') &&
			history.slice(index + 1).some((later) => !later.emptyLayer)
		) {
			// An ENTRYPOINT + CMD pair both belong to the base.
			return index + 1;
		}
	}

	const firstLayer = history.findIndex((entry) => !entry.emptyLayer);
	return firstLayer === -1 || firstLayer === history.length - 1 ? 0 : firstLayer + 1;
}

/** The layers the history's base part made (see baseHistoryLength). */
export function baseLayersOfHistory(history: HistoryEntry[]): Set<number> {
	const layers = new Set<number>();
	for (const entry of history.slice(0, baseHistoryLength(history))) {
		if (entry.layerIndex !== null) {
			layers.add(entry.layerIndex);
		}
	}

	return layers;
}

/**
The base layers known exactly from a Dockerfile mapped to the history (`mapLayersToDockerfile`): every
layer no line of the final stage made. Undefined when the mapping failed, so the caller falls back to
the history.
*/
export function baseLayersOfMapping(mapping: {
	lines: (number | undefined)[];
	mismatch?: string;
}): Set<number> | undefined {
	if (mapping.mismatch !== undefined) {
		return undefined;
	}

	const layers = new Set<number>();
	for (const [index, line] of mapping.lines.entries()) {
		if (line === undefined) {
			layers.add(index);
		}
	}

	return layers;
}

export type BaseImageGuess = {
	/** What to write after FROM. */
	reference: string;
	/** Why, as a Dockerfile comment; undefined when the image names its base. */
	comment?: string;
};

function osRelease(input: RuleInput): Map<string, string> {
	const text = input.evidence.get('etc/os-release') ?? input.evidence.get('usr/lib/os-release') ?? '';
	const fields = new Map<string, string>();
	for (const line of text.split('\n')) {
		const match = /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim());
		if (match) {
			fields.set(match[1]!, match[3]!);
		}
	}

	return fields;
}

/** Official images record their runtime version as ENV in the base's history. */
function baseEnvironment(input: RuleInput): Map<string, string> {
	const result = new Map<string, string>();
	for (const entry of input.history.slice(0, baseHistoryLength(input.history))) {
		if (entry.instructionKind !== 'ENV') {
			continue;
		}

		for (const match of entry.instruction.matchAll(/([A-Z_]+)=("[^"]*"|\S+)/g)) {
			result.set(match[1]!, match[2]!.replace(/^"|"$/g, ''));
		}
	}

	return result;
}

const runtimeImages: [variable: string, image: string][] = [
	['NODE_VERSION', 'node'],
	['PYTHON_VERSION', 'python'],
	['GOLANG_VERSION', 'golang'],
	['JAVA_VERSION', 'eclipse-temurin'],
	['RUBY_VERSION', 'ruby'],
];

/**
The base image to name in a suggested Dockerfile: the OCI base-name label when the builder set it,
otherwise a guess from the official images' version variables and os-release, said to be a guess;
otherwise the placeholder `<base image>`.
*/
export function guessBaseImage(input: RuleInput): BaseImageGuess {
	const label = input.config.labels['org.opencontainers.image.base.name'];
	if (label) {
		return {reference: label};
	}

	const environment = baseEnvironment(input);
	const os = osRelease(input);
	for (const [variable, image] of runtimeImages) {
		const version = environment.get(variable);
		if (version === undefined) {
			continue;
		}

		let variant = '';
		if (os.get('ID') === 'alpine') {
			variant = `-alpine${(os.get('VERSION_ID') ?? '').split('.').slice(0, 2).join('.')}`;
		} else if (os.get('VERSION_CODENAME')) {
			variant = `-${os.get('VERSION_CODENAME')}`;
		}

		return {
			reference: `${image}:${version}${variant}`,
			comment: `guessed from ${variable}=${version} in the base layers' history${variant ? ' and etc/os-release' : ''}; the image does not record its base name, so check it`,
		};
	}

	return {
		reference: '<base image>',
		comment: 'the image does not record which base image its first layers came from: put its name here',
	};
}
