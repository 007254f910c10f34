import {createHash} from 'node:crypto';
import type {Confidence, Finding, FindingCategory} from '../analysis/types.js';
import {formatBytes} from '../shared/format-bytes.js';
import {sanitizeToOneLine} from '../shared/sanitize-text.js';
import {confidenceRank} from './category-labels.js';
import type {ReportInput} from './report-input.js';

export type SarifLevel = 'error' | 'warning' | 'note';

export type SarifMessage = {text: string; markdown?: string};

export type SarifRule = {
	id: string;
	name: string;
	shortDescription: SarifMessage;
	fullDescription: SarifMessage;
	help: SarifMessage;
	defaultConfiguration: {level: SarifLevel};
	properties: {category: FindingCategory; confidence: Confidence; tags: string[]};
};

/** Every result has one: GitHub code scanning rejects a result without a physical location. */
export type SarifLocation = {
	physicalLocation: {
		artifactLocation: {uri: string; uriBaseId: typeof sourceRoot};
		region: {startLine: number};
	};
	logicalLocations?: SarifLogicalLocation[];
};

/** Artifact URIs are relative to the repository root, named the way code scanning and CodeQL name it. */
export const sourceRoot = '%SRCROOT%';

export type SarifLogicalLocation = {name: string; fullyQualifiedName: string; kind: 'resource'};

export type SarifResult = {
	ruleId: string;
	ruleIndex: number;
	level: SarifLevel;
	message: SarifMessage;
	locations: SarifLocation[];
	partialFingerprints: Record<string, string>;
	properties: {
		category: FindingCategory;
		confidence: Confidence;
		bytes: number;
		/** `deb:gcc-12`: the package owning most of the bytes; the location is the line that installed it. */
		package?: string;
		paths: number;
		layerIndex?: number;
	};
};

export type SarifLog = {
	$schema: string;
	version: '2.1.0';
	runs: Array<{
		tool: {driver: {name: 'layerlens'; version: string; rules: SarifRule[]}};
		/** Names the image, so two images scanned in one repository keep separate alerts. */
		automationDetails: {id: string};
		results: SarifResult[];
		properties: {image: string; imageId: string; sizeBytes: number; finalSizeBytes: number};
	}>;
};

export type SarifOptions = {
	toolVersion: string;
};

const sarifSchemaUri = 'https://json.schemastore.org/sarif-2.1.0.json';

/**
Severity from what a finding means for the image: a secret must not ship (error); build-only files and
caches we are sure about cost every pull (warning); anything we are less sure of is a note to review.
*/
export function sarifLevel(category: FindingCategory, confidence: Confidence): SarifLevel {
	if (category === 'secret') {
		return confidence === 'low' ? 'warning' : 'error';
	}

	return confidence === 'high' ? 'warning' : 'note';
}

/**
SARIF 2.1.0 for code-scanning dashboards. One rule per finding kind (ruleId), one result per finding.
Every result has a physical location relative to the repository root (see primaryLocation) and names its
layer as a logical location.
*/
export function toSarif(analysis: ReportInput, options: SarifOptions): SarifLog {
	const rules = buildRules(analysis.findings);
	const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
	const results = analysis.findings.map((finding) =>
		buildResult(finding, analysis, ruleIndex.get(finding.ruleId)!),
	);
	return {
		$schema: sarifSchemaUri,
		version: '2.1.0',
		runs: [
			{
				tool: {driver: {name: 'layerlens', version: options.toolVersion, rules}},
				// A trailing slash makes the whole id the category (GitHub splits category/run-id at the last slash).
				automationDetails: {
					id: `layerlens/${imageName(automationName(analysis))}/`,
				},
				results,
				properties: {
					image: analysis.image.reference,
					imageId: analysis.image.id,
					sizeBytes: analysis.image.sizeBytes,
					finalSizeBytes: analysis.image.finalSizeBytes,
				},
			},
		],
	};
}

