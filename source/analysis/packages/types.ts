/** The package view's types, kept apart so that the analysis' own types can name them without a cycle. */

/** Where a package came from: the package manager whose records name it. */
export type Ecosystem = 'deb' | 'apk' | 'npm' | 'pypi' | 'gem' | 'go' | 'jar';

/** One package a layer installed, removed or upgraded. */
export type PackageChange = {
	ecosystem: Ecosystem;
	name: string;
	/** The version after the layer (installed, upgraded) or before it (removed). */
	version: string;
	/** Upgraded (or downgraded) packages: the version before the layer. */
	fromVersion?: string;
	/** npm, Python, gems, Go, jars: where it is installed. */
	location?: string;
	/**
	Bytes of its files as the filesystem stacked up to this layer holds them (up to the layer before, for a
	removed package): files on disk, not the package database's Installed-Size.
	*/
	bytes: number;
};

export type LayerPackages = {
	layer: number;
	installed: PackageChange[];
	removed: PackageChange[];
	upgraded: PackageChange[];
};

/** One installed package as the reports list it: its files counted, not listed. */
export type PackageSummary = {
	ecosystem: Ecosystem;
	name: string;
	version: string;
	location?: string;
	/** Sum of its regular files' sizes in the final filesystem. */
	bytes: number;
	fileCount: number;
	/** The layer that wrote its record; -1 when none is visible. */
	layer: number;
	dev?: true;
};

/** The report's packages: who owns the image's bytes, and what each layer installed, removed or upgraded. */
export type PackageReport = {
	/** Bytes of final regular files some package's records name. */
	ownedBytes: number;
	/** Bytes of final regular files no package names: the image's own. */
	unownedBytes: number;
	/** Per ecosystem present: how many packages, how many bytes. */
	ecosystems: {ecosystem: Ecosystem; count: number; bytes: number}[];
	/** Largest first. */
	packages: PackageSummary[];
	/** Layers that changed the installed packages, in layer order. */
	layers: LayerPackages[];
};
