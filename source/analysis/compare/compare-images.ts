import {comparePackages} from '../packages/compare-packages.js';
import {compareFiles} from './compare-files.js';
import {compareFindings} from './compare-findings.js';
import {compareLayers} from './compare-layers.js';
import type {CompareOptions, ComparisonSide, ImageComparison, Totals} from './types.js';

function totalsOf(side: ComparisonSide): Totals {
	let files = 0;
	for (const file of side.files) {
		if (file.type !== 'dir') files++;
	}

	return {
		layerBytes: side.report.image.sizeBytes,
		finalBytes: side.report.image.finalSizeBytes,
		reclaimableBytes: side.report.waste.reclaimableBytes,
		efficiencyScore: side.report.efficiency.score,
		files,
		layers: side.report.layers.length,
	};
}

function subtract(b: Totals, a: Totals): Totals {
	return {
		layerBytes: b.layerBytes - a.layerBytes,
		finalBytes: b.finalBytes - a.finalBytes,
		reclaimableBytes: b.reclaimableBytes - a.reclaimableBytes,
		// Rounded so that two equal scores never show a floating-point difference.
		efficiencyScore: Number((b.efficiencyScore - a.efficiencyScore).toFixed(6)),
		files: b.files - a.files,
		layers: b.layers - a.layers,
	};
}

/**
Compare two analysed images: totals, layers by diff ID, final filesystems by path, findings by rule and
path. Pure over plain data; linear in the number of paths.
*/
export function compareImages(
	a: ComparisonSide,
	b: ComparisonSide,
	options: CompareOptions = {},
): ImageComparison {
	const totalsA = totalsOf(a);
	const totalsB = totalsOf(b);
	const files = compareFiles(a.files, b.files, options);
	const findings = compareFindings(a.report.findings, b.report.findings);
	const layers = compareLayers(a.report.layers, b.report.layers);
	const delta = subtract(totalsB, totalsA);
	return {
		a: {reference: a.report.image.reference, id: a.report.image.id},
		b: {reference: b.report.image.reference, id: b.report.image.id},
		totals: {a: totalsA, b: totalsB, delta},
		layers,
		files,
		findings,
		...(a.report.packages === undefined || b.report.packages === undefined
			? {}
			: {packages: comparePackages(a.report.packages, b.report.packages)}),
		identical:
			files.changes.length === 0 &&
			delta.layerBytes === 0 &&
			delta.reclaimableBytes === 0 &&
			findings.new.length === 0 &&
			findings.resolved.length === 0,
	};
}