function buildRules(findings: Finding[]): SarifRule[] {
	const byRule = new Map<string, Finding[]>();
	for (const finding of findings) {
		byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
	}

	return [...byRule.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([id, group]) => {
			// A rule can fire at several confidences; the descriptor states the strongest one seen.
			const strongest = group.reduce((best, finding) =>
				confidenceRank[finding.confidence] > confidenceRank[best.confidence] ? finding : best,
			);
			return {
				id,
				name: ruleName(id),
				shortDescription: {text: sarifText(strongest.title)},
				fullDescription: {text: sarifText(fullDescription(strongest))},
				help: {text: sarifText(strongest.fix)},
				defaultConfiguration: {level: sarifLevel(strongest.category, strongest.confidence)},
				properties: {
					category: strongest.category,
					confidence: strongest.confidence,
					tags: ['container', 'image-size', strongest.category],
				},
			};
		});
}

/**
Plain-text SARIF message content from image-controlled strings: viewers read `[text](id)` as an embedded
link (SARIF 3.11.6), so brackets and the backslash that escapes them are escaped; a path with a newline
cannot start a line of its own, and control and invisible (bidi, zero-width) characters show as escapes.
*/
export function sarifText(text: string): string {
	return sanitizeToOneLine(text).replace(/[\\[\]]/g, (character) => `\\${character}`);
}

