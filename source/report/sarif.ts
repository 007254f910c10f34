import type {Confidence, Finding, FindingCategory} from '../analysis/types.js';
import {formatBytes} from '../format-bytes.js';
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

export type SarifLocation =
	| {
			physicalLocation: {artifactLocation: {uri: string}; region: {startLine: number}};
			logicalLocations?: SarifLogicalLocation[];
	  }
	| {logicalLocations: SarifLogicalLocation[]};

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
		paths: number;
		layerIndex?: number;
	};
};

export type SarifLog = {
	$schema: string;
	version: '2.1.0';
	runs: Array<{
		tool: {driver: {name: 'layerlens'; version: string; rules: SarifRule[]}};
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
A result points at `Dockerfile:LINE` when the finding was mapped to a line, otherwise at the layer by name.
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
link (SARIF 3.11.6), so brackets and the backslash that escapes them are escaped, and a path with a newline
or a control character cannot start a line of its own.
*/
export function sarifText(text: string): string {
	return text
		.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
		.replace(/[\\[\]]/g, (character) => `\\${character}`);
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

function buildLocations(finding: Finding, analysis: ReportInput): SarifLocation[] {
	const layer = layerName(finding, analysis);
	const logical: SarifLogicalLocation[] =
		layer === undefined
			? []
			: [{name: layer, fullyQualifiedName: `${analysis.image.reference}/${layer}`, kind: 'resource'}];
	if (finding.dockerfileLine !== undefined && finding.dockerfileLine >= 1) {
		return [
			{
				physicalLocation: {
					artifactLocation: {uri: toUriReference(analysis.dockerfilePath ?? 'Dockerfile')},
					region: {startLine: finding.dockerfileLine},
				},
				...(logical.length > 0 ? {logicalLocations: logical} : {}),
			},
		];
	}

	return logical.length > 0 ? [{logicalLocations: logical}] : [];
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
		`. ${finding.fix}`,
	].join('');
	return {
		ruleId: finding.ruleId,
		ruleIndex,
		level: sarifLevel(finding.category, finding.confidence),
		message: {text: sarifText(message)},
		locations: buildLocations(finding, analysis),
		partialFingerprints: {
			// Stable across rebuilds: the rule and where it fired, never sizes or layer digests.
			'layerlensFinding/v1': [finding.ruleId, ...finding.groups.map((group) => group.path).sort()].join('|'),
		},
		properties: {
			category: finding.category,
			confidence: finding.confidence,
			bytes: finding.bytes,
			paths: finding.paths.length,
			...(finding.layerIndex === undefined ? {} : {layerIndex: finding.layerIndex}),
		},
	};
}
