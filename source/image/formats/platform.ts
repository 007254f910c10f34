import {LayerlensError} from '../../shared/errors.js';

export type PlatformSpec = {os: string; architecture: string; variant?: string};

const nodeArchitectures: Record<string, string> = {
	x64: 'amd64',
	arm64: 'arm64',
	arm: 'arm',
	ia32: '386',
	ppc64: 'ppc64le',
	s390x: 's390x',
	riscv64: 'riscv64',
	loong64: 'loong64',
	mips64el: 'mips64le',
};

/** The platform images run on here: Linux containers, this CPU. */
export function hostPlatform(): PlatformSpec {
	return {os: 'linux', architecture: nodeArchitectures[process.arch] ?? process.arch};
}

export function formatPlatform(platform: PlatformSpec): string {
	return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** Parse `os/arch[/variant]` (the `--platform` syntax of docker). */
export function parsePlatform(text: string): PlatformSpec {
	const parts = text.split('/');
	if (parts.length < 2 || parts.length > 3 || parts.some((part) => part.trim() === '')) {
		throw new LayerlensError(`Invalid platform '${text}'`, {
			hint: 'Use os/arch or os/arch/variant, e.g. linux/arm64',
		});
	}

	const [os, architecture, variant] = parts as [string, string, string?];
	return variant === undefined ? {os, architecture} : {os, architecture, variant};
}

/** Whether an offered platform satisfies the wanted one (no variant wanted = any variant). */
export function platformMatches(offered: PlatformSpec, wanted: PlatformSpec): boolean {
	return (
		offered.os === wanted.os &&
		offered.architecture === wanted.architecture &&
		(wanted.variant === undefined || offered.variant === wanted.variant)
	);
}
