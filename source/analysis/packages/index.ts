export {comparePackages, type PackageComparison, type PackageDelta} from './compare-packages.js';
export {layerPackageChanges} from './layer-packages.js';
export {lineNaming, locatePackageFindings} from './package-findings.js';
export {ecosystems, type OwnedPackage, type PackageInventory, packageIndex} from './package-index.js';
export {packageReport} from './package-report.js';
export type {Ecosystem, LayerPackages, PackageChange, PackageReport, PackageSummary} from './types.js';
