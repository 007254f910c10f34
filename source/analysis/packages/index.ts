export {comparePackages, type PackageComparison, type PackageDelta} from './compare-packages.js';
export {
	type LayerPackages,
	type LayerView,
	layerPackageChanges,
	type PackageChange,
} from './layer-packages.js';
export {lineNaming, locatePackageFindings} from './package-findings.js';
export {
	type Ecosystem,
	ecosystems,
	type OwnedPackage,
	type PackageInventory,
	packageIndex,
} from './package-index.js';
export {type PackageReport, type PackageSummary, packageReport} from './package-report.js';