/** `LL-BUILD-DEVDEPS` → `BuildDevdeps`: SARIF wants a readable identifier distinct from the opaque id. */
export function ruleName(ruleId: string): string {
	return ruleId
		.replace(/^LL-/, '')
		.split(/[^A-Za-z0-9]+/)
		.filter(Boolean)
		.map((word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase())
		.join('');
}

function fullDescription(finding: Finding): string {
	const what = {
		secret: 'A file that looks like a credential ships in the image.',
		'build-only': 'Files needed only to build the image ship in the final filesystem.',
		cache: 'A package-manager or tool cache ships in the final filesystem.',
		waste: 'Bytes are stored in a layer but hidden by a later one, so every pull still downloads them.',
	}[finding.category];
	return `${what} ${finding.title}.`;
}

function layerName(finding: Finding, analysis: ReportInput): string | undefined {
	if (finding.layerIndex === undefined) {
		return undefined;
	}

	const instruction = finding.instruction ?? analysis.layers[finding.layerIndex]?.instruction ?? 'unknown';
	return `layer ${finding.layerIndex}: ${instruction.replace(/\s+/g, ' ').trim()}`;
}

/**
The repository name of an image reference, without tag or digest (`registry:5000/app:1.2` → `registry:5000/app`):
stable across releases of the same image, so its alerts stay one set.
*/
export function imageName(reference: string): string {
	const withoutDigest = reference.split('@')[0] ?? reference;
	const lastSlash = withoutDigest.lastIndexOf('/');
	const colon = withoutDigest.lastIndexOf(':');
	const name = colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
	// A path typed for an archive (`../image.tar`) keeps only its parts below any `..`.
	return name.replace(/^(?:\.{0,2}\/)+/, '') || 'image';
}

/** The name the user gave, unless it is a path, stdin or an image ID: then the image's first tag, if any. */
function automationName(analysis: ReportInput): string {
	const {reference, source, repoTags} = analysis.image;
	const unnamed =
		source === 'docker-archive' ||
		source === 'oci-archive' ||
		source === 'oci-dir' ||
		/^(sha256:)?[0-9a-f]{12,64}$/.test(reference);
	return unnamed ? (repoTags[0] ?? reference) : reference;
}

type PrimaryLocation = {uri: string; line: number; note?: string};

/**
Where a result points, best first: the Dockerfile line it was mapped to; the `--dockerfile`'s FROM line for
what the base image brought; the repository's root `Dockerfile`; the archive the image was read from; else a
path naming the image, line 1, as container scanners do.
*/
function primaryLocation(finding: Finding, analysis: ReportInput): PrimaryLocation {
	const files = analysis.repositoryFiles;
	// Without what the run found in the repository, only a relative --dockerfile path can be trusted.
	const given = analysis.dockerfilePath;
	const dockerfile = files
		? files.dockerfile
		: given && !given.startsWith('/') && !given.startsWith('..')
			? toUriReference(given)
			: undefined;
	if (dockerfile !== undefined && finding.dockerfileLine !== undefined && finding.dockerfileLine >= 1) {
		return {uri: dockerfile, line: finding.dockerfileLine};
	}

	if (dockerfile !== undefined) {
		return {
			uri: dockerfile,
			line: files?.fromLine ?? 1,
			note: 'No Dockerfile instruction made these files; they come with the base image named by FROM.',
		};
	}

	if (files?.rootDockerfile !== undefined) {
		return {
			uri: files.rootDockerfile,
			line: files.fromLine ?? 1,
			note: 'Located at the Dockerfile at the repository root: run layerlens with --dockerfile to point at the line.',
		};
	}

	if (files?.archive !== undefined) {
		return {uri: files.archive, line: 1, note: 'Located at the image archive: no Dockerfile was found.'};
	}

	return {
		uri: toUriReference(imageName(analysis.image.reference)),
		line: 1,
		note: `The image ${analysis.image.reference} has no file in this repository; the location names the image.`,
	};
}

function buildLocations(finding: Finding, analysis: ReportInput): SarifLocation[] {
	const layer = layerName(finding, analysis);
	const logical: SarifLogicalLocation[] =
		layer === undefined
			? []
			: [{name: layer, fullyQualifiedName: `${analysis.image.reference}/${layer}`, kind: 'resource'}];
	const {uri, line} = primaryLocation(finding, analysis);
	return [
		{
			physicalLocation: {artifactLocation: {uri, uriBaseId: sourceRoot}, region: {startLine: line}},
			...(logical.length > 0 ? {logicalLocations: logical} : {}),
		},
	];
}

/**
Stable across rebuilds and small changes: the rule, the instruction of the layer it fired in (not its index,
which moves when a layer is added) and its main path (the first, sorted), hashed; never sizes or digests.
*/
export function findingFingerprint(finding: Finding, analysis: ReportInput): string {
	const instruction =
		finding.instruction ??
		(finding.layerIndex === undefined ? '' : analysis.layers[finding.layerIndex]?.instruction) ??
		'';
	const mainPath = [...finding.groups.map((group) => group.path), ...finding.paths].sort()[0] ?? '';
	const text = [finding.ruleId, instruction.replace(/\s+/g, ' ').trim(), mainPath].join('\n');
	return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** A relative path as a URI reference: forward slashes, no leading `./`, reserved characters encoded. */
export function toUriReference(path: string): string {
	const forward = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
	return forward
		.split('/')
		.map((segment) => encodeURIComponent(segment))
		.join('/');
}

function buildResult(finding: Finding, analysis: ReportInput, ruleIndex: number): SarifResult {
	const fileCount = `${finding.paths.length} ${finding.paths.length === 1 ? 'file' : 'files'}`;
	const largest = [...finding.groups].sort((a, b) => b.bytes - a.bytes)[0];
	const message = [
		`${finding.title}: ${formatBytes(finding.bytes)} (${finding.bytes} B) in ${fileCount}`,
		largest ? `, largest ${largest.path} (${formatBytes(largest.bytes)})` : '',
		finding.package
			? `; its largest package is ${finding.package.ecosystem} ${finding.package.name} ${finding.package.version}`
			: '',
		`. ${finding.fix}`,
	].join('');
	const {note} = primaryLocation(finding, analysis);
	return {
		ruleId: finding.ruleId,
		ruleIndex,
		// Only another base removes the base image's files: a note, not a warning about the app's Dockerfile.
		level: finding.fromBase ? 'note' : sarifLevel(finding.category, finding.confidence),
		message: {
			text: sarifText(
				`${finding.fromBase ? 'From the base image: ' : ''}${message}${note === undefined ? '' : `. ${note}`}`,
			),
		},
		locations: buildLocations(finding, analysis),
		partialFingerprints: {'layerlensFinding/v2': findingFingerprint(finding, analysis)},
		properties: {
			category: finding.category,
			confidence: finding.confidence,
			bytes: finding.bytes,
			...(finding.package ? {package: `${finding.package.ecosystem}:${finding.package.name}`} : {}),
			paths: finding.paths.length,
			...(finding.layerIndex === undefined ? {} : {layerIndex: finding.layerIndex}),
			...(finding.fromBase ? {fromBase: true} : {}),
		},
	};
}
